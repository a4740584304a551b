"""Brier and log scores against values computed by hand."""

import math

import numpy as np
import pytest

from forecaster.scoring.metrics import LOG_EPS, brier_losses, brier_score, log_losses, log_score


def test_perfect_forecasts_score_zero_brier_and_only_the_clip_in_log():
    p, y = [1.0, 0.0, 1.0], [1, 0, 1]
    assert brier_score(p, y) == 0.0
    # Certainty is clipped to 1 - 0.001, so each question costs -ln(0.999).
    assert log_score(p, y) == pytest.approx(-math.log(1 - LOG_EPS))


def test_certain_and_wrong_forecasts_score_one_brier_and_the_capped_log_loss():
    p, y = [0.0, 1.0], [1, 0]
    assert brier_score(p, y) == 1.0
    # The clip caps the loss at -ln(0.001) = ln(1000) ≈ 6.908 nats instead of infinity.
    assert log_score(p, y) == pytest.approx(math.log(1000))


def test_half_forecasts_score_a_quarter_brier_and_ln2_log_whatever_happens():
    p, y = [0.5] * 4, [1, 0, 0, 1]
    assert brier_score(p, y) == 0.25
    assert log_score(p, y) == pytest.approx(math.log(2))


def test_mixed_forecasts_match_hand_computation():
    # (0.8 - 1)² = 0.04 and (0.3 - 0)² = 0.09: mean 0.065.
    assert brier_score([0.8, 0.3], [1, 0]) == pytest.approx(0.065)
    # -(ln 0.8 + ln 0.7) / 2 = (0.223144 + 0.356675) / 2 = 0.289909.
    assert log_score([0.8, 0.3], [1, 0]) == pytest.approx(0.289909, abs=1e-6)


def test_per_question_losses_keep_question_order():
    np.testing.assert_allclose(brier_losses([0.9, 0.2], [0, 0]), [0.81, 0.04])
    np.testing.assert_allclose(log_losses([0.9, 0.2], [0, 0]), [-math.log(0.1), -math.log(0.8)])


def test_probability_outside_unit_interval_is_rejected_naming_its_index():
    with pytest.raises(ValueError, match=r"index 1 must lie in \[0, 1\]"):
        brier_score([0.2, 1.2], [0, 1])


def test_outcome_other_than_zero_or_one_is_rejected_naming_its_index():
    with pytest.raises(ValueError, match="outcome at index 0 must be 0 or 1"):
        log_score([0.2], [2])


def test_lengths_must_match():
    with pytest.raises(ValueError, match="differ in length"):
        brier_score([0.2, 0.3], [1])
