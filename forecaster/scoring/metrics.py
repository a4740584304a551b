"""Per-question and mean proper scores of binary probability forecasts (lower is better for both)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Log scores are taken on probabilities clipped to [LOG_EPS, 1 - LOG_EPS]: a forecast of exactly 0 or 1 that is
# wrong would otherwise score infinity and swamp every mean. 1e-3 caps one question's loss at ln(1000) ≈ 6.91 nats,
# about ten times the loss of a 0.5 forecast (ln 2 ≈ 0.693); the clip is applied everywhere a log is taken.
LOG_EPS = 1e-3


def as_forecasts(probabilities: ArrayLike, outcomes: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validated float arrays: same length, probabilities in [0, 1], outcomes 0 or 1."""
    p = np.asarray(probabilities, dtype=float).reshape(-1)
    y = np.asarray(outcomes, dtype=float).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"probabilities ({p.size}) and outcomes ({y.size}) differ in length")
    bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if bad.size:
        raise ValueError(f"probability at index {bad[0]} must lie in [0, 1] (got {p[bad[0]]!r})")
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        raise ValueError(f"outcome at index {bad[0]} must be 0 or 1 (got {y[bad[0]]!r})")
    return p, y


def clip_probabilities(p: ArrayLike, eps: float = LOG_EPS) -> NDArray[np.float64]:
    """Probabilities moved into [eps, 1 - eps], where logs and log-odds are finite."""
    return np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)


def brier_losses(probabilities: ArrayLike, outcomes: ArrayLike) -> NDArray[np.float64]:
    """Squared error (p - y)² of each forecast: 0 is perfect, 1 is certain and wrong, 0.25 for p = 0.5."""
    p, y = as_forecasts(probabilities, outcomes)
    return (p - y) ** 2


def log_losses(probabilities: ArrayLike, outcomes: ArrayLike, eps: float = LOG_EPS) -> NDArray[np.float64]:
    """Negative log-likelihood in nats, −ln P(outcome), of each clipped forecast."""
    p, y = as_forecasts(probabilities, outcomes)
    q = clip_probabilities(p, eps)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def brier_score(probabilities: ArrayLike, outcomes: ArrayLike) -> float:
    """Mean Brier score over the forecasts."""
    return float(np.mean(brier_losses(probabilities, outcomes)))


def log_score(probabilities: ArrayLike, outcomes: ArrayLike, eps: float = LOG_EPS) -> float:
    """Mean log score (negative log-likelihood, nats) over the clipped forecasts."""
    return float(np.mean(log_losses(probabilities, outcomes, eps)))


def logit(p: ArrayLike, eps: float = LOG_EPS) -> NDArray[np.float64]:
    """Log-odds of clipped probabilities."""
    q = clip_probabilities(p, eps)
    return np.log(q) - np.log1p(-q)


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    """Inverse of `logit`, computed without overflow."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out
