"""The learned combination: a logistic model in log-odds space over the members and the prior.

With a crowd forecast c:  logit p = w_crowd·logit c + v_c·logit prior(source) + Σ u_a·logit p_a + b_c
without one:              logit p = v_source·logit prior(source, horizon) + Σ w_a·logit p_a
The weights are slopes, so the fit is its own recalibration (Platt scaling of the pooled log-odds). The prior's
weight is per source and never negative: a source whose past base rates do not carry over (a seasonal series) is
shrunk towards 0.5, one whose rates do (ACLED) is kept or sharpened. Each fitting row's prior is the one its round could have known
(fitted on earlier rounds' outcomes known before its due date), so the slopes measure what a prior is worth out of
sample; the priors applied to new questions are fitted on every fitting row.

Fitted by maximum likelihood (outcomes in [0, 1]: an unresolved market row counts as its latest value) with a
Gaussian penalty pulling it towards the plain rule (crowd and priors at weight 1, agents, v_c and b_c at 0), of
precision `ridge` on the prior slopes and the agents' weights w_a, and `crowd_ridge` on the crowd's three
parameters and the agents' weights u_a beside it: the market rows known at fitting time are those that resolved
early, not the ones a new round is scored on, so the crowd is only moved from face value on strong evidence. An
agent has its own weight beside a crowd (u_a) because what a model adds to a market's price is not what it adds
where no one else has a say. A member absent from a row adds 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from scipy.optimize import minimize

from forecaster.learning.priors import DEFAULT_STRENGTH, Priors, fit_priors
from forecaster.learning.rows import LearningRow, agent_names, known_before
from forecaster.names import CROWD, NOT_AGENTS, SERIES
from forecaster.scoring.metrics import logit, sigmoid

DEFAULT_RIDGE = 1.0
# Chosen on the first four judged ForecastBench rounds (whole sets): a weaker pull moved the crowd on market
# rows and scored worse there than the crowd itself.
DEFAULT_CROWD_RIDGE = 1000.0
PRIOR, PRIOR_CROWD, BIAS_CROWD = "prior", "prior|crowd", "bias|crowd"
BESIDE_CROWD = "|crowd"  # an agent's column on crowd questions: "<agent>|crowd"


@dataclass(frozen=True)
class Combination:
    """A combined forecast, or None with the reason the learned rule does not apply (then the plain method does)."""

    probability: float | None
    note: str | None = None


@dataclass(frozen=True)
class Combiner:
    """Fitted parameters: `weights` per member (the crowd; agents on questions without a crowd value), the prior's
    weight per source (and its mean, for a source seen only with crowd values), and on crowd questions the prior's
    weight, an intercept and each agent's weight beside the crowd (`crowd_agent_weights`)."""

    weights: Mapping[str, float]
    prior_weight: Mapping[str, float]
    crowd_prior_weight: float
    crowd_intercept: float
    priors: Priors
    fitted: Mapping[str, object] = field(default_factory=dict)
    crowd_agent_weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def agents(self) -> list[str]:
        return sorted(m for m in self.weights if m not in NOT_AGENTS)

    def mean_prior_weight(self) -> float:
        return float(np.mean(list(self.prior_weight.values()))) if self.prior_weight else 1.0

    def combine(self, source: str, horizon_days: int | None, crowd: float | None,
                agents: Mapping[str, float]) -> Combination:
        """The learned probability of one question from its members' forecasts."""
        if not self.priors.knows(source):
            return Combination(None, f"source {source!r} is not in the learned file: plain method used")
        if SERIES in agents and SERIES not in self.weights:
            agents = {a: p for a, p in agents.items() if a != SERIES}  # a file fitted without the member
        unknown = sorted(a for a in agents if a not in self.weights)
        if unknown and self.agents:
            return Combination(None, f"agent(s) {unknown} not in the learned file: plain method used")
        if crowd is not None and CROWD not in self.weights:
            crowd = None  # a file fitted without crowd values cannot weigh one
        prior = float(logit(self.priors.rate(source, horizon_days)))
        if crowd is None:
            z, slopes = self.prior_weight.get(source, self.mean_prior_weight()) * prior, self.weights
        else:
            z = self.weights[CROWD] * float(logit(crowd)) + self.crowd_prior_weight * prior + self.crowd_intercept
            slopes = self.crowd_agent_weights
        z += sum(slopes.get(a, 0.0) * float(logit(p)) for a, p in agents.items() if a in self.weights)
        note = ("the learned file has no agent weights: agents weigh 0"
                if set(agents) - {SERIES} and not self.agents else None)
        return Combination(float(sigmoid(np.array([z]))[0]), note)

    def combine_row(self, row: LearningRow) -> Combination:
        return self.combine(row.source, row.horizon_days, row.crowd, row.agents)


