"""Forecast rows in the project store: one row per series, step and level; a run is all or nothing."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from forecaster.db import open_database
from forecaster.timeseries.series import Forecast
from forecaster.timeseries.storage import ModelForecast, RunRecord, read_forecasts, store_run


def forecast(series_id: str, horizon: int = 3) -> Forecast:
    stamps = pd.date_range("2024-01-01", periods=horizon, freq="D")
    mean = np.arange(horizon, dtype=float)
    return Forecast(series_id, stamps, (0.1, 0.5, 0.9), np.stack([mean - 1, mean, mean + 1], axis=1), mean)


def record(n_series: int) -> RunRecord:
    return RunRecord(kind="forecast", source="test", backend="in-process", model="tiny", horizon=3,
                     quantile_levels=(0.1, 0.5, 0.9), n_series=n_series)


def test_a_run_stores_one_row_per_series_step_and_level(tmp_path):
    db_path = tmp_path / "f.db"
    run_id = store_run(db_path, record(2), [ModelForecast("Chronos-2", 0, forecast("a")),
                                            ModelForecast("Chronos-2", 0, forecast("b"))])
    rows = read_forecasts(db_path, run_id)
    assert len(rows) == 2 * 3 * 3
    first = rows[(rows.series_id == "b") & (rows.timestamp == "2024-01-02T00:00:00")]
    assert first.set_index("quantile_level")["value"].to_dict() == {0.1: 0.0, 0.5: 1.0, 0.9: 2.0}
    assert set(first["mean"]) == {1.0}


def test_a_failing_run_leaves_nothing_behind(tmp_path):
    db_path = tmp_path / "f.db"
    store_run(db_path, record(1), [ModelForecast("Chronos-2", 0, forecast("a"))])
    # The same series twice breaks the unique index after the run row and some forecast rows were inserted.
    with pytest.raises(sqlite3.IntegrityError):
        store_run(db_path, record(2), [ModelForecast("Chronos-2", 0, forecast("b")),
                                       ModelForecast("Chronos-2", 0, forecast("b"))])
    db = open_database(db_path)
    assert db["ts_runs"].count == 1
    assert db["ts_forecasts"].count == 9
    db.close()
