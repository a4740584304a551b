"""Baselines: the base rate never sees the outcome it forecasts."""

from datetime import date

import numpy as np
import pytest

from forecaster.scoring.baselines import base_rate_leave_one_out, base_rate_resolved_before, constant_forecasts


def test_leave_one_out_base_rate_excludes_the_question_itself():
    # Two YES among four. Without the question: a YES sees 1 of 3, a NO sees 2 of 3;
    # Laplace's rule gives (1 + 1)/(3 + 2) = 0.4 and (2 + 1)/(3 + 2) = 0.6.
    np.testing.assert_allclose(base_rate_leave_one_out([1, 0, 0, 1]), [0.4, 0.6, 0.6, 0.4])


def test_changing_a_questions_outcome_does_not_change_its_own_leave_one_out_rate():
    before = base_rate_leave_one_out([1, 0, 0, 1])
    after = base_rate_leave_one_out([0, 0, 0, 1])
    assert before[0] == after[0]


def test_resolved_before_counts_only_questions_resolved_before_the_forecast_date():
    y = [1, 1, 0]
    resolved = [date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 1)]
    asked = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 5, 1)]
    # q0: nothing resolved before 1 Jan -> (0 + 1)/(0 + 2) = 1/2; q1: only q0 (YES) -> 2/3;
    # q2: q0 and q1 (YES, YES) -> 3/4.
    np.testing.assert_allclose(base_rate_resolved_before(y, resolved, asked), [0.5, 2 / 3, 0.75])


def test_resolved_before_needs_every_forecast_date():
    with pytest.raises(ValueError, match="index 0 has no forecast_date"):
        base_rate_resolved_before([1], [date(2024, 1, 1)], [None])


def test_constant_forecast_must_be_a_probability():
    np.testing.assert_array_equal(constant_forecasts(3), [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        constant_forecasts(3, 1.5)
