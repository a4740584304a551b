"""Scoring's tables: how questions resolved, market probabilities, and each evaluation's scores table.

A question has one resolution: recording it again replaces it (a correction). A question a platform annulled
(Metaculus annulled/ambiguous, Manifold MKT/CANCEL) is recorded void instead, in its own table: a void replaces a
yes/no resolution and the other way round, and `resolutions()` never returns a void, so nothing scores one. A market probability is kept per
(question, as_of) date. A scores table is kept per evaluation, replaced as a whole when re-run. Each call writes in
one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from forecaster.db import Closing, apply_schema, open_database
from forecaster.scoring.bootstrap import Interval
from forecaster.scoring.resolutions import MarketProbability, Resolution, Void, read_resolutions_file
from forecaster.scoring.scores import ScoreRow

SCORE_COLUMNS = (
    "scope", "kind", "name", "n", "brier", "brier_ci_low", "brier_ci_high", "log", "log_ci_low", "log_ci_high",
    "brier_reliability", "brier_resolution", "brier_uncertainty",
    "log_reliability", "log_resolution", "log_uncertainty",
)
_SCORE_TYPES = {"scope": "TEXT", "kind": "TEXT", "name": "TEXT", "n": "INTEGER"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS resolutions (
    question_id TEXT PRIMARY KEY,
    outcome INTEGER NOT NULL CHECK (outcome IN (0, 1)),
    resolution_date TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS market_probabilities (
    question_id TEXT NOT NULL,
    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    as_of TEXT NOT NULL,
    PRIMARY KEY (question_id, as_of)
);
-- Added after the first release: CREATE IF NOT EXISTS upgrades a database written before it.
CREATE TABLE IF NOT EXISTS voided_questions (
    question_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    resolution_date TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
    evaluation_id TEXT NOT NULL,
    %s,
    PRIMARY KEY (evaluation_id, scope, name)
);
""" % ",\n    ".join(f"{c} {_SCORE_TYPES.get(c, 'REAL')} NOT NULL" for c in SCORE_COLUMNS)


class ScoringStore(Closing):
    """Reads and writes resolutions, market probabilities and scores tables."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def save(self, resolutions: Iterable[Resolution], market_probabilities: Iterable[MarketProbability] = (),
             voids: Iterable[Void] = ()) -> tuple[int, int]:
        """Record resolutions, market probabilities and voids in one transaction; how many resolutions and
        market probabilities."""
        res_rows = [(r.question_id, r.outcome, r.resolution_date.isoformat(), r.source) for r in resolutions]
        market_rows = [(m.question_id, m.probability, m.as_of.isoformat()) for m in market_probabilities]
        void_rows = [(v.question_id, v.reason, v.resolution_date.isoformat(), v.source) for v in voids]
        with self.db.conn:
            # A question is resolved or void, never both: the later record replaces the other.
            self.db.conn.executemany("DELETE FROM voided_questions WHERE question_id = ?", [r[:1] for r in res_rows])
            self.db.conn.executemany("DELETE FROM resolutions WHERE question_id = ?", [v[:1] for v in void_rows])
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO voided_questions (question_id, reason, resolution_date, source)"
                " VALUES (?, ?, ?, ?)", void_rows)
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO resolutions (question_id, outcome, resolution_date, source)"
                " VALUES (?, ?, ?, ?)", res_rows)
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO market_probabilities (question_id, probability, as_of) VALUES (?, ?, ?)",
                market_rows)
        return len(res_rows), len(market_rows)

    def import_file(self, path: str | Path) -> tuple[int, int]:
        """Validate a whole resolutions file, then record it; on any error nothing is written."""
        parsed = read_resolutions_file(path)
        return self.save(parsed.resolutions, parsed.market_probabilities)

    def resolutions(self) -> dict[str, Resolution]:
        """Every recorded resolution by question id."""
        rows = self.db.execute("SELECT question_id, outcome, resolution_date, source FROM resolutions").fetchall()
        return {q: Resolution(q, int(o), date.fromisoformat(d), s) for q, o, d, s in rows}

    def voids(self) -> dict[str, Void]:
        """Every question recorded void (annulled on its platform), by question id: never scored."""
        rows = self.db.execute("SELECT question_id, reason, resolution_date, source FROM voided_questions").fetchall()
        return {q: Void(q, r, date.fromisoformat(d), s) for q, r, d, s in rows}

    def market_probabilities(self, as_of: date | None = None) -> dict[str, float]:
        """Each question's latest market probability (the latest on or before `as_of` when given)."""
        sql, params = "SELECT question_id, probability FROM market_probabilities", []
        if as_of is not None:
            sql, params = sql + " WHERE as_of <= ?", [as_of.isoformat()]
        # Ordered by date, later rows overwrite earlier ones: each question keeps its latest.
        return {qid: float(p) for qid, p in self.db.execute(sql + " ORDER BY as_of", params).fetchall()}

    def save_scores(self, evaluation_id: str, table: Sequence[ScoreRow]) -> int:
        """Store an evaluation's scores, replacing any earlier table of the same id, in one transaction."""
        if not evaluation_id:
            raise ValueError("evaluation_id must be non-empty")
        records = [row.as_record() for row in table]
        marks = ", ".join("?" * (len(SCORE_COLUMNS) + 1))
        with self.db.conn:
            self.db.conn.execute("DELETE FROM scores WHERE evaluation_id = ?", (evaluation_id,))
            self.db.conn.executemany(
                f"INSERT INTO scores (evaluation_id, {', '.join(SCORE_COLUMNS)}) VALUES ({marks})",
                [(evaluation_id, *(r[c] for c in SCORE_COLUMNS)) for r in records])
        return len(records)

    def scores(self, evaluation_id: str) -> list[ScoreRow]:
        """An evaluation's scores table, in the order it was saved."""
        cursor = self.db.execute(
            f"SELECT {', '.join(SCORE_COLUMNS)} FROM scores WHERE evaluation_id = ? ORDER BY rowid", (evaluation_id,))
        out = []
        for values in cursor.fetchall():
            r = dict(zip(SCORE_COLUMNS, values))
            r["brier_ci"] = Interval(r.pop("brier_ci_low"), r.pop("brier_ci_high"))
            r["log_ci"] = Interval(r.pop("log_ci_low"), r.pop("log_ci_high"))
            out.append(ScoreRow(**{f.name: r[f.name] for f in fields(ScoreRow)}))
        return out
