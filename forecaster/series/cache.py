"""Fetched series kept in SQLite by (source, id, as-of): a question set asks about one series at eight horizons,
and a rerun of the same day asks again; neither fetches twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from forecaster.db import Closing, apply_schema, open_database
from forecaster.series.observations import Observations

SCHEMA = """
CREATE TABLE IF NOT EXISTS series_cache (
    source TEXT NOT NULL,
    series_id TEXT NOT NULL,
    as_of TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    observations TEXT NOT NULL,
    PRIMARY KEY (source, series_id, as_of)
);
"""


class SeriesCache(Closing):
    """The `series_cache` table: a series as fetched for one as-of day (everything dated before it)."""

    def __init__(self, path: str | Path) -> None:
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def get(self, source: str, series_id: str, as_of: dt.date) -> Observations | None:
        row = self.db.execute("SELECT observations FROM series_cache WHERE source = ? AND series_id = ? AND as_of = ?",
                              [source, series_id, as_of.isoformat()]).fetchone()
        return Observations.from_json(json.loads(row[0])) if row else None

    def put(self, source: str, series_id: str, as_of: dt.date, observations: Observations) -> None:
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO series_cache (source, series_id, as_of, fetched_at, observations)"
                " VALUES (?, ?, ?, ?, ?)",
                [source, series_id, as_of.isoformat(), dt.datetime.now(dt.timezone.utc).isoformat(),
                 json.dumps(observations.to_json())])
