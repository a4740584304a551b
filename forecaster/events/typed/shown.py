"""A typed forecast in one line, for the run's table, `history` and comments."""

from __future__ import annotations

from typing import Sequence

from forecaster.events.typed.cdf import cdf_quantile
from forecaster.events.typed.choice import labels
from forecaster.events.typed.scale import Scale
from forecaster.events.typed.values import CHOICE


def typed_line(question, kind: str, values: Sequence[float]) -> str:
    """Options with their probabilities, most likely first; or a CDF's median and 80% interval on the scale."""
    if kind == CHOICE:
        ranked = sorted(zip(labels(len(values)), question.options, values), key=lambda t: -t[2])
        return ", ".join(f"{label}) {option[:24]} {p:.3f}" for label, option, p in ranked)
    scale = Scale.of(question)
    low, mid, high = (scale.shown(scale.value(cdf_quantile(values, level))) for level in (0.1, 0.5, 0.9))
    return f"median {mid} (80%: {low} to {high})"
