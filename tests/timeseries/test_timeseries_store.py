"""Forecast rows in the project store: one row per series, step and level; a run is all or nothing."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from forecaster.timeseries.series import Forecast
from forecaster.timeseries.store import ModelForecast, RunRecord, SeriesStore


def forecast(series_id: str, horizon: int = 3) -> Forecast:
    stamps = pd.date_range("2024-01-01", periods=horizon, freq="D")
    mean = np.arange(horizon, dtype=float)
    return Forecast(series_id, stamps, (0.1, 0.5, 0.9), np.stack([mean - 1, mean, mean + 1], axis=1), mean)


def record(n_series: int) -> RunRecord:
    return RunRecord(kind="forecast", source="test", backend="in-process", model="tiny", horizon=3,
                     quantile_levels=(0.1, 0.5, 0.9), n_series=n_series)


def test_a_run_stores_one_row_per_series_step_and_level(tmp_path):
    store = SeriesStore(tmp_path / "f.db")
    run_id = store.save_run(record(2), [ModelForecast("Chronos-2", 0, forecast("a")),
                                        ModelForecast("Chronos-2", 0, forecast("b"))])
    rows = store.forecasts(run_id)
    assert len(rows) == 2 * 3 * 3
    first = rows[(rows.series_id == "b") & (rows.timestamp == "2024-01-02T00:00:00")]
    assert first.set_index("quantile_level")["value"].to_dict() == {0.1: 0.0, 0.5: 1.0, 0.9: 2.0}
    assert set(first["mean"]) == {1.0}


def test_a_failing_run_leaves_nothing_behind(tmp_path):
    store = SeriesStore(tmp_path / "f.db")
    kept = store.save_run(record(1), [ModelForecast("Chronos-2", 0, forecast("a"))])
    failing = record(2)
    # The same series twice breaks the unique index after the run row and some forecast rows were inserted.
    with pytest.raises(sqlite3.IntegrityError):
        store.save_run(failing, [ModelForecast("Chronos-2", 0, forecast("b")),
                                 ModelForecast("Chronos-2", 0, forecast("b"))])
    assert store.run(failing.run_id) is None
    assert store.run(kept) is not None
    assert len(store.forecasts(failing.run_id)) == 0
    assert len(store.forecasts(kept)) == 9


# The tables as the store before SeriesStore created them (sqlite-utils' create), with a backtest in them.
OLD_TABLES = """
CREATE TABLE "ts_runs" ("run_id" TEXT PRIMARY KEY, "kind" TEXT, "created_at" TEXT, "source" TEXT, "backend" TEXT,
    "model" TEXT, "horizon" INTEGER, "quantile_levels" TEXT, "n_series" INTEGER, "windows" INTEGER);
CREATE TABLE "ts_forecasts" ("run_id" TEXT REFERENCES "ts_runs"("run_id"), "model" TEXT, "window" INTEGER,
    "series_id" TEXT, "timestamp" TEXT, "quantile_level" REAL, "value" REAL, "mean" REAL);
CREATE UNIQUE INDEX "idx_ts_forecasts_run_id_model_window_series_id_timestamp_quantile_level"
    ON "ts_forecasts" ("run_id", "model", "window", "series_id", "timestamp", "quantile_level");
CREATE TABLE "ts_backtest_metrics" ("run_id" TEXT REFERENCES "ts_runs"("run_id"), "model" TEXT, "window" INTEGER,
    "series_id" TEXT, "mase" REAL, "mape" REAL, "wql" REAL);
INSERT INTO ts_runs VALUES ('old', 'backtest', '2026-01-01T00:00:00+00:00', 'air.csv', 'in-process', 'tiny', 1,
    '[0.5]', 1, 2);
INSERT INTO ts_forecasts VALUES ('old', 'Chronos-2', 0, 'a', '2024-01-01T00:00:00', 0.5, 1.5, 1.5);
INSERT INTO ts_forecasts VALUES ('old', 'Chronos-2', 1, 'a', '2024-01-02T00:00:00', 0.5, 2.5, 2.5);
INSERT INTO ts_backtest_metrics VALUES ('old', 'Chronos-2', 0, 'a', 0.8, 0.1, 0.05);
"""


def test_a_database_written_before_the_store_opens_and_reads_back(tmp_path):
    path = tmp_path / "f.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TABLES)
    store = SeriesStore(path)
    assert json.loads(store.run("old")["quantile_levels"]) == [0.5]
    assert list(store.forecasts("old")["value"]) == [1.5, 2.5]
    assert list(store.metrics("old")["mase"]) == [0.8]
    store.save_run(record(1), [ModelForecast("Chronos-2", 0, forecast("a"))])
    assert len(store.forecasts("old")) == 2
