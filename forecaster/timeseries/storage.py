"""Forecast and backtest tables in the project's SQLite store; each run is written in one transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from forecaster.db import open_database
from forecaster.timeseries.series import Forecast

RUNS, FORECASTS, METRICS = "ts_runs", "ts_forecasts", "ts_backtest_metrics"


@dataclass(frozen=True)
class RunRecord:
    """What a run was: kind ("forecast" or "backtest"), where its data came from, how it was made."""

    kind: str
    source: str
    backend: str
    model: str
    horizon: int
    quantile_levels: Sequence[float]
    n_series: int
    windows: int = 1
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast of one series in one backtest window (window 0 for plain forecasts)."""

    model: str
    window: int
    forecast: Forecast


def ensure_tables(db) -> None:
    """Create the time-series tables once (outside any run's transaction)."""
    db[RUNS].create(
        {"run_id": str, "kind": str, "created_at": str, "source": str, "backend": str, "model": str,
         "horizon": int, "quantile_levels": str, "n_series": int, "windows": int},
        pk="run_id", if_not_exists=True,
    )
    db[FORECASTS].create(
        {"run_id": str, "model": str, "window": int, "series_id": str, "timestamp": str,
         "quantile_level": float, "value": float, "mean": float},
        foreign_keys=[("run_id", RUNS, "run_id")], if_not_exists=True,
    )
    db[FORECASTS].create_index(
        ["run_id", "model", "window", "series_id", "timestamp", "quantile_level"], unique=True, if_not_exists=True
    )
    db[METRICS].create(
        {"run_id": str, "model": str, "window": int, "series_id": str, "mase": float, "mape": float, "wql": float},
        foreign_keys=[("run_id", RUNS, "run_id")], if_not_exists=True,
    )


def store_run(
    database_path: str | Path,
    run: RunRecord,
    forecasts: Iterable[ModelForecast],
    metrics: pd.DataFrame | None = None,
) -> str:
    """Write the run, its forecast rows and (backtests) its metrics in one transaction; returns the run id."""
    db = open_database(database_path)
    try:
        ensure_tables(db)
        conn = db.conn
        with conn:  # commits at the end, rolls everything back on any error
            conn.execute(
                f"INSERT INTO {RUNS} VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run.run_id, run.kind, run.created_at, run.source, run.backend, run.model, run.horizon,
                 json.dumps(list(run.quantile_levels)), run.n_series, run.windows),
            )
            conn.executemany(
                f"INSERT INTO {FORECASTS} (run_id, model, [window], series_id, timestamp, quantile_level, value, mean)"
                " VALUES (?,?,?,?,?,?,?,?)",
                _forecast_rows(run.run_id, forecasts),
            )
            if metrics is not None:
                conn.executemany(
                    f"INSERT INTO {METRICS} (run_id, model, [window], series_id, mase, mape, wql)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(run.run_id, r.model, int(r.window), r.series_id, _num(r.mase), _num(r.mape), _num(r.wql))
                     for r in metrics.itertuples()],
                )
    finally:
        db.close()
    return run.run_id


def _forecast_rows(run_id: str, forecasts: Iterable[ModelForecast]):
    for item in forecasts:
        f = item.forecast
        for t, ts in enumerate(f.timestamps):
            stamp = pd.Timestamp(ts).isoformat()
            for j, level in enumerate(f.quantile_levels):
                yield (run_id, item.model, item.window, f.series_id, stamp, float(level),
                       _num(f.quantiles[t, j]), _num(f.mean[t]))


def _num(value: float) -> float | None:
    value = float(value)
    return None if value != value else value


def read_forecasts(database_path: str | Path, run_id: str) -> pd.DataFrame:
    """The forecast rows of one run, in insertion order."""
    db = open_database(database_path)
    try:
        rows = db.query(f"SELECT * FROM {FORECASTS} WHERE run_id = ? ORDER BY rowid", [run_id])
        return pd.DataFrame(list(rows))
    finally:
        db.close()


def read_metrics(database_path: str | Path, run_id: str) -> pd.DataFrame:
    """The backtest metric rows of one run."""
    db = open_database(database_path)
    try:
        return pd.DataFrame(list(db.query(f"SELECT * FROM {METRICS} WHERE run_id = ? ORDER BY rowid", [run_id])))
    finally:
        db.close()
