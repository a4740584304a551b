"""Backtests on AirPassengers: held-out windows, the baselines' deterministic scores, the table."""

from __future__ import annotations

import math

import pytest

from forecaster.errors import InputError
from forecaster.timeseries.backends import build_backend
from forecaster.timeseries.backtest import MODELS, run_backtest, split_windows, window_cutoffs
from forecaster.timeseries.loading import load_series

from .known_scores import BASELINE_MAPE_1960


@pytest.fixture(scope="module")
def air(demo_csv):
    return load_series(demo_csv, horizon=12)


def test_windows_are_the_last_blocks_of_one_horizon_each():
    assert window_cutoffs(144, 12, 3) == [108, 120, 132]


def test_a_window_holds_out_the_next_horizon_points(air):
    [[cut]] = split_windows(air, 12, 1, min_points=5)
    assert len(cut.target) == 132
    assert str(cut.future_timestamps[0].date()) == "1960-01-31"


def test_too_many_windows_for_the_history_name_the_series(air):
    with pytest.raises(InputError, match=r"series 'AirPassengers': too few points for 12 backtest window"):
        split_windows(air, 12, 12, min_points=5)


def test_rolling_windows_score_every_model_in_every_window(ts_settings, air):
    result = run_backtest(air, build_backend(ts_settings), 12, [0.1, 0.5, 0.9], windows=3)
    assert len(result.metrics) == len(MODELS) * 3
    assert sorted(result.metrics["window"].unique()) == [0, 1, 2]
    assert list(result.summary()["model"]) == list(MODELS)
    assert all(math.isfinite(v) for v in result.metrics[["mase", "mape", "wql"]].to_numpy().ravel())
    # The last window is 1960: same baseline scores as the single hold-out.
    last = result.metrics[result.metrics.window == 2].set_index("model")["mape"]
    for model, expected in BASELINE_MAPE_1960.items():
        assert last[model] == pytest.approx(expected, abs=1e-3)
