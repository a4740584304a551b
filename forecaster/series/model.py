"""The series model: quantiles of the series at every step of a grid, from AutoETS or Chronos-2.

A fan holds the quantiles at steps 1..n of `step` days after the last history day (the day before the due date);
`at` reads any later day by linear interpolation between the steps (step 0 is the last value, certain).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from forecaster.settings import Settings

log = logging.getLogger(__name__)

# Chronos-2's 21 trained levels.
LEVELS = (0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
          0.9, 0.95, 0.99)
AUTOETS, CHRONOS = "autoets", "chronos"


@dataclass(frozen=True)
class Fan:
    """Quantile forecasts on a grid: `quantiles[k - 1]` is step k, `last + k·step` days."""

    last: dt.date
    last_value: float
    step: int
    levels: tuple[float, ...]
    quantiles: np.ndarray  # (steps, levels), each row non-decreasing

    def at(self, day: dt.date) -> np.ndarray:
        """The quantiles on `day` (after `last`, within the grid's reach)."""
        position = (day - self.last).days / self.step
        if position <= 0 or position > len(self.quantiles) + 1e-9:
            raise ValueError(f"{day} lies outside the forecast (from {self.last}, {len(self.quantiles)} steps of "
                             f"{self.step} day(s))")
        rows = np.vstack([np.full(len(self.levels), self.last_value), self.quantiles])
        low = int(np.floor(position))
        high = min(low + 1, len(rows) - 1)
        weight = position - low
        return (1 - weight) * rows[low] + weight * rows[high]

    def days(self) -> list[dt.date]:
        return [self.last + dt.timedelta(days=self.step * (k + 1)) for k in range(len(self.quantiles))]


def model_name(settings: Settings) -> str:
    """The model `[series] model` picks: "auto" is Chronos-2 when a /pooling server is configured."""
    if settings.series.model == "auto":
        return CHRONOS if settings.timeseries.server_url else AUTOETS
    return settings.series.model


def forecast_quantiles(histories: Sequence[np.ndarray], steps: int, settings: Settings) -> list[np.ndarray]:
    """(steps, len(LEVELS)) quantiles per history, each row sorted (a model may cross its quantiles)."""
    if model_name(settings) == CHRONOS:
        out = chronos_quantiles(histories, steps, settings)
    else:
        out = [autoets_quantiles(h, steps, settings.series.damped_trend) for h in histories]
    return [np.sort(q, axis=1) for q in out]


def autoets_quantiles(history: np.ndarray, steps: int, damped: bool = True) -> np.ndarray:
    """statsforecast's AutoETS: its prediction intervals are the quantiles (the median is its mean)."""
    from statsforecast.models import AutoETS

    levels = sorted({_level(q) for q in LEVELS if q != 0.5})
    if np.ptp(history) == 0:
        return np.full((steps, len(LEVELS)), float(history[-1]))  # a constant series: ETS has nothing to fit
    model = AutoETS(season_length=1, damped=True if damped else None)
    result = model.forecast(y=np.asarray(history, dtype=float), h=steps, level=levels)
    columns = [result["mean"] if q == 0.5 else result[f"{'lo' if q < 0.5 else 'hi'}-{_level(q)}"] for q in LEVELS]
    return np.column_stack([np.asarray(c, dtype=float) for c in columns])


def chronos_quantiles(histories: Sequence[np.ndarray], steps: int, settings: Settings) -> list[np.ndarray]:
    """Chronos-2, in-process or over /pooling as `[timeseries]` configures it."""
    from forecaster.timeseries.backends import build_backend
    from forecaster.timeseries.series import Series

    backend = build_backend(settings.timeseries, log)
    series = []
    for i, h in enumerate(histories):
        index = pd.date_range("2000-01-01", periods=len(h) + steps, freq="D")
        series.append(Series(f"s{i}", index[: len(h)], np.asarray(h, dtype=float), "D", index[len(h):]))
    return [f.quantiles for f in backend.forecast(series, steps, LEVELS)]


def _level(q: float) -> int | float:
    # A central interval of level L has its ends at quantiles (1 - L/100)/2 and (1 + L/100)/2.
    level = round(abs(2 * q - 1) * 100, 6)
    return int(level) if float(level).is_integer() else level
