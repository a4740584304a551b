"""Option vectors of a multiple-choice question: labels in the prompt, and the vector the server takes."""

from __future__ import annotations

import string
from typing import Sequence

import numpy as np

from forecaster.events.typed.rules import P_MAX, P_MIN

LABELS = string.ascii_uppercase
# Inside [0.001, 0.999] by a margin, so that rounding to DECIMALS cannot push an option out.
FLOOR, CEILING, DECIMALS = P_MIN + 1e-4, P_MAX - 1e-4, 6


def labels(count: int) -> list[str]:
    """A, B, C, ... one per option."""
    return list(LABELS[:count])


def from_logprobs(logprobs: Sequence[float]) -> tuple[float, ...]:
    """The options' probabilities: their labels' log-probabilities, normalised over the options."""
    lp = np.asarray(logprobs, dtype=float)
    p = np.exp(lp - lp.max())
    return tuple(float(v) for v in p / p.sum())


def conform_choice(probabilities: Sequence[float]) -> tuple[float, ...]:
    """The nearest vector the server takes: each option in [0.001, 0.999] with margin, rounded, summing to 1
    exactly as written (the rounding's remainder goes to the most likely option)."""
    p = np.asarray(probabilities, dtype=float)
    p = p / p.sum()
    fixed = np.zeros(len(p), dtype=bool)
    for _ in range(len(p)):  # an option pinned at a bound changes the others' share; a few rounds settle it
        pinned = np.clip(p, FLOOR, CEILING)
        moved = pinned != p
        if not moved.any():
            break
        fixed |= moved
        p = pinned
        free = p[~fixed].sum()
        if free > 0:
            p[~fixed] *= (1 - p[fixed].sum()) / free
    rounded = np.round(p, DECIMALS)
    top = int(np.argmax(rounded))
    rounded[top] = round(1 - (rounded.sum() - rounded[top]), DECIMALS)
    return tuple(float(v) for v in rounded)
