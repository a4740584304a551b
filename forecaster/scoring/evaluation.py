"""Out-of-sample evaluation of anything fitted on outcomes: every question is scored by a model fitted on
other questions only (k-fold), or only on questions resolved before it (time-ordered by resolution date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Protocol, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecaster.scoring.recalibration import fit_extremizing, fit_platt
from forecaster.scoring.weights import equal_weights, learn_agent_weights

DEFAULT_MIN_TRAIN = 10


@dataclass(frozen=True)
class Split:
    """Question indices to fit on and, disjoint from them, the indices to score."""

    train: NDArray[np.int64]
    test: NDArray[np.int64]


@dataclass(frozen=True)
class OutOfFold:
    """One out-of-sample value per question, and whether a fitted model (not the fallback) produced it."""

    values: NDArray[np.float64]
    fitted: NDArray[np.bool_]


class Fitted(Protocol):
    def apply(self, x: NDArray) -> NDArray: ...


def kfold_splits(n: int, n_folds: int = 5, seed: int = 0) -> list[Split]:
    """Shuffled k-fold: each question is scored once, by a fit on the other folds."""
    if n_folds < 2:
        raise ValueError(f"n_folds must be at least 2 (got {n_folds})")
    order = np.random.default_rng(seed).permutation(n)
    folds = [f for f in np.array_split(order, min(n_folds, max(n, 1))) if f.size]
    return [Split(np.sort(np.setdiff1d(order, f)), np.sort(f)) for f in folds]


def time_ordered_splits(resolution_dates: Sequence[date], n_folds: int = 5) -> list[Split]:
    """Blocks of questions in resolution order; a block is fitted on questions resolved strictly before its first
    date (questions resolved the same day always share a block). The first block has nothing to fit on."""
    if n_folds < 1:
        raise ValueError(f"n_folds must be at least 1 (got {n_folds})")
    for i, d in enumerate(resolution_dates):
        if d is None:
            raise ValueError(f"question at index {i} has no resolution_date: needed for a time-ordered split")
    dates = np.array([d.toordinal() for d in resolution_dates], dtype=np.int64)
    unique = np.unique(dates)
    if unique.size == 0:
        return []
    splits = []
    for block in np.array_split(unique, min(n_folds, unique.size)):
        if block.size == 0:
            continue
        test = np.flatnonzero(np.isin(dates, block))
        train = np.flatnonzero(dates < block[0])
        splits.append(Split(train, test))
    return splits


def check_splits(splits: Sequence[Split], n: int) -> None:
    """Raise unless no split fits on a question it scores and every question is scored exactly once."""
    scored = np.zeros(n, dtype=np.int64)
    for k, split in enumerate(splits):
        overlap = np.intersect1d(split.train, split.test)
        if overlap.size:
            raise ValueError(f"split {k} fits on question index {overlap[0]}, which it also scores")
        scored[split.test] += 1
    if n and not np.all(scored == 1):
        bad = int(np.flatnonzero(scored != 1)[0])
        raise ValueError(f"question index {bad} is scored {scored[bad]} times (must be exactly once)")


def cross_fit(
    fit: Callable[[NDArray, NDArray], Fitted],
    features: ArrayLike,
    outcomes: ArrayLike,
    splits: Sequence[Split],
    fallback: Callable[[NDArray], NDArray],
    min_train: int = DEFAULT_MIN_TRAIN,
) -> OutOfFold:
    """Score each split's questions with `fit(train features, train outcomes)`; `fallback` (which sees no
    outcomes) serves splits with fewer than `min_train` questions to fit on."""
    x = np.asarray(features, dtype=float)
    y = np.asarray(outcomes, dtype=float).reshape(-1)
    if x.shape[0] != y.size:
        raise ValueError(f"features ({x.shape[0]}) and outcomes ({y.size}) differ in length")
    check_splits(splits, y.size)
    values = np.empty(y.size)
    fitted = np.zeros(y.size, dtype=bool)
    for split in splits:
        if split.train.size >= max(min_train, 1):
            values[split.test] = fit(x[split.train], y[split.train]).apply(x[split.test])
            fitted[split.test] = True
        else:
            values[split.test] = fallback(x[split.test])
    return OutOfFold(values, fitted)


def out_of_fold_recalibration(
    probabilities: ArrayLike,
    outcomes: ArrayLike,
    splits: Sequence[Split],
    method: str = "platt",
    min_train: int = DEFAULT_MIN_TRAIN,
) -> OutOfFold:
    """Platt-scaled or extremized probabilities, each fitted without the question it scores (else left as is)."""
    fitters = {"platt": fit_platt, "extremize": fit_extremizing}
    if method not in fitters:
        raise ValueError(f"recalibration method must be one of {sorted(fitters)} (got {method!r})")
    return cross_fit(fitters[method], probabilities, outcomes, splits, fallback=lambda p: p, min_train=min_train)


def out_of_fold_weighted_pool(
    agents: Sequence[str],
    agent_probabilities: ArrayLike,
    outcomes: ArrayLike,
    splits: Sequence[Split],
    min_train: int = DEFAULT_MIN_TRAIN,
) -> OutOfFold:
    """The score-weighted pool of the agents, weights learned without the question it scores (else equal)."""
    matrix = np.asarray(agent_probabilities, dtype=float)
    return cross_fit(
        lambda x, y: learn_agent_weights(agents, x, y),
        matrix,
        outcomes,
        splits,
        fallback=equal_weights(agents).apply,
        min_train=min_train,
    )
