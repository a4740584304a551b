"""The `resolutions` and `market_probabilities` tables of the project database.

A question has one resolution: recording it again replaces it (a correction). A market probability is kept per
(question, as_of) date. Each call writes in one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable

import sqlite_utils

from forecaster.resolutions import MarketProbability, Resolution, ResolutionsFile, read_resolutions_file

RESOLUTIONS = "resolutions"
MARKET_PROBABILITIES = "market_probabilities"


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create both tables if they do not exist."""
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {RESOLUTIONS} (
            question_id TEXT PRIMARY KEY,
            outcome INTEGER NOT NULL CHECK (outcome IN (0, 1)),
            resolution_date TEXT NOT NULL,
            source TEXT NOT NULL
        )"""
    )
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {MARKET_PROBABILITIES} (
            question_id TEXT NOT NULL,
            probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
            as_of TEXT NOT NULL,
            PRIMARY KEY (question_id, as_of)
        )"""
    )


def save(
    db: sqlite_utils.Database,
    resolutions: Iterable[Resolution],
    market_probabilities: Iterable[MarketProbability] = (),
) -> tuple[int, int]:
    """Record resolutions and market probabilities in one transaction; returns how many of each."""
    ensure_tables(db)
    res_rows = [(r.question_id, r.outcome, r.resolution_date.isoformat(), r.source) for r in resolutions]
    market_rows = [(m.question_id, m.probability, m.as_of.isoformat()) for m in market_probabilities]
    with db.conn:
        db.conn.executemany(
            f"INSERT OR REPLACE INTO {RESOLUTIONS} (question_id, outcome, resolution_date, source) VALUES (?, ?, ?, ?)",
            res_rows,
        )
        db.conn.executemany(
            f"INSERT OR REPLACE INTO {MARKET_PROBABILITIES} (question_id, probability, as_of) VALUES (?, ?, ?)",
            market_rows,
        )
    return len(res_rows), len(market_rows)


def import_file(db: sqlite_utils.Database, path: str | Path) -> tuple[int, int]:
    """Validate a whole resolutions file, then record it; on any error nothing is written."""
    parsed: ResolutionsFile = read_resolutions_file(path)
    return save(db, parsed.resolutions, parsed.market_probabilities)


def load_resolutions(db: sqlite_utils.Database) -> dict[str, Resolution]:
    """Every recorded resolution by question id."""
    ensure_tables(db)
    rows = db.execute(f"SELECT question_id, outcome, resolution_date, source FROM {RESOLUTIONS}").fetchall()
    return {q: Resolution(q, int(o), date.fromisoformat(d), s) for q, o, d, s in rows}


def load_market_probabilities(db: sqlite_utils.Database, as_of: date | None = None) -> dict[str, float]:
    """Each question's latest market probability (the latest on or before `as_of` when given)."""
    ensure_tables(db)
    sql = f"SELECT question_id, probability, as_of FROM {MARKET_PROBABILITIES}"
    params: tuple = ()
    if as_of is not None:
        sql += " WHERE as_of <= ?"
        params = (as_of.isoformat(),)
    latest: dict[str, tuple[str, float]] = {}
    for qid, probability, when in db.execute(sql + " ORDER BY as_of", params).fetchall():
        latest[qid] = (when, float(probability))
    return {qid: p for qid, (_, p) in latest.items()}
