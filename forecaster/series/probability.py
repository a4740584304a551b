"""P(value > reference) from a quantile forecast: ForecastBench's rule, strictly higher, a tie resolving NO.

The CDF is the quantile function inverted and interpolated linearly between the levels; where several quantiles
equal the reference (a series that often does not move), the mass on the reference counts as NO. Beyond the
outermost quantiles the CDF is 0 or 1, and the probability is clipped away from both.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def cdf(quantiles: Sequence[float], levels: Sequence[float], value: float) -> float:
    """F(value) = P(Y <= value) from sorted quantiles at `levels` (right-continuous: ties below)."""
    q = np.maximum.accumulate(np.asarray(quantiles, dtype=float))
    lv = np.asarray(levels, dtype=float)
    below = int(np.searchsorted(q, value, side="right"))  # how many quantiles are <= value
    if below == 0:
        return 0.0
    if below == len(q):
        return 1.0
    if q[below - 1] == value:
        return float(lv[below - 1])
    low, high = q[below - 1], q[below]
    return float(lv[below - 1] + (lv[below] - lv[below - 1]) * (value - low) / (high - low))


def probability_above(quantiles: Sequence[float], levels: Sequence[float], reference: float,
                      clip: float = 0.01) -> float:
    """P(Y > reference), within [clip, 1 - clip]."""
    return float(np.clip(1.0 - cdf(quantiles, levels, reference), clip, 1.0 - clip))


def probability_above_unknown(quantiles: Sequence[float], reference_quantiles: Sequence[float],
                              levels: Sequence[float], clip: float = 0.01, points: int = 100) -> float:
    """P(Y > Y0) when the reference Y0 (the due date's value) is itself forecast: P(Y > y) averaged over Y0's
    quantile function, the two taken as independent (slightly cautious where they are correlated, as on a walk)."""
    grid = (np.arange(points) + 0.5) / points
    reference = np.interp(grid, levels, np.maximum.accumulate(np.asarray(reference_quantiles, dtype=float)))
    above = np.mean([1.0 - cdf(quantiles, levels, float(y)) for y in reference])
    return float(np.clip(above, clip, 1.0 - clip))
