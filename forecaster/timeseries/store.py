"""Time-series runs, their forecasts and backtest metrics in the project's SQLite store."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from forecaster.db import Closing, apply_schema, open_database
from forecaster.timeseries.series import Forecast


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


SCHEMA = """
CREATE TABLE IF NOT EXISTS ts_runs (
   run_id TEXT PRIMARY KEY,
   kind TEXT,
   created_at TEXT,
   source TEXT,
   backend TEXT,
   model TEXT,
   horizon INTEGER,
   quantile_levels TEXT,
   n_series INTEGER,
   windows INTEGER
);
CREATE TABLE IF NOT EXISTS ts_forecasts (
   run_id TEXT REFERENCES ts_runs(run_id),
   model TEXT,
   [window] INTEGER,
   series_id TEXT,
   timestamp TEXT,
   quantile_level REAL,
   value REAL,
   mean REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_ts_forecasts_run_id_model_window_series_id_timestamp_quantile_level
   ON ts_forecasts (run_id, model, [window], series_id, timestamp, quantile_level);
CREATE TABLE IF NOT EXISTS ts_backtest_metrics (
   run_id TEXT REFERENCES ts_runs(run_id),
   model TEXT,
   [window] INTEGER,
   series_id TEXT,
   mase REAL,
   mape REAL,
   wql REAL
);
"""


class SeriesStore(Closing):
    """Reads and writes time-series runs, their forecasts and backtest metrics; each run in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def save_run(self, run: RunRecord, forecasts: Iterable[ModelForecast], metrics: pd.DataFrame | None = None) -> str:
        """Write the run, its forecast rows and (backtests) its metrics in one transaction; returns the run id."""
        with self.db.conn:
            self.db.conn.execute(
                "INSERT INTO ts_runs VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run.run_id, run.kind, run.created_at, run.source, run.backend, run.model, run.horizon,
                 json.dumps(list(run.quantile_levels)), run.n_series, run.windows))
            self.db.conn.executemany(
                "INSERT INTO ts_forecasts (run_id, model, [window], series_id, timestamp, quantile_level, value, mean)"
                " VALUES (?,?,?,?,?,?,?,?)", _forecast_rows(run.run_id, forecasts))
            if metrics is not None:
                self.db.conn.executemany(
                    "INSERT INTO ts_backtest_metrics (run_id, model, [window], series_id, mase, mape, wql)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(run.run_id, r.model, int(r.window), r.series_id, _num(r.mase), _num(r.mape), _num(r.wql))
                     for r in metrics.itertuples()])
        return run.run_id

    def run(self, run_id: str) -> dict | None:
        """The run's record, if stored."""
        rows = list(self.db.query("SELECT * FROM ts_runs WHERE run_id = ?", [run_id]))
        return rows[0] if rows else None

    def forecasts(self, run_id: str) -> pd.DataFrame:
        """The forecast rows of one run, in insertion order."""
        return pd.DataFrame(list(self.db.query("SELECT * FROM ts_forecasts WHERE run_id = ? ORDER BY rowid", [run_id])))

    def metrics(self, run_id: str) -> pd.DataFrame:
        """The backtest metric rows of one run."""
        return pd.DataFrame(list(self.db.query(
            "SELECT * FROM ts_backtest_metrics WHERE run_id = ? ORDER BY rowid", [run_id])))


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
