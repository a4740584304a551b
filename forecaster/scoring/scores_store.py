"""The `scores` table: a scores table kept per evaluation, replaced as a whole when re-run."""

from __future__ import annotations

from dataclasses import fields
from typing import Sequence

import sqlite_utils

from forecaster.scoring.bootstrap import Interval
from forecaster.scoring.scores import ScoreRow

SCORES = "scores"
_COLUMNS = [
    "scope", "kind", "name", "n", "brier", "brier_ci_low", "brier_ci_high", "log", "log_ci_low", "log_ci_high",
    "brier_reliability", "brier_resolution", "brier_uncertainty",
    "log_reliability", "log_resolution", "log_uncertainty",
]


def ensure_table(db: sqlite_utils.Database) -> None:
    """Create the scores table if it does not exist."""
    columns = ",\n            ".join(
        f"{c} {'TEXT' if c in ('scope', 'kind', 'name') else 'INTEGER' if c == 'n' else 'REAL'} NOT NULL"
        for c in _COLUMNS
    )
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {SCORES} (
            evaluation_id TEXT NOT NULL,
            {columns},
            PRIMARY KEY (evaluation_id, scope, name)
        )"""
    )


def save_scores(db: sqlite_utils.Database, evaluation_id: str, table: Sequence[ScoreRow]) -> int:
    """Store an evaluation's scores, replacing any earlier table of the same id, in one transaction."""
    if not evaluation_id:
        raise ValueError("evaluation_id must be non-empty")
    ensure_table(db)
    records = [row.as_record() for row in table]
    placeholders = ", ".join("?" * (len(_COLUMNS) + 1))
    with db.conn:
        db.conn.execute(f"DELETE FROM {SCORES} WHERE evaluation_id = ?", (evaluation_id,))
        db.conn.executemany(
            f"INSERT INTO {SCORES} (evaluation_id, {', '.join(_COLUMNS)}) VALUES ({placeholders})",
            [(evaluation_id, *(r[c] for c in _COLUMNS)) for r in records],
        )
    return len(records)


def load_scores(db: sqlite_utils.Database, evaluation_id: str) -> list[ScoreRow]:
    """An evaluation's scores table, in the order it was saved."""
    ensure_table(db)
    cursor = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM {SCORES} WHERE evaluation_id = ? ORDER BY rowid", (evaluation_id,)
    )
    out = []
    for values in cursor.fetchall():
        r = dict(zip(_COLUMNS, values))
        r["brier_ci"] = Interval(r.pop("brier_ci_low"), r.pop("brier_ci_high"))
        r["log_ci"] = Interval(r.pop("log_ci_low"), r.pop("log_ci_high"))
        out.append(ScoreRow(**{f.name: r[f.name] for f in fields(ScoreRow)}))
    return out
