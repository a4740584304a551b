"""Platt scaling and extremizing recover a known distortion of well-calibrated probabilities."""

import numpy as np
import pytest

from forecaster.scoring.metrics import brier_score, logit, sigmoid
from forecaster.scoring.recalibration import Extremizing, PlattScaling, fit_extremizing, fit_platt


def synthetic(n: int, seed: int):
    """True probabilities and outcomes drawn from them."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.03, 0.97, n)
    return truth, (rng.uniform(0, 1, n) < truth).astype(int)


def test_platt_recovers_an_underconfident_biased_distortion():
    truth, y = synthetic(20000, seed=1)
    # Forecasts halve the log-odds and add 0.5: logit t = 2·logit p − 1, so the ideal map is slope 2, intercept −1.
    p = sigmoid((logit(truth) + 1.0) / 2.0)
    fitted = fit_platt(p, y)
    assert fitted.slope == pytest.approx(2.0, abs=0.1)
    assert fitted.intercept == pytest.approx(-1.0, abs=0.1)


def test_extremizing_recovers_a_shrinkage_towards_one_half():
    truth, y = synthetic(20000, seed=2)
    p = sigmoid(logit(truth) / 2.0)
    assert fit_extremizing(p, y).factor == pytest.approx(2.0, abs=0.1)


def test_calibrated_forecasts_are_left_nearly_alone():
    truth, y = synthetic(20000, seed=3)
    fitted = fit_platt(truth, y)
    assert fitted.slope == pytest.approx(1.0, abs=0.08)
    assert fitted.intercept == pytest.approx(0.0, abs=0.08)


def test_recalibration_fitted_on_one_half_improves_brier_on_the_other():
    truth, y = synthetic(4000, seed=4)
    p = sigmoid((logit(truth) + 1.0) / 2.0)
    fitted = fit_platt(p[:2000], y[:2000])
    assert brier_score(fitted.apply(p[2000:]), y[2000:]) < brier_score(p[2000:], y[2000:]) - 0.005


def test_perfectly_separated_questions_still_give_a_finite_fit():
    fitted = fit_platt([0.3, 0.4, 0.6, 0.7], [0, 0, 1, 1])
    assert np.isfinite(fitted.slope) and np.isfinite(fitted.intercept)
    assert fitted.slope > 1  # it does extremize, as the data ask, but the prior keeps it bounded


def test_the_maps_apply_as_documented():
    np.testing.assert_allclose(PlattScaling(1.0, 0.0).apply([0.2, 0.7]), [0.2, 0.7])
    # σ(2·logit 0.75) = 0.75² / (0.75² + 0.25²) = 0.9
    np.testing.assert_allclose(Extremizing(2.0).apply([0.75]), [0.9])


def test_fitting_on_no_questions_is_an_error():
    with pytest.raises(ValueError, match="zero questions"):
        fit_platt([], [])
