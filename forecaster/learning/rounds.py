"""Learning rows from published rounds: a ForecastBench question set joined with its resolution set, and the
agents' forecasts of that set from a stored run (optional)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from forecaster.errors import InputError
from forecaster.events.store import ForecastStore
from forecaster.feeds.forecastbench import (
    MARKET_SOURCES,
    QuestionSet,
    ResolutionSet,
    read_question_set,
    read_resolution_set,
)
from forecaster.learning.rows import LearningRow
from forecaster.names import CROWD

# A forecast target: (ForecastBench id, resolution date), the date None on market questions.
Key = tuple[str, dt.date | None]


@dataclass(frozen=True)
class Round:
    """One round's learning rows and how many resolutions found no question (or were void)."""

    name: str
    due_date: dt.date
    rows: list[LearningRow]
    unmatched: int
    void: int


def round_rows(questions: QuestionSet, resolutions: ResolutionSet,
               agents: Mapping[Key, Mapping[str, float]] | None = None) -> Round:
    """Each scored resolution of the round with its question's crowd value, horizon and agents' forecasts."""
    if resolutions.due_date != questions.due_date:
        raise InputError(f"resolution set of {resolutions.due_date} does not belong to question set "
                         f"{questions.name} (due {questions.due_date})")
    by_key = {(q.id, None if q.is_market else q.resolution_date): q for q in questions.questions}
    rows, unmatched, void = [], 0, 0
    for r in resolutions.resolutions:
        if r.void:
            void += 1
            continue
        key = (r.id, None if r.is_market else r.resolution_date)
        q = by_key.get(key)
        if q is None:
            unmatched += 1
            continue
        rows.append(LearningRow(questions.name, questions.due_date, r.id, r.source, q.horizon_days,
                                float(r.resolved_to), r.resolution_date,
                                crowd=q.freeze_value if q.is_market else None,
                                agents=dict((agents or {}).get(key, {}))))
    return Round(questions.name, questions.due_date, rows, unmatched, void)


def read_round(questions_file: str | Path, resolutions_file: str | Path,
               agents: Mapping[Key, Mapping[str, float]] | None = None) -> Round:
    return round_rows(read_question_set(questions_file), read_resolution_set(resolutions_file), agents)


def stored_run_members(store: ForecastStore, run_id: str) -> dict[Key, dict[str, float]]:
    """The agents' forecasts a stored run made of a round's questions, by forecast target (the crowd left out:
    it comes from the question set itself)."""
    if store.run(run_id) is None:
        raise InputError(f"--run: no stored run {run_id!r}")
    members: dict[Key, dict[str, float]] = {}
    questions: dict[str, dict | None] = {}
    for f in store.run_agent_forecasts(run_id):
        if f["agent"] == CROWD:
            continue
        q = questions.setdefault(f["question_id"], store.question(f["question_id"]))
        if not q or not q.get("external_id"):
            continue
        when = None if q.get("source") in MARKET_SOURCES else q.get("resolution_date")
        key = (q["external_id"], dt.date.fromisoformat(when) if when else None)
        members.setdefault(key, {})[f["agent"]] = float(f["probability"])
    return members
