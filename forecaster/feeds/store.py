"""The feeds' table: every post made to a platform (question, run, body, the platform's answer, time).

Bodies and answers are stored as JSON; request headers (where a token travels) never are. A (platform, kind, run,
question) accepted once is not posted again: `accepted` says which.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterable

from forecaster.db import Closing, apply_schema, open_database
from forecaster.feeds.records import ACCEPTED, Submission

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    run_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'refused', 'failed')),
    answer TEXT,
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_run ON submissions (platform, run_id, kind, question_id);
"""
COLUMNS = ("platform", "kind", "run_id", "question_id", "external_id", "body", "status", "answer", "error",
           "created_at")


class FeedStore(Closing):
    """Reads and writes the submissions table."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    def record(self, submissions: Iterable[Submission]) -> int:
        """Record posts in one transaction (each stamped now unless it carries its time); how many."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        rows = [(s.platform, s.kind, s.run_id, s.question_id, s.external_id, json.dumps(s.body),
                 s.status, None if s.answer is None else json.dumps(s.answer), s.error, s.created_at or now)
                for s in submissions]
        with self.db.conn:
            self.db.conn.executemany(
                f"INSERT INTO submissions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        return len(rows)

    def accepted(self, platform: str, kind: str, run_id: str) -> set[str]:
        """The questions of the run whose post of this kind the platform accepted."""
        rows = self.db.execute(
            "SELECT DISTINCT question_id FROM submissions WHERE platform = ? AND kind = ? AND run_id = ?"
            " AND status = ?", [platform, kind, run_id, ACCEPTED]).fetchall()
        return {r[0] for r in rows}

    def submissions(self, run_id: str | None = None) -> list[Submission]:
        """Every recorded post (of one run when given), oldest first, bodies and answers decoded."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM submissions"
        params: list[str] = []
        if run_id is not None:
            sql, params = sql + " WHERE run_id = ?", [run_id]
        out = []
        for row in self.db.execute(sql + " ORDER BY id", params).fetchall():
            record = dict(zip(COLUMNS, row))
            record["body"] = json.loads(record["body"])
            record["answer"] = None if record["answer"] is None else json.loads(record["answer"])
            out.append(Submission(**record))
        return out
