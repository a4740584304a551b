"""Sharded question sets: split a set into shards, find what a shard still owes, merge the stored results.

Plain Python over the event store; the parent flow (flows/sharded.py) adds Prefect around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from forecaster.errors import InputError
from forecaster.events.questions import Question

if TYPE_CHECKING:
    from forecaster.events.store import ForecastStore


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
    """The questions as plain records the events flow accepts as its `questions` parameter (no empty fields):
    every field the door reads, a question's type and range included."""
    return [q.door_record() for q in questions]


def stored_question_ids(database: str | Path, flow_run_ids: Sequence[str]) -> set[str]:
    """Questions already stored by any of these flow runs (a question is stored with its context row, in the
    same transaction as its forecasts, so a row there means the whole question is there)."""
    if not flow_run_ids or not Path(database).is_file():
        return set()
    from forecaster.events.store import ForecastStore

    with ForecastStore(database) as store:
        return store.questions_stored_by(store.runs_of_flow_runs(flow_run_ids))


def remaining(shard: Shard, stored: set[str]) -> list[Question]:
    """The shard's questions not yet stored, in order: what a rerun of the shard forecasts."""
    return [q for q in shard.questions if q.id not in stored]


def merged_summaries(database: str | Path, questions: Sequence[Question],
                     flow_run_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One summary per question of the set, in the set's order, read back from what the shards stored.

    Same record shape as `forecaster.events.rendering.summary`; a question no shard stored gets a failed row.
    """
    from forecaster.events.store import ForecastStore

    with ForecastStore(database) as store:
        runs = store.runs_of_flow_runs(flow_run_ids)
        return [_summary(store, q, runs) for q in questions]


def _summary(store: ForecastStore, q: Question, runs: set[str]) -> dict[str, Any]:
    """The question's latest stored result among the set's runs."""
    from forecaster.events.rendering import stored_summary

    stored_by = [run_id for run_id in store.contexts(q.id) if run_id in runs]
    if not stored_by:
        return {"run_id": None, "question_id": q.id, "question": q.text, "ensemble": None, "method": None,
                "failures": ["not stored by any shard"], "agents": {}, "low_mass": [], "context": [],
                "retrieval_failures": []}
    return stored_summary(store, stored_by[-1], q.id)
