"""A stored run seen as a ForecastBench round: its forecasts by ForecastBench id, and the submission they make.

The run's questions that came from a ForecastBench set (stored id `fb-...`, a ForecastBench source, the set's
name) are the round; a run holding none of them, or questions of two sets, is refused. A question the run stored
without a forecast (every agent failed) is a gap: left out of the submission and counted, since ForecastBench
fills a gap with 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from forecaster.errors import InputError
from forecaster.events.store import ForecastStore
from forecaster.feeds.forecastbench import DATASET_SOURCES, MARKET_SOURCES
from forecaster.feeds.forecastbench_questions import ID_PREFIX
from forecaster.feeds.forecastbench_submission import Submission, SubmittedForecast
from forecaster.names import NOT_AGENTS

MAX_REASONING_CHARS = 4_000


@dataclass(frozen=True)
class RoundForecast:
    """The run's forecast of one ForecastBench row (None where the run could not make it)."""

    id: str  # the ForecastBench id
    source: str
    resolution_date: date | None  # None on market rows
    probability: float | None
    freeze_value: float | None  # the crowd's forecast at the freeze date (market rows)
    question_id: str  # the stored question
    reasoning: str | None = None

    @property
    def is_market(self) -> bool:
        return self.source in MARKET_SOURCES

    @property
    def key(self) -> tuple[str, str, date | None]:
        return self.source, self.id, self.resolution_date


@dataclass(frozen=True)
class RunRound:
    """A run's forecasts of one ForecastBench set."""

    run_id: str
    question_set: str
    due_date: date
    forecasts: list[RoundForecast]
    other_questions: int  # questions of the run that are not from a ForecastBench set
    models: tuple[str, ...] = ()

    @property
    def gaps(self) -> list[RoundForecast]:
        return [f for f in self.forecasts if f.probability is None]


def read_run_round(store: ForecastStore, run_id: str) -> RunRound:
    """The run's ForecastBench forecasts; InputError when it holds none or holds two sets'."""
    rows = store.run_questions(run_id)
    ours = [r for r in rows if _is_round_question(r)]
    if not ours:
        raise InputError(f"run {run_id}: holds no ForecastBench questions (forecast a set with "
                         "`forecaster forecast --questions SET.json` first)")
    sets = sorted({r["question_set"] for r in ours})
    if len(sets) > 1:
        raise InputError(f"run {run_id}: holds questions of {len(sets)} ForecastBench sets ({', '.join(sets)}); "
                         "a submission is for one set")
    agents = store.run_agent_reasoning(run_id)
    forecasts = [_round_forecast(r, agents.get(r["id"], [])) for r in ours]
    # The crowd member (a question's market value) is no model of ours.
    models = tuple(sorted({a["model"] for rows in agents.values() for a in rows if a["agent"] not in NOT_AGENTS}))
    return RunRound(run_id, sets[0], date.fromisoformat(ours[0]["forecast_date"]), forecasts,
                    len(rows) - len(ours), models)


def round_submission(run_round: RunRound, organization: str, model: str,
                     model_organization: str | None = None) -> Submission:
    """The submission of the run's forecasts (gaps left out)."""
    rows = [SubmittedForecast(f.id, f.source, f.probability, f.resolution_date, f.reasoning)
            for f in run_round.forecasts if f.probability is not None]
    if not rows:
        raise InputError(f"run {run_round.run_id}: made no forecast of set {run_round.question_set}; "
                         "nothing to submit")
    return Submission(organization, model, model_organization or organization, run_round.question_set, rows)


def _is_round_question(row: dict[str, Any]) -> bool:
    return (str(row["id"]).startswith(ID_PREFIX) and row["source"] in MARKET_SOURCES | DATASET_SOURCES
            and bool(row["question_set"]) and bool(row["external_id"]) and bool(row["forecast_date"]))


def _round_forecast(row: dict[str, Any], agents: list[dict[str, Any]]) -> RoundForecast:
    market = row["source"] in MARKET_SOURCES
    return RoundForecast(
        id=row["external_id"], source=row["source"],
        resolution_date=None if market or not row["resolution_date"] else date.fromisoformat(row["resolution_date"]),
        probability=None if row["probability"] is None else float(row["probability"]),
        freeze_value=row["market_probability"] if market else None, question_id=row["id"],
        reasoning=_reasoning(row, agents))


def _reasoning(row: dict[str, Any], agents: list[dict[str, Any]]) -> str | None:
    """What the agents wrote, or else how the ensemble came about (ForecastBench keeps it beside the number)."""
    if row["probability"] is None:
        return None
    # The reasoning model writes one text per question that every agent reads: each text once.
    written = list(dict.fromkeys(a["reasoning"].strip() for a in agents if (a["reasoning"] or "").strip()))
    if written:
        return "\n\n".join(written)[:MAX_REASONING_CHARS]
    parts = ", ".join(f"{a['agent']} {a['probability']:.3f}" for a in agents)
    return f"ensemble ({row['method']}) {row['probability']:.3f} of agents {parts}" if parts else None
