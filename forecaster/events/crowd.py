"""The crowd as an ensemble member, and the pool that applies a learned combination to one question.

A question that carries a crowd forecast (`market_probability`: a market price, a community prediction) gets a
`crowd` member stored like an agent's forecast (so history, plots and scores show it); its distribution puts the
mass on the two whole percentages around the value, so its mean is the crowd's number exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Protocol, Sequence

from forecaster.events.agents import AgentForecast
from forecaster.llm.distribution import Distribution
from forecaster.events.ensemble import LEARNED, EnsembleForecast, ensemble_forecast
from forecaster.events.questions import Question
from forecaster.events.typed.fields import BINARY
from forecaster.events.typed.pooling import typed_ensemble
from forecaster.names import CROWD
from forecaster.settings import EnsembleSettings


class LearnedResult(Protocol):
    """A learned probability, or None with the note saying why the plain method is used instead."""

    @property
    def probability(self) -> float | None: ...

    @property
    def note(self) -> str | None: ...


class LearnedPool(Protocol):
    """The learned combination of one question's members; the flow passes down the learned file's."""

    def combine(self, source: str, horizon_days: int | None, crowd: float | None,
                agents: Mapping[str, float]) -> LearnedResult: ...


def crowd_forecast(question: Question, weight: float) -> AgentForecast | None:
    """The crowd member's forecast of the question, or None when the question carries no crowd forecast."""
    p = question.market_probability
    if p is None:
        return None
    dist = point_distribution(p)
    return AgentForecast(question.id, CROWD, CROWD, CROWD, weight, dist.probs, p, dist.median, dist.mode,
                         dist.entropy_bits, 1.0, False, prompt="")


def point_distribution(p: float) -> Distribution:
    """A 0..100 distribution whose mean is `p` exactly: the mass on the two whole percentages around it."""
    low = min(math.floor(100 * p), 99)
    probs = [0.0] * 101
    probs[low], probs[low + 1] = low + 1 - 100 * p, 100 * p - low
    return Distribution(tuple(probs))


def pooled(question: Question, day: dt.date, forecasts: Sequence[AgentForecast], settings: EnsembleSettings,
           method: str, combiner: LearnedPool | None = None) -> EnsembleForecast | None:
    """The question's ensemble: None without an agent forecast (the crowd alone is not our forecast)."""
    if not any(f.agent != CROWD for f in forecasts):
        return None
    if question.type != BINARY:
        return typed_ensemble(question, forecasts, settings, method)
    if method != LEARNED:
        return ensemble_forecast(question.id, forecasts, settings, method)
    if combiner is None:
        raise ValueError("ensemble.method 'learned' needs the learned file's combiner")
    horizon = (question.resolution_date - day).days if question.resolution_date else None
    agents = {f.agent: f.probability for f in forecasts if f.agent != CROWD}
    result = combiner.combine(question.source, horizon, question.market_probability, agents)
    if result.probability is None:
        plain = ensemble_forecast(question.id, forecasts, settings, settings.fallback_method)
        return EnsembleForecast(question.id, plain.method, plain.probability, plain.agents, result.note)
    return EnsembleForecast(question.id, LEARNED, result.probability, tuple(f.agent for f in forecasts),
                            result.note)
