"""How questions that are not yes/no resolved: an option, a number, a date (YYYY-MM-DD), above_upper_bound or
below_lower_bound, kept as text in the `typed_resolutions` table (one per question; a later record replaces it).
What the text means on the question's scale is the question's business (`forecaster.events.typed.outcome`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from forecaster.db import Closing, apply_schema, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS typed_resolutions (
    question_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    resolution_date TEXT NOT NULL,
    source TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class TypedResolution:
    question_id: str
    outcome: str
    resolution_date: date
    source: str


class TypedOutcomes(Closing):
    """Reads and writes typed resolutions."""

    def __init__(self, path: str | Path) -> None:
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def save(self, resolutions: list[TypedResolution]) -> None:
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO typed_resolutions (question_id, outcome, resolution_date, source)"
                " VALUES (?, ?, ?, ?)",
                [(r.question_id, r.outcome, r.resolution_date.isoformat(), r.source) for r in resolutions])

    def all(self) -> dict[str, TypedResolution]:
        rows = self.db.query("SELECT * FROM typed_resolutions ORDER BY question_id")
        return {r["question_id"]: TypedResolution(r["question_id"], r["outcome"],
                                                  date.fromisoformat(r["resolution_date"]), r["source"])
                for r in rows}
