"""Scores of a run's typed forecasts on the typed questions that resolved: the ensemble and each agent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecaster.events.store import ForecastStore
from forecaster.events.typed.fields import MULTIPLE_CHOICE
from forecaster.events.typed.outcome import outcome_place
from forecaster.events.typed_store import question_from_row, typed_history
from forecaster.scoring.typed_outcomes import TypedOutcomes
from forecaster.scoring.typed_scores import bin_log, choice_brier, choice_log, crps


@dataclass(frozen=True)
class TypedScore:
    """One member's scores on one question: Brier and log (multiple choice), or CRPS and bin log (the rest)."""

    question_id: str
    type: str
    member: str
    outcome: str
    first: float
    log: float

    def line(self) -> str:
        name = "brier" if self.type == MULTIPLE_CHOICE else "crps"
        return (f"{self.question_id:<24} {self.type:<16} {self.member:<16} outcome {self.outcome:<20} "
                f"{name} {self.first:.4f}  log {self.log:.4f}")


def run_typed_scores(database: str | Path, run_id: str) -> list[TypedScore]:
    """Every member's score on each resolved typed question the run forecast."""
    with TypedOutcomes(database) as outcomes:
        resolved = outcomes.all()
    scores = []
    with ForecastStore(database) as store:
        for question_id, resolution in resolved.items():
            row = store.question(question_id)
            if row is None:
                continue
            question = question_from_row(row)
            place = outcome_place(question, resolution.outcome)
            for typed in (r for r in typed_history(store.db, question_id) if r["run_id"] == run_id):
                scores.append(score_one(question, typed["member"], resolution.outcome, place, typed["values"]))
    return scores


def score_one(question, member: str, outcome: str, place: int | float, values: list[float]) -> TypedScore:
    if question.type == MULTIPLE_CHOICE:
        return TypedScore(question.id, question.type, member, outcome, choice_brier(values, int(place)),
                          choice_log(values, int(place)))
    return TypedScore(question.id, question.type, member, outcome, crps(values, place), bin_log(values, place))
