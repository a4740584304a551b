"""The user's own series (source "file"): one series of the long-format file `[series] file` names, read by
the `forecast-series` loaders (CSV, Parquet, or a SQLite table)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from forecaster.series.http import SourceError
from forecaster.series.observations import Observations
from forecaster.settings import Settings
from forecaster.timeseries.loading import columns_of, read_table


def fetch_file(series_id: str, before: dt.date, settings: Settings) -> Observations:
    """The series `series_id` of the configured file, dated before `before`."""
    path = settings.series.file
    if path is None:
        raise SourceError("file: no series file configured (series.file)")
    frame, _ = read_table(path, settings.series.table)
    columns = columns_of(settings.timeseries)
    missing = [c for c in (columns.id, columns.timestamp, columns.target) if c not in frame.columns]
    if missing:
        raise SourceError(f"file: {path} lacks column(s) {missing}")
    rows = frame[frame[columns.id].astype(str) == series_id]
    if rows.empty:
        raise SourceError(f"file: no series {series_id!r} in {path}")
    days = pd.to_datetime(rows[columns.timestamp], errors="coerce")
    values = pd.to_numeric(rows[columns.target], errors="coerce")
    if days.isna().any():
        raise SourceError(f"file: series {series_id!r} in {path} has a timestamp that is not a date")
    pairs = zip((d.date() for d in days), (None if pd.isna(v) else float(v) for v in values))
    return Observations.of(pairs).before(before)
