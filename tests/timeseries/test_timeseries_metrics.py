"""The accuracy measures, checked on cases small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.timeseries.metrics import mape, mase, weighted_quantile_loss


def test_mape_is_mean_absolute_percentage_error_in_percent():
    # |100-90|/100 = 10 %, |200-220|/200 = 10 %, |50-50|/50 = 0 %.
    assert mape(np.array([100, 200, 50]), np.array([90, 220, 50])) == pytest.approx(20 / 3)


def test_mape_leaves_zero_actuals_out():
    assert mape(np.array([0, 100]), np.array([5, 110])) == pytest.approx(10.0)


def test_mase_scales_by_the_in_sample_seasonal_naive_error():
    history = np.array([1, 2, 3, 5, 6, 7])  # season 3: |5-1|, |6-2|, |7-3| -> scale 4
    assert mase(np.array([10, 10]), np.array([12, 6]), history, season_length=3) == pytest.approx(3 / 4)


def test_mase_falls_back_to_lag_one_when_history_is_shorter_than_a_season():
    history = np.array([1.0, 3.0, 6.0])  # lag 1: 2, 3 -> scale 2.5
    assert mase(np.array([4.0]), np.array([9.0]), history, season_length=12) == pytest.approx(5 / 2.5)


def test_weighted_quantile_loss_of_a_perfect_median_counts_only_the_other_levels():
    actual = np.array([10.0, 20.0])
    quantiles = np.array([[8.0, 10.0, 13.0], [20.0, 20.0, 20.0]])
    # q=0.1: under-forecast by 2 at t0 -> 0.1*2; q=0.9: over by 3 at t0 -> 0.1*3; scaled 2/30 each, mean of 3.
    expected = np.mean([2 * 0.2 / 30, 0.0, 2 * 0.3 / 30])
    assert weighted_quantile_loss(actual, quantiles, [0.1, 0.5, 0.9]) == pytest.approx(expected)
