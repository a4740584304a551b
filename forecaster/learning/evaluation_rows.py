"""What an evaluation scores: one run's stored agent forecasts of resolved questions, turned into scoring rows for
every agent, every ensemble method and the learned (out-of-fold) ensembles, plus the market as of each question's
forecast date."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

from forecaster.events.ensemble import METHODS, combine_with_settings, plain_method
from forecaster.errors import InputError
from forecaster.events.questions import Question
from forecaster.events.store import ForecastStore
from forecaster.scoring.resolutions import Resolution
from forecaster.learning.learned_rows import learned_ensemble_rows
from forecaster.scoring.scores import ForecastRow, Kind
from forecaster.scoring.store import ScoringStore
from forecaster.settings import EnsembleSettings


@dataclass(frozen=True)
class StoredForecast:
    """One agent's stored forecast of one question in one run."""

    question_id: str
    agent: str
    probability: float
    weight: float
    as_of: dt.date


@dataclass(frozen=True)
class ResolvedSet:
    """The questions of a file split into those with a recorded outcome and those without."""

    resolved: list[Question]
    unresolved: list[str]


def file_has_outcomes(path: str | Path) -> bool:
    """Whether a JSONL questions file carries outcomes (then it is also imported as a resolutions file)."""
    path = Path(path)
    if path.suffix.lower() != ".jsonl":
        return False
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue  # the resolutions reader reports it with file and line
        if isinstance(record, dict) and "outcome" in record:
            return True
    return False


def split_resolved(questions: Sequence[Question], resolutions: Mapping[str, Resolution]) -> ResolvedSet:
    """Resolved questions (each must have a forecast_date to be forecast as of) and the ids of the others."""
    resolved, unresolved = [], []
    for q in questions:
        if q.id not in resolutions:
            unresolved.append(q.id)
            continue
        if q.forecast_date is None:
            raise InputError(f"question {q.id!r}: field 'forecast_date' is required for evaluation "
                             "(each question is forecast as of that date, so no later knowledge leaks in)")
        resolved.append(q)
    return ResolvedSet(resolved, unresolved)


def run_forecasts(store: ForecastStore, run_id: str) -> list[StoredForecast]:
    """Every agent forecast stored by one run, in question and agent order."""
    return [StoredForecast(r["question_id"], r["agent"], float(r["probability"]), float(r["weight"]),
                           dt.date.fromisoformat(r["as_of"])) for r in store.run_agent_forecasts(run_id)]


def market_as_of(store: ScoringStore, questions: Sequence[Question]) -> dict[str, float]:
    """Each question's latest recorded market probability on or before its forecast date."""
    by_day: dict[dt.date | None, list[str]] = {}
    for q in questions:
        by_day.setdefault(q.forecast_date, []).append(q.id)
    market = {}
    for day, ids in by_day.items():
        # One read per forecast date; a question without one takes the latest probability.
        known = store.market_probabilities(as_of=day)
        market.update({qid: known[qid] for qid in ids if qid in known})
    return market


def _row(q: Question, resolution: Resolution, name: str, probability: float, kind: Kind,
         as_of: dt.date) -> ForecastRow:
    return ForecastRow(q.id, q.source, name, probability, resolution.outcome, resolution.resolution_date,
                       kind, as_of)


def _by_question(forecasts: Sequence[StoredForecast]) -> dict[str, list[StoredForecast]]:
    grouped: dict[str, list[StoredForecast]] = {}
    for f in forecasts:
        grouped.setdefault(f.question_id, []).append(f)
    return grouped


def agent_and_ensemble_rows(
    forecasts: Sequence[StoredForecast],
    questions: Sequence[Question],
    resolutions: Mapping[str, Resolution],
    ensemble: EnsembleSettings,
) -> list[ForecastRow]:
    """A row per agent and per ensemble method (pooled with the agents' weights) for each resolved question."""
    grouped = _by_question(forecasts)
    rows: list[ForecastRow] = []
    for q in questions:
        members = grouped.get(q.id, [])
        if not members or q.id not in resolutions:
            continue
        resolution, as_of = resolutions[q.id], members[0].as_of
        rows += [_row(q, resolution, f.agent, f.probability, "agent", as_of) for f in members]
        probs, weights = [f.probability for f in members], [f.weight for f in members]
        for method in METHODS:
            p = combine_with_settings(probs, ensemble, method, weights)
            rows.append(_row(q, resolution, method, p, "ensemble", as_of))
    return rows


def evaluation_rows(
    forecasts: Sequence[StoredForecast],
    questions: Sequence[Question],
    resolutions: Mapping[str, Resolution],
    ensemble: EnsembleSettings,
    learned_split: Literal["kfold", "time"] = "kfold",
    n_folds: int = 5,
    seed: int = 0,
) -> list[ForecastRow]:
    """Agent and ensemble rows, plus Platt / extremized / score-weighted rows on the configured method, each
    question's value fitted only on other questions (or on earlier-resolved ones for the time split)."""
    rows = agent_and_ensemble_rows(forecasts, questions, resolutions, ensemble)
    if not rows:
        raise InputError("no stored forecast of a resolved question in this run: nothing to score")
    return rows + learned_ensemble_rows(rows, plain_method(ensemble), learned_split, n_folds, seed)
