"""Forecast records built from plain numbers, for store and report tests that need no model."""

from __future__ import annotations

import datetime as dt

from forecaster.events.agents import AgentForecast
from forecaster.llm.distribution import Distribution
from forecaster.events.ensemble import EnsembleForecast, ensemble_forecast
from forecaster.events.questions import Question
from forecaster.settings import EnsembleSettings
from forecaster.events.store import QuestionResult


def agent_forecast(question_id: str, agent: str, peak: int) -> AgentForecast:
    probs = [0.0] * 101
    probs[peak] = 1.0
    return agent_forecast_of(question_id, agent, probs)


def agent_forecast_of(question_id: str, agent: str, probs: list[float]) -> AgentForecast:
    """An agent forecast of a given distribution over 0..100, its summary numbers computed by Distribution."""
    dist = Distribution(tuple(probs))
    return AgentForecast(question_id, agent, "smollm2-135m", "plain", 1.0, dist.probs, dist.mean, dist.median,
                         dist.mode, dist.entropy_bits, 0.2, False, "prompt text")


def question_result(question_id: str = "q-1", peaks: tuple[int, ...] = (20, 40)) -> QuestionResult:
    forecasts = tuple(agent_forecast(question_id, f"agent-{i}", p) for i, p in enumerate(peaks))
    return question_result_of(question_id, forecasts)


def question_result_of(question_id: str, forecasts: tuple[AgentForecast, ...]) -> QuestionResult:
    question = Question(question_id, f"Will {question_id} happen?", dt.date(2027, 6, 30))
    return QuestionResult(question, dt.date(2026, 11, 23), forecasts,
                          ensemble_forecast(question_id, forecasts, EnsembleSettings()))


def with_ensemble_probability(result: QuestionResult, probability: float) -> QuestionResult:
    e = result.ensemble
    return QuestionResult(result.question, result.as_of, result.agent_forecasts,
                          EnsembleForecast(e.question_id, e.method, probability, e.agents))


PLOT_QUESTION = {"id": "q-plot", "text": "Will a crewed spacecraft land on Mars by 2027-06-30?"}


def plot_rows(times: int) -> tuple[list[dict], list[dict]]:
    """Stored ensemble and agent rows of a question forecast `times` times, a week apart."""
    stamps = [(dt.datetime(2026, 1, 1) + dt.timedelta(days=7 * k)).isoformat() for k in range(times)]
    ensemble = [{"created_at": s, "probability": 0.3 + 0.1 * k} for k, s in enumerate(stamps)]
    peaked = [0.0] * 101
    peaked[30] = 1.0
    agents = [{"agent": a, "created_at": s, "probability": 0.3, "distribution": peaked}
              for s in stamps for a in ("a", "b")]
    return ensemble, agents