def round_priors(rows: Sequence[LearningRow], strength: float) -> dict[dt.date, Priors | None]:
    """Per round (due date): the priors it could have known, from earlier rounds' outcomes known before it."""
    out = {}
    for due in sorted({r.due_date for r in rows}):
        known = [r for r in known_before(rows, due) if r.due_date < due]
        out[due] = fit_priors(known, strength) if known else None
    return out


def _prior_feature(row: LearningRow, priors: Priors | None) -> float:
    rate = priors.rate(row.source, row.horizon_days) if priors is not None else None
    return 0.0 if rate is None else float(logit(rate))


def design(rows: Sequence[LearningRow], priors: Mapping[dt.date, Priors | None], names: Sequence[str]) -> np.ndarray:
    """One row of features per LearningRow, in `names` order (absent members and other-kind columns are 0)."""
    X = np.zeros((len(rows), len(names)))
    col = {n: i for i, n in enumerate(names)}
    for i, r in enumerate(rows):
        has_crowd = r.crowd is not None and CROWD in col
        X[i, col[PRIOR_CROWD if has_crowd else f"{PRIOR}:{r.source}"]] = _prior_feature(r, priors[r.due_date])
        if has_crowd:
            X[i, col[CROWD]] = float(logit(r.crowd))
            X[i, col[BIAS_CROWD]] = 1.0
        for a, p in r.agents.items():
            name = a + BESIDE_CROWD if has_crowd else a
            if name in col:
                X[i, col[name]] = float(logit(p))
    return X


def fit_logistic(X: np.ndarray, y: np.ndarray, target: np.ndarray, precision: np.ndarray,
                 bounds: Sequence[tuple[float | None, float | None]] | None = None) -> np.ndarray:
    """Penalised maximum likelihood: Σ log(1+e^z) − y·z + ½ Σ precision·(θ − target)², outcomes in [0, 1]."""
    def loss(theta):
        z = X @ theta
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(precision * (theta - target) ** 2)
        return value, X.T @ (sigmoid(z) - y) + precision * (theta - target)

    return minimize(loss, target.copy(), jac=True, method="L-BFGS-B", bounds=bounds).x


def fit_combiner(rows: Sequence[LearningRow], ridge: float = DEFAULT_RIDGE, strength: float = DEFAULT_STRENGTH,
                 crowd_ridge: float = DEFAULT_CROWD_RIDGE) -> Combiner:
    """Priors and combination weights fitted on resolved rows (agents' weights only where rows carry agents)."""
    if not rows:
        raise ValueError("no resolved rows to fit on")
    if ridge <= 0 or crowd_ridge <= 0:
        raise ValueError(f"ridge and crowd_ridge must be positive (got {ridge}, {crowd_ridge})")
    agents = agent_names(rows)
    with_crowd = any(r.crowd is not None for r in rows)
    sources = sorted({r.source for r in rows if r.crowd is None or not with_crowd})
    crowd_names = [CROWD, PRIOR_CROWD, BIAS_CROWD] + [a + BESIDE_CROWD for a in agents] if with_crowd else []
    names = crowd_names + agents + [f"{PRIOR}:{s}" for s in sources]
    target = np.array([1.0 if n == CROWD or n.startswith(f"{PRIOR}:") else 0.0 for n in names])
    precision = np.array([crowd_ridge if n in crowd_names else ridge for n in names])
    # A prior or the crowd may be discounted to nothing, never turned upside down.
    bounds = [(0.0, None) if n == CROWD or n.startswith(PRIOR) else (None, None) for n in names]
    X = design(rows, round_priors(rows, strength), names)
    theta = dict(zip(names, fit_logistic(X, np.array([r.outcome for r in rows]), target, precision, bounds)))
    return Combiner(weights={n: float(theta[n]) for n in crowd_names[:1] + agents},
                    prior_weight={s: float(theta[f"{PRIOR}:{s}"]) for s in sources},
                    crowd_prior_weight=float(theta.get(PRIOR_CROWD, 0.0)),
                    crowd_intercept=float(theta.get(BIAS_CROWD, 0.0)), priors=fit_priors(rows, strength),
                    fitted={"rows": len(rows), "ridge": ridge, "crowd_ridge": crowd_ridge, "strength": strength,
                            "agents_fitted": bool(agents), "crowd_fitted": with_crowd},
                    crowd_agent_weights={a: float(theta[a + BESIDE_CROWD]) for a in agents if with_crowd})
