"""Rolling-origin backtest: each round is judged by a fit on the rounds before it, cut at its due date.

A run of the agents may cover part of a set (every K-th question: agents on a 500-question round are costly):
the priors, the crowd and the recalibration are fitted on every resolved row, the agents' weights on the rows
they forecast, and the round is judged on those rows.

Round k (by due date) is forecast by a combiner fitted on rounds 0..k-1 using only outcomes known before round k's
due date (`known_before`): the published resolution sets hold outcomes up to months later, and learning from those
would judge a round with knowledge its forecasters could not have had. A round is never judged by a fit on itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from forecaster.learning.combiner import DEFAULT_CROWD_RIDGE, DEFAULT_RIDGE, Combiner, fit_combiner
from forecaster.learning.priors import DEFAULT_STRENGTH, Priors
from forecaster.learning.rows import LearningRow, agents_only, known_before

CONSTANT, NAIVE, PRIORS_REF, LEARNED, AGENTS_MEAN = "0.5", "naive", "learned priors", "learned", "agents' mean"


@dataclass(frozen=True)
class Split:
    """One judged round and the rounds (and cut) its fit may use."""

    judge: str
    fit: tuple[str, ...]
    as_of: dt.date


@dataclass(frozen=True)
class JudgedRound:
    """One round's rows and each forecaster's probabilities for them."""

    split: Split
    fit_rows: int
    rows: tuple[LearningRow, ...]
    forecasts: Mapping[str, np.ndarray]

    def brier(self) -> dict[str, float]:
        y = np.array([r.outcome for r in self.rows])
        return {name: float(np.mean((p - y) ** 2)) for name, p in self.forecasts.items()}


def rolling_splits(due_dates: Mapping[str, dt.date], min_fit_rounds: int = 1,
                   as_of: dt.date | None = None) -> list[Split]:
    """Round k judged by rounds 0..k-1 (by due date), from the first with `min_fit_rounds` before it; the cut is
    its due date, or `as_of` when earlier."""
    ordered = sorted(due_dates, key=lambda name: due_dates[name])
    return [Split(name, tuple(ordered[:k]), min(due_dates[name], as_of) if as_of else due_dates[name])
            for k, name in enumerate(ordered) if k >= max(1, min_fit_rounds)]


def naive(rows: Sequence[LearningRow]) -> np.ndarray:
    """The crowd's value where there is one, else 0.5."""
    return np.array([r.crowd if r.crowd is not None else 0.5 for r in rows])


def priors_reference(rows: Sequence[LearningRow], priors: Priors) -> np.ndarray:
    """The crowd's value where there is one, else the fitted (source, horizon) base rate (0.5: source unseen)."""
    out = []
    for r in rows:
        rate = priors.rate(r.source, r.horizon_days)
        out.append(r.crowd if r.crowd is not None else (0.5 if rate is None else rate))
    return np.array(out)


def learned(rows: Sequence[LearningRow], combiner: Combiner) -> np.ndarray:
    """The combiner's probabilities; where it does not apply (source unseen), the learned-priors reference."""
    fallback = priors_reference(rows, combiner.priors)
    return np.array([c.probability if c.probability is not None else fallback[i]
                     for i, c in enumerate(combiner.combine_row(r) for r in rows)])


def forecasts_for(rows: Sequence[LearningRow], combiner: Combiner) -> dict[str, np.ndarray]:
    """Every reported forecaster's probabilities for the rows (the agents' mean where every row has agents)."""
    out = {CONSTANT: np.full(len(rows), 0.5), NAIVE: naive(rows),
           PRIORS_REF: priors_reference(rows, combiner.priors), LEARNED: learned(rows, combiner)}
    # The agents' own mean: the series member (a member, not an agent) is left out.
    if rows and all(agents_only(r) for r in rows):
        out[AGENTS_MEAN] = np.array([np.mean(list(agents_only(r).values())) for r in rows])
    return out


def judged_rows(rows: Sequence[LearningRow]) -> tuple[LearningRow, ...]:
    """The rows a round is judged on: those its agents forecast when a run covered part of the set (the agents'
    mean is then beside the others on the same rows), else every row. The fit still learns from every row."""
    forecast = tuple(r for r in rows if agents_only(r))
    return forecast or tuple(rows)


def backtest(rows_by_round: Mapping[str, Sequence[LearningRow]], due_dates: Mapping[str, dt.date],
             ridge: float = DEFAULT_RIDGE, strength: float = DEFAULT_STRENGTH,
             min_fit_rounds: int = 1, crowd_ridge: float = DEFAULT_CROWD_RIDGE,
             as_of: dt.date | None = None) -> list[JudgedRound]:
    """Every judged round of the rolling-origin split, each forecast by a fit on earlier rounds cut at its date
    (or at `as_of`, when earlier)."""
    judged = []
    for split in rolling_splits(due_dates, min_fit_rounds, as_of):
        fit_rows = known_before([r for name in split.fit for r in rows_by_round[name]], split.as_of)
        rows = judged_rows(rows_by_round[split.judge])
        if not fit_rows or not rows:
            continue
        combiner = fit_combiner(fit_rows, ridge, strength, crowd_ridge)
        judged.append(JudgedRound(split, len(fit_rows), rows, forecasts_for(rows, combiner)))
    return judged
