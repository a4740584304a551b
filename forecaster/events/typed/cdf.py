"""A CDF from the ladder's reads: made monotone, spread over the question's 201 (outcome_count + 1) positions, and
fitted to the server's rules with room to spare, so neither pooling nor rounding can break one."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from forecaster.events.typed.rules import P_MAX, P_MIN, max_step, min_step
from forecaster.events.typed.scale import Scale

# Margins inside the server's limits: a step at least 1.2x the smallest allowed, at most 0.95x the largest, an open
# end 1e-4 inside [0.001, 0.999].
MIN_STEP_MARGIN, MAX_STEP_MARGIN, END_MARGIN = 1.2, 0.95, 1e-4
DECIMALS = 8


def isotonic(values: Sequence[float]) -> list[float]:
    """The closest non-decreasing sequence in squared error (pool adjacent violators): a model may say
    P(value <= 10) = 0.6 and P(value <= 20) = 0.5; a CDF cannot."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([float(v), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, n1), (m2, n2) = blocks[-2], blocks.pop()
            blocks[-1] = [(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2]
    return [m for m, n in blocks for _ in range(int(n))]


def cdf_from_ladder(positions: Sequence[float], probabilities: Sequence[float], scale: Scale) -> tuple[float, ...]:
    """The CDF at the scale's outcome_count + 1 positions from P(value <= t) read at each ladder position:
    monotone, a closed end pinned (0 at a closed lower bound, 1 at a closed upper one), linear in position
    between reads, then conformed."""
    xs, ps = list(positions), isotonic(probabilities)
    if not scale.open_lower_bound:
        xs, ps = [0.0, *xs], [0.0, *ps]
    if not scale.open_upper_bound:
        xs, ps = [*xs, 1.0], [*ps, 1.0]
    grid = np.linspace(0.0, 1.0, scale.outcome_count + 1)
    return conform(np.interp(grid, xs, ps), scale.open_lower_bound, scale.open_upper_bound, scale.outcome_count)


def conform(cdf: Sequence[float], open_lower: bool, open_upper: bool, outcome_count: int) -> tuple[float, ...]:
    """The nearest CDF the server takes: ends fixed by the bounds, every step within its limits (with margin)."""
    c = np.maximum.accumulate(np.clip(np.asarray(cdf, dtype=float), 0.0, 1.0))
    low, high = _ends(c[0], c[-1], open_lower, open_upper, outcome_count)
    span = c[-1] - c[0]
    shape = (c - c[0]) / span if span > 1e-12 else np.linspace(0.0, 1.0, len(c))
    steps = np.diff(shape) * (high - low)
    steps = _lift_small(steps, high - low, outcome_count)
    steps = _cap_large(steps, MAX_STEP_MARGIN * max_step(outcome_count))
    out = np.round(low + np.concatenate([[0.0], np.cumsum(steps)]), DECIMALS)
    out[0], out[-1] = low, high
    return tuple(float(v) for v in out)


def _ends(first: float, last: float, open_lower: bool, open_upper: bool, outcome_count: int) -> tuple[float, float]:
    """CDF values at range_min and range_max: 0 and 1 at closed ends, an open end's tail kept within the rules,
    and far enough apart that every step can rise by the smallest allowed amount."""
    low = round(float(np.clip(first, P_MIN + END_MARGIN, P_MAX - END_MARGIN)), DECIMALS) if open_lower else 0.0
    high = round(float(np.clip(last, P_MIN + END_MARGIN, P_MAX - END_MARGIN)), DECIMALS) if open_upper else 1.0
    need = 1.05 * MIN_STEP_MARGIN * min_step(outcome_count) * outcome_count
    if high - low < need:  # all the mass outside the range, at one end
        if open_lower and (not open_upper or low > 1 - high):
            low = round(high - need, DECIMALS)
        else:
            high = round(low + need, DECIMALS)
    return low, high


def _lift_small(steps: np.ndarray, total: float, outcome_count: int) -> np.ndarray:
    """Mix with an even spread just enough that the smallest step is above the server's minimum."""
    floor = MIN_STEP_MARGIN * min_step(outcome_count)
    even = total / len(steps)
    weight = 0.0 if steps.min() >= floor else min(1.0, (floor - steps.min()) / (even - steps.min()))
    return (1 - weight) * steps + weight * even


def _cap_large(steps: np.ndarray, cap: float) -> np.ndarray:
    """Cut steps above `cap`, handing the excess to the others in proportion to their room (one pass suffices:
    the room, outcome_count x cap, is far more than the total rise)."""
    excess = np.clip(steps - cap, 0.0, None).sum()
    if excess <= 0:
        return steps
    capped = np.minimum(steps, cap)
    room = cap - capped
    return capped + excess * room / room.sum()


def cdf_quantile(cdf: Sequence[float], level: float) -> float:
    """The position where the CDF reaches `level` (0 or 1 past an end)."""
    grid = np.linspace(0.0, 1.0, len(cdf))
    c = np.asarray(cdf, dtype=float)
    if level <= c[0]:
        return 0.0
    if level >= c[-1]:
        return 1.0
    return float(np.interp(level, c, grid))
