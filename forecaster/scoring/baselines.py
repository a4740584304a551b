"""Reference forecasts every forecaster is compared with: a coin flip, the base rate, the market.

The base rate is never computed from the outcome it forecasts:
- ``leave_one_out``: question i gets the frequency of YES among the *other* questions of the set;
- ``resolved_before``: question i gets the frequency among questions resolved strictly before its forecast date,
  which is all a forecaster could have known then.
Both use Laplace's rule, (yes + 1) / (n + 2), so a handful of questions never yields a certain 0 or 1 and an
empty history yields 0.5. Leave-one-out is slightly anti-correlated with the outcome it forecasts (removing a YES
lowers the rate), so it scores a little worse than the in-sample rate: that is the honest price of no leakage.
On a binned decomposition that anti-correlation can look dramatic: when the two leave-one-out values (one for YES
questions, one for NO) fall on either side of a bin edge, the bins separate the outcomes perfectly, so reliability
and resolution both come out near the uncertainty and cancel. The score itself is unaffected.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

BASE_RATE_METHODS = ("leave_one_out", "resolved_before")


def constant_forecasts(n: int, value: float = 0.5) -> NDArray[np.float64]:
    """The same probability for every question."""
    if not 0 <= value <= 1:
        raise ValueError(f"a constant forecast must lie in [0, 1] (got {value})")
    return np.full(n, float(value))


def base_rate_leave_one_out(outcomes: ArrayLike) -> NDArray[np.float64]:
    """For each question, the Laplace-smoothed frequency of YES among the other questions."""
    y = np.asarray(outcomes, dtype=float).reshape(-1)
    return (y.sum() - y + 1.0) / (y.size - 1 + 2.0)


def base_rate_resolved_before(
    outcomes: ArrayLike, resolution_dates: Sequence[date | None], forecast_dates: Sequence[date | None]
) -> NDArray[np.float64]:
    """For each question, the Laplace-smoothed frequency of YES among questions resolved before its forecast date."""
    y = np.asarray(outcomes, dtype=float).reshape(-1)
    if not len(y) == len(resolution_dates) == len(forecast_dates):
        raise ValueError("outcomes, resolution dates and forecast dates differ in length")
    out = np.empty(y.size)
    for i, asked in enumerate(forecast_dates):
        if asked is None:
            raise ValueError(f"question at index {i} has no forecast_date: needed for the resolved_before base rate")
        known = np.array([r is not None and r < asked for r in resolution_dates], dtype=bool)
        out[i] = (y[known].sum() + 1.0) / (known.sum() + 2.0)
    return out
