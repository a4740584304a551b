"""Percentile bootstrap confidence intervals over questions, seeded and reproducible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def _check(n: int, n_resamples: int, confidence: float) -> None:
    if n == 0:
        raise ValueError("cannot bootstrap zero questions")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1 (got {n_resamples})")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1 (got {confidence})")


def _interval(stats: np.ndarray, confidence: float) -> Interval:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(stats, [alpha, 1 - alpha])
    return Interval(float(low), float(high))


def resample_indices(n: int, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> np.ndarray:
    """An (n_resamples, n) matrix of question indices drawn with replacement; the same seed gives the same draws."""
    return np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))


def bootstrap_mean_ci(
    losses: ArrayLike,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> Interval:
    """Interval for the mean of per-question losses (Brier, log), resampling questions."""
    values = np.asarray(losses, dtype=float).reshape(-1)
    _check(values.size, n_resamples, confidence)
    means = values[resample_indices(values.size, n_resamples, seed)].mean(axis=1)
    return _interval(means, confidence)


def bootstrap_ci(
    statistic: Callable[..., float],
    *arrays: ArrayLike,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> Interval:
    """Interval for any statistic of paired per-question arrays (e.g. a decomposition term), resampling questions."""
    columns = [np.asarray(a) for a in arrays]
    n = len(columns[0]) if columns else 0
    if any(len(c) != n for c in columns):
        raise ValueError("the arrays to resample differ in length")
    _check(n, n_resamples, confidence)
    stats = np.array([statistic(*(c[i] for c in columns)) for i in resample_indices(n, n_resamples, seed)])
    return _interval(stats, confidence)
