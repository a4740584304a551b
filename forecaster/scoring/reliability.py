"""Binning forecasts by probability: the data of a reliability diagram."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecaster.scoring.metrics import as_forecasts

DEFAULT_BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    """One probability bin: its range, how many forecasts fell in it, their mean and the observed frequency."""

    lower: float
    upper: float
    count: int
    mean_forecast: float
    observed_frequency: float


def bin_edges(n_bins: int = DEFAULT_BINS) -> NDArray[np.float64]:
    """Equal-width edges over [0, 1]."""
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1 (got {n_bins})")
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_index(probabilities: NDArray[np.float64], n_bins: int = DEFAULT_BINS) -> NDArray[np.int64]:
    """The bin of each probability; bins are [lo, hi) except the last, which also holds 1.0."""
    return np.minimum((probabilities * n_bins).astype(np.int64), n_bins - 1)


def reliability_bins(probabilities: ArrayLike, outcomes: ArrayLike, n_bins: int = DEFAULT_BINS) -> list[ReliabilityBin]:
    """The non-empty bins of a reliability diagram, lowest first."""
    p, y = as_forecasts(probabilities, outcomes)
    edges = bin_edges(n_bins)
    idx = bin_index(p, n_bins)
    bins = []
    for k in range(n_bins):
        members = idx == k
        count = int(members.sum())
        if count:
            bins.append(
                ReliabilityBin(
                    lower=float(edges[k]),
                    upper=float(edges[k + 1]),
                    count=count,
                    mean_forecast=float(p[members].mean()),
                    observed_frequency=float(y[members].mean()),
                )
            )
    return bins
