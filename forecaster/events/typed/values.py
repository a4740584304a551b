"""What an agent or the ensemble gives for a question that is not yes/no."""

from __future__ import annotations

from dataclasses import dataclass

CHOICE, CDF = "choice", "cdf"


@dataclass(frozen=True)
class TypedValues:
    """`choice`: one probability per option, in the question's order, summing to 1. `cdf`: P(value <= x) at
    `outcome_count + 1` evenly spaced positions of the question's scale, the first for range_min."""

    kind: str
    values: tuple[float, ...]
