"""Fan charts of forecasts and charts of backtest scores (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecaster.timeseries.series import Forecast, Series  # noqa: E402

# Enough history to see the seasonality without squashing the horizon.
HISTORY_POINTS = 72


def _band(forecast: Forecast) -> tuple[np.ndarray, np.ndarray, str]:
    levels = forecast.quantile_levels
    lo = 0.1 if 0.1 in levels else min(levels)
    hi = 0.9 if 0.9 in levels else max(levels)
    return forecast.quantile(lo), forecast.quantile(hi), f"{lo:g}–{hi:g}"


def _median(forecast: Forecast) -> np.ndarray:
    return forecast.quantile(0.5) if 0.5 in forecast.quantile_levels else forecast.mean


def fan_chart(series: Series, forecast: Forecast, path: str | Path, title: str | None = None) -> Path:
    """History, median and the 10–90 band (or the widest requested) of one forecast, as a PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(series.timestamps[-HISTORY_POINTS:], series.target[-HISTORY_POINTS:], color="black", lw=1.2,
            label="history")
    lo, hi, label = _band(forecast)
    ax.fill_between(forecast.timestamps, lo, hi, color="tab:blue", alpha=0.25, label=f"{label} band")
    ax.plot(forecast.timestamps, _median(forecast), color="tab:blue", lw=1.8, label="median")
    ax.set_title(title or f"{series.id}: {len(forecast.timestamps)}-step forecast")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def backtest_chart(
    series: Series, actual: np.ndarray, forecasts: Mapping[str, Forecast], path: str | Path
) -> Path:
    """One held-out window: history, what happened, and each model's median (Chronos-2 with its band)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(series.timestamps[-HISTORY_POINTS:], series.target[-HISTORY_POINTS:], color="black", lw=1.2,
            label="history")
    stamps = series.future_timestamps
    ax.plot(stamps, actual, color="black", lw=1.2, ls="--", label="actual")
    for name, forecast in forecasts.items():
        line = ax.plot(stamps, _median(forecast), lw=1.5, label=name)[0]
        if name.startswith("Chronos"):
            lo, hi, _ = _band(forecast)
            ax.fill_between(stamps, lo, hi, color=line.get_color(), alpha=0.2)
    ax.set_title(f"{series.id}: backtest from {pd.Timestamp(stamps[0]).date()}")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def scores_chart(summary: pd.DataFrame, path: str | Path, metrics: Sequence[str] = ("mase", "mape", "wql")) -> Path:
    """Bar charts of each metric per model (one panel per metric)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.5))
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        ax.bar(summary["model"], summary[metric], color="tab:gray")
        ax.set_title(metric.upper())
        ax.tick_params(axis="x", rotation=30, labelsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
