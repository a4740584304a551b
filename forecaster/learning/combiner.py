"""The learned combination: a logistic model in log-odds space over the members and the prior.

For a question with a crowd forecast c:   logit p = w_crowd·logit c + v_c·logit prior(source) + Σ w_a·logit p_a + b_c
and without one:                          logit p = v·logit prior(source, horizon) + Σ w_a·logit p_a + b
The weights are slopes, so the fit is its own recalibration (Platt scaling of the pooled log-odds). It is fitted by
maximum likelihood (outcomes in [0, 1]: an unresolved market row counts as its latest value) with a Gaussian
penalty of precision `ridge` pulling it towards the plain rule (crowd and prior at weight 1, agents at 0): with
few resolved rows it stays close to trusting the crowd and the base rates. A member absent from a row adds 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from scipy.optimize import minimize

from forecaster.learning.priors import DEFAULT_STRENGTH, Priors, fit_priors
from forecaster.learning.rows import CROWD, LearningRow, agent_names
from forecaster.scoring.metrics import logit, sigmoid

DEFAULT_RIDGE = 1.0
# Parameters beside the members' weights: the prior's weight and the intercept, with and without a crowd value.
PRIOR, PRIOR_CROWD, BIAS, BIAS_CROWD = "prior", "prior|crowd", "bias", "bias|crowd"
IDENTITY = {CROWD: 1.0, PRIOR: 1.0}


@dataclass(frozen=True)
class Combination:
    """A combined forecast, or None with the reason the learned rule does not apply (then the plain method does)."""

    probability: float | None
    note: str | None = None


@dataclass(frozen=True)
class Combiner:
    """Fitted parameters: `weights` per member (crowd, agents), `prior_weight` and `intercept` per question kind."""

    weights: Mapping[str, float]
    prior_weight: Mapping[str, float]
    intercept: Mapping[str, float]
    priors: Priors
    fitted: Mapping[str, object] = field(default_factory=dict)

    @property
    def agents(self) -> list[str]:
        return sorted(m for m in self.weights if m != CROWD)

    def combine(self, source: str, horizon_days: int | None, crowd: float | None,
                agents: Mapping[str, float]) -> Combination:
        """The learned probability of one question from its members' forecasts."""
        if not self.priors.knows(source):
            return Combination(None, f"source {source!r} is not in the learned file: plain method used")
        unknown = sorted(a for a in agents if a not in self.weights)
        if unknown and self.agents:
            return Combination(None, f"agent(s) {unknown} not in the learned file: plain method used")
        if crowd is not None and CROWD not in self.weights:
            crowd = None  # a file fitted without crowd values cannot weigh one
        kind = "with_crowd" if crowd is not None else "without_crowd"
        z = self.intercept[kind] + self.prior_weight[kind] * float(logit(self.priors.rate(source, horizon_days)))
        if crowd is not None:
            z += self.weights[CROWD] * float(logit(crowd))
        z += sum(self.weights[a] * float(logit(p)) for a, p in agents.items() if a in self.weights)
        note = "the learned file has no agent weights: agents weigh 0" if agents and not self.agents else None
        return Combination(float(sigmoid(np.array([z]))[0]), note)

    def combine_row(self, row: LearningRow) -> Combination:
        return self.combine(row.source, row.horizon_days, row.crowd, row.agents)


def feature_names(agents: Sequence[str], with_crowd: bool) -> list[str]:
    return ([CROWD] if with_crowd else []) + list(agents) + [PRIOR, PRIOR_CROWD, BIAS, BIAS_CROWD]


def design(rows: Sequence[LearningRow], priors: Priors, names: Sequence[str]) -> np.ndarray:
    """One row of features per LearningRow, in `names` order (absent members and other-kind columns are 0)."""
    X = np.zeros((len(rows), len(names)))
    col = {n: i for i, n in enumerate(names)}
    for i, r in enumerate(rows):
        has_crowd = r.crowd is not None and CROWD in col
        prior = float(logit(priors.rate(r.source, r.horizon_days)))
        X[i, col[PRIOR_CROWD if has_crowd else PRIOR]] = prior
        X[i, col[BIAS_CROWD if has_crowd else BIAS]] = 1.0
        if has_crowd:
            X[i, col[CROWD]] = float(logit(r.crowd))
        for a, p in r.agents.items():
            if a in col:
                X[i, col[a]] = float(logit(p))
    return X


def fit_logistic(X: np.ndarray, y: np.ndarray, target: np.ndarray, ridge: float) -> np.ndarray:
    """Penalised maximum likelihood: Σ log(1+e^z) − y·z + ridge/2 ‖θ − target‖², outcomes in [0, 1]."""
    def loss(theta):
        z = X @ theta
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * ridge * np.sum((theta - target) ** 2)
        grad = X.T @ (sigmoid(z) - y) + ridge * (theta - target)
        return value, grad

    return minimize(loss, target.copy(), jac=True, method="L-BFGS-B").x


def fit_combiner(rows: Sequence[LearningRow], ridge: float = DEFAULT_RIDGE,
                 strength: float = DEFAULT_STRENGTH) -> Combiner:
    """Priors and combination weights fitted on resolved rows (agents' weights only where rows carry agents)."""
    if not rows:
        raise ValueError("no resolved rows to fit on")
    if ridge <= 0:
        raise ValueError(f"ridge must be positive (got {ridge})")
    priors = fit_priors(rows, strength)
    agents = agent_names(rows)
    with_crowd = any(r.crowd is not None for r in rows)
    names = feature_names(agents, with_crowd)
    target = np.array([IDENTITY.get(n, 0.0) for n in names])
    target[names.index(PRIOR_CROWD)] = 0.0
    theta = dict(zip(names, fit_logistic(design(rows, priors, names), np.array([r.outcome for r in rows]),
                                         target, ridge)))
    weights = {n: float(theta[n]) for n in ([CROWD] if with_crowd else []) + agents}
    return Combiner(weights, {"without_crowd": float(theta[PRIOR]), "with_crowd": float(theta[PRIOR_CROWD])},
                    {"without_crowd": float(theta[BIAS]), "with_crowd": float(theta[BIAS_CROWD])}, priors,
                    {"rows": len(rows), "ridge": ridge, "agents_fitted": bool(agents), "crowd_fitted": with_crowd})
