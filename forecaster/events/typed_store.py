"""The `typed_forecasts` table: each member's (agents', the ensemble's) option vector or CDF for a question that
is not yes/no, written in the question's transaction (`ForecastStore.save_question`); and the questions table's
typed columns, read back into a `Question`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import TYPE_CHECKING, Any, Sequence

from forecaster.events.questions import Question
from forecaster.scoring.resolutions import parse_date

if TYPE_CHECKING:
    from forecaster.events.agents import AgentForecast
    from forecaster.events.ensemble import EnsembleForecast

ENSEMBLE = "ensemble"
TYPED_COLUMNS = (("type", "TEXT NOT NULL DEFAULT 'binary'"), ("options", "TEXT NOT NULL DEFAULT '[]'"),
                 ("range_min", "REAL"), ("range_max", "REAL"), ("open_lower_bound", "INTEGER NOT NULL DEFAULT 0"),
                 ("open_upper_bound", "INTEGER NOT NULL DEFAULT 0"), ("zero_point", "REAL"),
                 ("unit", "TEXT NOT NULL DEFAULT ''"), ("outcome_count", "INTEGER"))
SCHEMA = """
CREATE TABLE IF NOT EXISTS typed_forecasts (
    run_id TEXT NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    member TEXT NOT NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('choice', 'cdf')),
    method TEXT,
    "values" TEXT NOT NULL,
    PRIMARY KEY (run_id, question_id, member)
);
CREATE INDEX IF NOT EXISTS typed_forecasts_question ON typed_forecasts (question_id, created_at);
"""


def apply_typed_schema(db: Any) -> None:
    db.executescript(SCHEMA)


def save_typed(conn: sqlite3.Connection, run_id: str, question_id: str, as_of: dt.date, now: str,
               forecasts: Sequence["AgentForecast"], ensemble: "EnsembleForecast | None") -> None:
    """Replace the run's typed rows of the question (inside the caller's transaction)."""
    conn.execute("DELETE FROM typed_forecasts WHERE run_id = ? AND question_id = ?", [run_id, question_id])
    members = [(f.agent, None, f.typed) for f in forecasts]
    if ensemble is not None:
        members.append((ENSEMBLE, ensemble.method, ensemble.typed))
    for member, method, typed in members:
        if typed is not None:
            conn.execute(
                'INSERT INTO typed_forecasts (run_id, question_id, member, as_of, created_at, kind, method, "values")'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, question_id, member, as_of.isoformat(), now, typed.kind, method,
                 json.dumps(list(typed.values))])


def typed_history(db: Any, question_id: str) -> list[dict[str, Any]]:
    """Every typed row of the question, oldest first, values decoded."""
    rows = db.query('SELECT run_id, member, as_of, created_at, kind, method, "values" FROM typed_forecasts'
                    " WHERE question_id = ? ORDER BY created_at, member", [question_id])
    return [{**r, "values": json.loads(r["values"])} for r in rows]


def run_typed(db: Any, run_id: str) -> dict[str, list[float]]:
    """The run's ensemble values per question (only questions that are not yes/no)."""
    rows = db.query('SELECT question_id, "values" FROM typed_forecasts WHERE run_id = ? AND member = ?',
                    [run_id, ENSEMBLE])
    return {r["question_id"]: json.loads(r["values"]) for r in rows}


def question_from_row(row: dict[str, Any]) -> Question:
    """A stored question row as the record it was saved from."""
    date = lambda v: parse_date(v) if v else None  # noqa: E731
    return Question(
        id=row["id"], text=row["text"], background=row.get("background") or "",
        resolution_criteria=row.get("resolution_criteria") or "", resolution_date=date(row.get("resolution_date")),
        forecast_date=date(row.get("forecast_date")), source=row.get("source") or "user", url=row.get("url") or "",
        market_probability=row.get("market_probability"), external_id=row.get("external_id") or "",
        post_id=row.get("post_id") or "", question_set=row.get("question_set") or "",
        type=row.get("type") or "binary", options=tuple(json.loads(row.get("options") or "[]")),
        range_min=row.get("range_min"), range_max=row.get("range_max"),
        open_lower_bound=bool(row.get("open_lower_bound")), open_upper_bound=bool(row.get("open_upper_bound")),
        zero_point=row.get("zero_point"), unit=row.get("unit") or "", outcome_count=row.get("outcome_count"))
