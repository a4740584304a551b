"""A probability distribution over the integers 0..100 and the statistics a forecast reports."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Distribution:
    """Normalised probabilities of answering 0, 1, ..., 100 (percent)."""

    probs: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.probs) != 101:
            raise ValueError(f"distribution: needs 101 probabilities (0..100), got {len(self.probs)}")

    @classmethod
    def from_logprobs(cls, logprobs: Sequence[float]) -> "Distribution":
        """Normalise raw log-probabilities of the 101 answers."""
        lp = np.asarray(logprobs, dtype=np.float64)
        p = np.exp(lp - lp.max())
        return cls(tuple((p / p.sum()).tolist()))

    @property
    def mean(self) -> float:
        """The forecast: expected percentage / 100, a probability in [0, 1]."""
        return float(np.dot(np.arange(101), self.probs) / 100.0)

    @property
    def median(self) -> float:
        cdf = np.cumsum(self.probs)
        return float(np.searchsorted(cdf, 0.5) / 100.0)

    @property
    def mode(self) -> float:
        return float(np.argmax(self.probs) / 100.0)

    @property
    def entropy_bits(self) -> float:
        p = np.asarray(self.probs)
        p = p[p > 0]
        return float(-(p * np.log2(p)).sum())


def raw_mass(logprobs: Sequence[float]) -> float:
    """How much of the model's unnormalised probability fell on the 101 answers."""
    return float(sum(math.exp(x) for x in logprobs))
