"""Scores of forecasts that are not yes/no: multiclass Brier and log score, CRPS and the log score of the outcome's
bin, outcomes outside the range included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecaster.scoring.typed_scores import bin_log, choice_brier, choice_log, crps

UNIFORM = list(np.linspace(0.0, 1.0, 201))


def test_multiclass_brier_sums_the_squared_errors_over_options():
    assert choice_brier([0.5, 0.3, 0.2], 0) == pytest.approx(0.25 + 0.09 + 0.04)


def test_multiple_choice_log_score_is_minus_log_of_the_option_that_happened():
    assert choice_log([0.5, 0.3, 0.2], 2) == pytest.approx(-math.log(0.2))


def test_a_cdf_that_rises_in_the_outcomes_bin_has_crps_within_one_bin_of_zero():
    step = [0.0] * 101 + [1.0] * 100
    assert crps(step, 0.5) <= 1 / 200 + 1e-12 and crps(step, 0.1) > 0.3


def test_crps_of_a_uniform_cdf_at_the_middle_is_one_twelfth():
    assert crps(UNIFORM, 0.5) == pytest.approx(1 / 12, abs=1e-4)


def test_an_outcome_above_the_range_is_scored_on_the_upper_tail():
    cdf = [0.0] + list(np.linspace(0.01, 0.8, 200))
    assert bin_log(cdf, 2.0) == pytest.approx(-math.log(0.2))
    assert crps(cdf, 2.0) > crps(cdf, 0.9)


def test_the_bin_log_score_reads_the_mass_of_the_outcomes_bin():
    assert bin_log(UNIFORM, 0.4025) == pytest.approx(-math.log(1 / 200))
