"""Proper scores of forecasts that are not yes/no (lower is better for every one).

Multiple choice: the multiclass Brier score, sum over options of (p - o)^2 (0 perfect, 2 certain and wrong), and
the log score -ln p of the option that happened. Numeric, discrete, date, on the CDF over positions 0..1 of the
question's range: the CRPS, the integral of (F(x) - 1[x >= outcome])^2 over the range (0 perfect, in units of the
range), and the log score -ln of the mass the CDF put in the outcome's bin, the tails below and above the range
being a bin each (an outcome outside the range is scored on them).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from forecaster.scoring.metrics import LOG_EPS


def choice_brier(probabilities: Sequence[float], outcome: int) -> float:
    p = np.asarray(probabilities, dtype=float)
    o = np.zeros_like(p)
    o[outcome] = 1.0
    return float(((p - o) ** 2).sum())


def choice_log(probabilities: Sequence[float], outcome: int) -> float:
    return -math.log(max(float(probabilities[outcome]), LOG_EPS))


def crps(cdf: Sequence[float], position: float) -> float:
    """The CRPS over the range (positions 0..1), trapezoids between the CDF's points; an outcome below the range
    counts the whole range as after it, one above as before it."""
    c = np.asarray(cdf, dtype=float)
    grid = np.linspace(0.0, 1.0, len(c))
    after = (grid >= position).astype(float)
    return float(np.trapezoid((c - after) ** 2, grid))


def bin_log(cdf: Sequence[float], position: float) -> float:
    """-ln of the probability of the outcome's bin: below the range (cdf[0]), one of the range's len(cdf) - 1
    bins, or above it (1 - cdf[-1])."""
    c = np.asarray(cdf, dtype=float)
    if position < 0:
        mass = c[0]
    elif position > 1:
        mass = 1 - c[-1]
    else:
        index = min(int(position * (len(c) - 1)), len(c) - 2)
        mass = c[index + 1] - c[index]
    return -math.log(max(float(mass), 1e-12))
