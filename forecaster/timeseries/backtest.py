"""Hold out the last horizon (or rolling windows) and score Chronos-2 against classical baselines."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Sequence

import pandas as pd

from forecaster.errors import InputError
from forecaster.timeseries.backends import ForecastBackend
from forecaster.timeseries.baselines import BASELINES, baseline_forecasts
from forecaster.timeseries.metrics import mape, mase, weighted_quantile_loss
from forecaster.timeseries.seasonality import season_length as season_of
from forecaster.timeseries.series import Forecast, Series
from forecaster.timeseries.store import ModelForecast

CHRONOS = "Chronos-2"
MODELS = (CHRONOS, *BASELINES)


@dataclass(frozen=True)
class BacktestResult:
    """Every model's forecast of every held-out window, and the scores per (model, window, series)."""

    horizon: int
    quantile_levels: tuple[float, ...]
    windows: int
    forecasts: list[ModelForecast]
    metrics: pd.DataFrame  # columns: model, window, series_id, mase, mape, wql

    def summary(self) -> pd.DataFrame:
        """Mean score per model over series and windows, Chronos-2 first."""
        table = self.metrics.groupby("model", sort=False)[["mase", "mape", "wql"]].mean().reset_index()
        table["order"] = table["model"].map({m: i for i, m in enumerate(MODELS)})
        return table.sort_values("order").drop(columns="order").reset_index(drop=True)


def window_cutoffs(length: int, horizon: int, windows: int) -> list[int]:
    """History lengths of the held-out windows: the last `windows` blocks of `horizon` points."""
    return [length - horizon * (windows - k) for k in range(windows)]


def split_windows(series: Sequence[Series], horizon: int, windows: int, min_points: int) -> list[list[Series]]:
    """Per window, every series cut at that window's cutoff (history) with the next `horizon` points held out."""
    for s in series:
        first = window_cutoffs(len(s.target), horizon, windows)[0]
        if first < min_points:
            raise InputError(
                f"series {s.id!r}: too few points for {windows} backtest window(s) of {horizon} "
                f"({len(s.target)} points leave {first} for history, at least {min_points} needed)"
            )
    return [
        [s.truncated(window_cutoffs(len(s.target), horizon, windows)[k], horizon) for s in series]
        for k in range(windows)
    ]


def run_backtest(
    series: Sequence[Series],
    backend: ForecastBackend,
    horizon: int,
    quantile_levels: Sequence[float],
    *,
    windows: int = 1,
    season_length: int | None = None,
    min_points: int = 5,
) -> BacktestResult:
    """Forecast each held-out window with Chronos-2 and the baselines and score them against the actuals."""
    levels = tuple(quantile_levels)
    actual = {s.id: s.target for s in series}
    forecasts: list[ModelForecast] = []
    rows = []
    for k, cut in enumerate(split_windows(series, horizon, windows, min_points)):
        by_model = {CHRONOS: backend.forecast(cut, horizon, levels)}
        for freq, group in groupby(sorted(cut, key=lambda s: s.freq), key=lambda s: s.freq):
            group = list(group)
            m = season_length or season_of(freq)
            for name, fcs in baseline_forecasts(group, horizon, levels, m).items():
                by_model.setdefault(name, []).extend(fcs)
        for name, fcs in by_model.items():
            for fc in fcs:
                hist = next(s for s in cut if s.id == fc.series_id)
                truth = actual[fc.series_id][len(hist.target): len(hist.target) + horizon]
                rows.append(_score(name, k, hist, truth, fc, season_length or season_of(hist.freq)))
                forecasts.append(ModelForecast(name, k, fc))
    return BacktestResult(horizon, levels, windows, forecasts, pd.DataFrame(rows))


def _score(model: str, window: int, history: Series, truth, forecast: Forecast, m: int) -> dict:
    point = forecast.quantile(0.5) if 0.5 in forecast.quantile_levels else forecast.mean
    return {
        "model": model,
        "window": window,
        "series_id": forecast.series_id,
        "mase": mase(truth, point, history.target, m),
        "mape": mape(truth, point),
        "wql": weighted_quantile_loss(truth, forecast.quantiles, forecast.quantile_levels),
    }


def markdown_table(summary: pd.DataFrame) -> str:
    """The per-model summary as a markdown table (MAPE in percent)."""
    lines = ["| model | MASE | MAPE % | wQL |", "|---|---:|---:|---:|"]
    lines += [f"| {r.model} | {r.mase:.3f} | {r.mape:.2f} | {r.wql:.4f} |" for r in summary.itertuples()]
    return "\n".join(lines)
