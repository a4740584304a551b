"""The `series` member's forecasts with their quantiles, history and fan: the `series_forecasts` table.

The member's probability is also an agent forecast row (events' store); this table keeps what it was read from,
for `history` and the plot.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from forecaster.db import Closing, apply_schema, open_database
from forecaster.series.member import SeriesForecast

SCHEMA = """
CREATE TABLE IF NOT EXISTS series_forecasts (
    run_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    series_id TEXT NOT NULL,
    threshold REAL,
    model TEXT NOT NULL,
    due TEXT NOT NULL,
    resolution_date TEXT NOT NULL,
    reference REAL NOT NULL,
    reference_known INTEGER NOT NULL,
    reference_quantiles TEXT NOT NULL,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    levels TEXT NOT NULL,
    quantiles TEXT NOT NULL,
    history TEXT NOT NULL,
    fan TEXT NOT NULL,
    PRIMARY KEY (run_id, question_id)
);
CREATE INDEX IF NOT EXISTS series_forecasts_question ON series_forecasts (question_id, created_at);
"""


JSON_COLUMNS = ("levels", "quantiles", "reference_quantiles", "history", "fan")


class MemberStore(Closing):
    """Reads and writes the member's forecasts; a retried write replaces, never duplicates."""

    def __init__(self, path: str | Path) -> None:
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def save(self, run_id: str, f: SeriesForecast) -> None:
        fan = {"days": [d.isoformat() for d in f.fan_days], "quantiles": [list(r) for r in f.fan]}
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO series_forecasts (run_id, question_id, created_at, source, series_id,"
                " threshold, model, due, resolution_date, reference, reference_known, reference_quantiles, probability,"
                " levels, quantiles, history, fan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, f.question_id, dt.datetime.now(dt.timezone.utc).isoformat(), f.ref.source, f.ref.id,
                 f.ref.threshold, f.model, f.due.isoformat(), f.resolution_date.isoformat(), f.reference,
                 int(f.reference_known), json.dumps(list(f.reference_quantiles)), f.probability, json.dumps(list(f.levels)), json.dumps(list(f.quantiles)),
                 json.dumps(f.history.to_json()), json.dumps(fan)])

    def history(self, question_id: str) -> list[dict[str, Any]]:
        """The question's member forecasts, oldest first, JSON fields decoded."""
        rows = self.db.query("SELECT * FROM series_forecasts WHERE question_id = ? ORDER BY created_at",
                             [question_id])
        return [{**r, **{k: json.loads(r[k]) for k in JSON_COLUMNS}} for r in rows]

    def latest(self, question_id: str) -> dict[str, Any] | None:
        rows = self.history(question_id)
        return rows[-1] if rows else None
