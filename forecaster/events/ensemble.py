"""Combining the agents' probabilities into one ensemble forecast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from forecaster.events.typed.values import TypedValues
from forecaster.settings import EnsembleSettings

if TYPE_CHECKING:
    from forecaster.events.agents import AgentForecast

METHODS = ("mean", "median", "trimmed_mean", "geo_mean_odds", "extremized_logodds")
# Fitted on past rounds (`forecaster calibrate`, see forecaster.learning): needs more than the probabilities.
LEARNED = "learned"
ALL_METHODS = METHODS + (LEARNED,)
# Odds-based pooling is undefined at exactly 0 or 1.
EPS = 1e-6


def combine(probs: Sequence[float], method: str, weights: Sequence[float] | None = None,
            trim_fraction: float = 0.1, extremize_factor: float = 1.5) -> float:
    """Pool probabilities in [0, 1] by `method`, with optional per-agent weights."""
    if not probs:
        raise ValueError("ensemble: needs at least one agent forecast")
    if method not in METHODS:
        raise ValueError(f"ensemble.method: unknown method {method!r}; known: {list(METHODS)}")
    p = np.asarray(probs, dtype=np.float64)
    w = np.ones_like(p) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != p.shape or (w <= 0).any():
        raise ValueError("ensemble weights: one positive weight per agent")
    w = w / w.sum()
    pool: dict[str, Callable[[], float]] = {
        "mean": lambda: float(np.dot(w, p)),
        "median": lambda: _weighted_median(p, w),
        "trimmed_mean": lambda: _trimmed_mean(p, w, trim_fraction),
        "geo_mean_odds": lambda: _from_logodds(np.dot(w, _logodds(p))),
        "extremized_logodds": lambda: _from_logodds(extremize_factor * np.dot(w, _logodds(p))),
    }
    return pool[method]()


def plain_method(settings: EnsembleSettings) -> str:
    """The configured pool of the probabilities alone: the method, or its fallback when it is 'learned'."""
    return settings.fallback_method if settings.method == LEARNED else settings.method


def combine_with_settings(probs: Sequence[float], settings: EnsembleSettings, method: str | None = None,
                          weights: Sequence[float] | None = None) -> float:
    """`combine` with the trim fraction and extremizing factor taken from the settings."""
    return combine(probs, method or settings.method, weights, settings.trim_fraction, settings.extremize_factor)


def _logodds(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, EPS, 1 - EPS)
    return np.log(q / (1 - q))


def _from_logodds(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def _weighted_median(p: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(p)
    cdf = np.cumsum(w[order])
    # Average the two middle values when the weight splits exactly at one half (plain median for equal weights).
    lower = p[order][np.searchsorted(cdf, 0.5 - 1e-12)]
    upper = p[order][np.searchsorted(cdf, 0.5 + 1e-12)]
    return float((lower + upper) / 2)


def _trimmed_mean(p: np.ndarray, w: np.ndarray, fraction: float) -> float:
    """Drop `fraction` of the weight from each tail, then average what is left."""
    order = np.argsort(p)
    p, w = p[order], w[order]
    upper_edge = np.cumsum(w)
    lower_edge = upper_edge - w
    kept = np.clip(np.minimum(upper_edge, 1 - fraction) - np.maximum(lower_edge, fraction), 0, None)
    return float(np.dot(kept, p) / kept.sum())


@dataclass(frozen=True)
class EnsembleForecast:
    """The pooled forecast for one question."""

    question_id: str
    method: str
    probability: float
    agents: tuple[str, ...]
    # Why the configured method did not apply (the learned file does not know the source): logged once a run.
    note: str | None = None
    # A question that is not yes/no: the pooled option vector or CDF.
    typed: TypedValues | None = None


def ensemble_forecast(question_id: str, forecasts: Sequence["AgentForecast"], settings: EnsembleSettings,
                      method: str | None = None) -> EnsembleForecast:
    """Pool the agents' forecasts for one question, weighted by each agent's configured weight."""
    probability = combine_with_settings([f.probability for f in forecasts], settings, method,
                                        [f.weight for f in forecasts])
    return EnsembleForecast(question_id, method or settings.method, probability, tuple(f.agent for f in forecasts))
