"""The boundary types: a validated series going in, a quantile forecast coming out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Series:
    """One validated series: history, covariates, and the timestamps of the horizon."""

    id: str
    timestamps: pd.DatetimeIndex
    target: np.ndarray
    freq: str
    future_timestamps: pd.DatetimeIndex
    # Covariates known only over the history (same length as `target`).
    past_covariates: dict[str, np.ndarray] = field(default_factory=dict)
    # Covariates also known over the horizon: history part here, horizon part in `future_covariates`.
    future_covariates: dict[str, np.ndarray] = field(default_factory=dict)

    def chronos_input(self) -> dict:
        """The input dict Chronos-2 takes (and the `/pooling` schema mirrors)."""
        past = {**self.past_covariates}
        past.update({name: values[: len(self.target)] for name, values in self.future_covariates.items()})
        item: dict = {"target": self.target}
        if past:
            item["past_covariates"] = past
        if self.future_covariates:
            item["future_covariates"] = {
                name: values[len(self.target):] for name, values in self.future_covariates.items()
            }
        return item

    def truncated(self, length: int, horizon: int) -> "Series":
        """The first `length` points as history, the next `horizon` as the horizon (for backtests)."""
        if length + horizon > len(self.target):
            raise ValueError(f"series {self.id!r}: cannot hold out {horizon} points after {length}")
        end = length + horizon
        return Series(
            id=self.id,
            timestamps=self.timestamps[:length],
            target=self.target[:length],
            freq=self.freq,
            future_timestamps=self.timestamps[length:end],
            past_covariates={k: v[:length] for k, v in self.past_covariates.items()},
            future_covariates={k: v[:end] for k, v in self.future_covariates.items()},
        )


@dataclass(frozen=True)
class Forecast:
    """Quantile forecast of one series over its horizon."""

    series_id: str
    timestamps: pd.DatetimeIndex
    quantile_levels: tuple[float, ...]
    quantiles: np.ndarray  # (horizon, len(quantile_levels))
    mean: np.ndarray  # (horizon,)

    def quantile(self, level: float) -> np.ndarray:
        """The forecast at one of the requested levels."""
        return self.quantiles[:, self.quantile_levels.index(level)]
