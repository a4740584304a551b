"""Sharded question sets: split a set into shards, find what a shard still owes, merge the stored results.

Plain Python over the event store; the parent flow (flows/sharded.py) adds Prefect around it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from forecaster.errors import InputError
from forecaster.events.questions import Question


@dataclass
class Shard:
    """One slice of the set; `attempts` counts the child runs started for it, `flow_run_ids` all of them."""

    index: int
    questions: list[Question]
    attempts: int = 0
    flow_run_ids: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"shard {self.index + 1}"


def split_into_shards(questions: Sequence[Question], shards: int) -> list[Shard]:
    """Contiguous slices of near-equal size (sizes differ by at most one), in the set's order; never empty.

    Asking for more shards than questions gives one shard per question.
    """
    if shards < 1:
        raise InputError(f"--shards: must be at least 1, got {shards}")
    if not questions:
        raise InputError("questions: the set is empty; nothing to shard")
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        # Each question is forecast and stored exactly once per set: a repeated id would be forecast twice.
        raise InputError(f"questions: duplicate id(s) {duplicates}; each question may appear once in a set")
    count = min(shards, len(questions))
    size, extra = divmod(len(questions), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(Shard(index, list(questions[start:end])))
        start = end
    return out


def question_records(questions: Iterable[Question]) -> list[dict[str, Any]]:
    """The questions as plain records the events flow accepts as its `questions` parameter (no empty fields)."""
    records = []
    for q in questions:
        record = {"id": q.id, "question": q.text, "background": q.background,
                  "resolution_criteria": q.resolution_criteria, "source": q.source,
                  "resolution_date": q.resolution_date.isoformat() if q.resolution_date else None,
                  "forecast_date": q.forecast_date.isoformat() if q.forecast_date else None}
        records.append({k: v for k, v in record.items() if v not in (None, "")})
    return records


def stored_question_ids(database: str | Path, flow_run_ids: Sequence[str]) -> set[str]:
    """Questions already stored by any of these flow runs (a question is stored with its context row, in the
    same transaction as its forecasts, so a row here means the whole question is there)."""
    if not flow_run_ids or not Path(database).is_file():
        return set()
    from forecaster.db import open_database

    marks = ", ".join("?" for _ in flow_run_ids)
    db = open_database(database)
    try:
        rows = db.execute(
            "SELECT DISTINCT c.question_id FROM question_context c JOIN runs r ON r.id = c.run_id"
            f" WHERE r.flow_run_id IN ({marks})", list(flow_run_ids)).fetchall()
    finally:
        db.conn.close()
    return {row[0] for row in rows}


def remaining(shard: Shard, stored: set[str]) -> list[Question]:
    """The shard's questions not yet stored, in order: what a rerun of the shard forecasts."""
    return [q for q in shard.questions if q.id not in stored]


def merged_summaries(database: str | Path, questions: Sequence[Question],
                     flow_run_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One summary per question of the set, in the set's order, read back from what the shards stored.

    Same record shape as `forecaster.events.rendering.summary`; a question no shard stored gets a failed row.
    """
    from forecaster.db import open_database

    marks = ", ".join("?" for _ in flow_run_ids) or "NULL"
    db = open_database(database)
    try:
        runs = {r[0] for r in db.execute(f"SELECT id FROM runs WHERE flow_run_id IN ({marks})",
                                         list(flow_run_ids)).fetchall()}
        return [_summary(db, q, runs) for q in questions]
    finally:
        db.conn.close()


def _summary(db: Any, q: Question, runs: set[str]) -> dict[str, Any]:
    """The question's latest stored result among the set's runs."""
    context = [r for r in db.execute("SELECT run_id, passages, failures FROM question_context WHERE question_id = ?",
                                     [q.id]).fetchall() if r[0] in runs]
    base = {"run_id": None, "question_id": q.id, "question": q.text, "ensemble": None, "method": None,
            "failures": ["not stored by any shard"], "agents": {}, "low_mass": [], "context": [],
            "retrieval_failures": []}
    if not context:
        return base
    run_id, passages, failures = context[-1]
    ensemble = db.execute("SELECT probability, method FROM ensemble_forecasts WHERE run_id = ? AND question_id = ?",
                          [run_id, q.id]).fetchone()
    agents = db.execute("SELECT agent, probability, low_mass FROM agent_forecasts WHERE run_id = ? AND question_id = ?"
                        " ORDER BY id", [run_id, q.id]).fetchall()
    failed = db.execute("SELECT agent, reason FROM question_failures WHERE run_id = ? AND question_id = ?"
                        " ORDER BY agent", [run_id, q.id]).fetchall()
    return {**base, "run_id": run_id, "ensemble": ensemble[0] if ensemble else None,
            "method": ensemble[1] if ensemble else None, "failures": [f"{a}: {r}" for a, r in failed],
            "agents": {a: p for a, p, _ in agents}, "low_mass": [a for a, _, low in agents if low],
            "context": [p["title"] for p in json.loads(passages)],
            "retrieval_failures": [f"{f['source']}: {f['reason']}" for f in json.loads(failures)]}
