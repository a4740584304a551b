"""Recalibration maps fitted by maximum likelihood on resolved questions: Platt scaling and extremizing.

Both act on log-odds x = logit(p): Platt gives σ(a·x + b), extremizing σ(k·x). They are fitted by Newton's
method on the log loss plus a weak Gaussian prior pulling the parameters towards the identity map (a = k = 1,
b = 0) with precision `ridge` (about one question's worth of curvature): with a few questions, or questions that
the forecasts separate perfectly, the fit stays finite and close to leaving the forecasts alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecaster.scoring.metrics import as_forecasts, logit, sigmoid

DEFAULT_RIDGE = 1.0
_MAX_ITER = 100
_TOL = 1e-10


@dataclass(frozen=True)
class PlattScaling:
    """p ↦ σ(slope · logit p + intercept)."""

    slope: float
    intercept: float

    def apply(self, probabilities: ArrayLike) -> NDArray[np.float64]:
        """The recalibrated probabilities."""
        return sigmoid(self.slope * logit(probabilities) + self.intercept)


@dataclass(frozen=True)
class Extremizing:
    """p ↦ σ(factor · logit p): factor > 1 pushes forecasts away from 0.5, factor < 1 pulls them in."""

    factor: float

    def apply(self, probabilities: ArrayLike) -> NDArray[np.float64]:
        """The recalibrated probabilities."""
        return sigmoid(self.factor * logit(probabilities))


def _penalised_nll(theta, X, y, prior, ridge) -> float:
    z = X @ theta
    # log(1 + e^z) - y z, written stably.
    return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * ridge * np.sum((theta - prior) ** 2))


def _newton_logistic(X: NDArray, y: NDArray, prior: NDArray, ridge: float) -> NDArray:
    """Minimise the penalised logistic log loss over theta (columns of X are the features)."""
    theta = prior.astype(float).copy()
    current = _penalised_nll(theta, X, y, prior, ridge)
    for _ in range(_MAX_ITER):
        mu = sigmoid(X @ theta)
        grad = X.T @ (mu - y) + ridge * (theta - prior)
        hess = (X * (mu * (1 - mu))[:, None]).T @ X + ridge * np.eye(len(theta))
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while True:  # backtracking keeps every step a descent step
            candidate = theta - t * step
            value = _penalised_nll(candidate, X, y, prior, ridge)
            if value <= current or t < 1e-8:
                break
            t /= 2
        theta, previous, current = candidate, current, value
        if previous - current < _TOL:
            break
    return theta


def _check_fit_input(probabilities: ArrayLike, outcomes: ArrayLike, ridge: float):
    p, y = as_forecasts(probabilities, outcomes)
    if p.size == 0:
        raise ValueError("cannot fit a recalibration on zero questions")
    if ridge <= 0:
        raise ValueError(f"ridge must be positive (got {ridge})")
    return p, y


def fit_platt(probabilities: ArrayLike, outcomes: ArrayLike, ridge: float = DEFAULT_RIDGE) -> PlattScaling:
    """Platt scaling fitted on resolved forecasts: logistic regression of the outcome on logit p."""
    p, y = _check_fit_input(probabilities, outcomes, ridge)
    X = np.column_stack([logit(p), np.ones_like(p)])
    slope, intercept = _newton_logistic(X, y, np.array([1.0, 0.0]), ridge)
    return PlattScaling(float(slope), float(intercept))


def fit_extremizing(probabilities: ArrayLike, outcomes: ArrayLike, ridge: float = DEFAULT_RIDGE) -> Extremizing:
    """The extremizing factor of best log loss on resolved forecasts (never negative: that would invert them)."""
    p, y = _check_fit_input(probabilities, outcomes, ridge)
    (factor,) = _newton_logistic(logit(p)[:, None], y, np.array([1.0]), ridge)
    return Extremizing(max(float(factor), 0.0))
