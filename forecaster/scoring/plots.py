"""PNG plots of a scores table's forecasts: a reliability diagram and the Brier score over time.

Figures are built with matplotlib's object API on the Agg canvas (no pyplot state), so plotting is safe from
worker threads and never needs a display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from forecaster.scoring.reliability import DEFAULT_BINS, reliability_bins
from forecaster.scoring.scores import ForecastRow, forecasts_by_name

Series = tuple[np.ndarray, np.ndarray, list[date | None]]


@dataclass(frozen=True)
class PlotPaths:
    """Where the plots were written."""

    calibration: Path
    brier_over_time: Path


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a failed save never leaves half a PNG under the final name.
    partial = path.with_name(path.name + ".partial")
    FigureCanvasAgg(fig)
    fig.savefig(partial, format="png", dpi=110)
    partial.replace(path)
    return path


def calibration_plot(series: Mapping[str, Series], path: Path, n_bins: int = DEFAULT_BINS) -> Path:
    """A reliability diagram: observed frequency against mean forecast per bin, one line per forecaster."""
    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for name, (p, y, _) in series.items():
        bins = reliability_bins(p, y, n_bins)
        if not bins:
            continue
        x = [b.mean_forecast for b in bins]
        freq = [b.observed_frequency for b in bins]
        sizes = [20 + 8 * b.count for b in bins]
        (line,) = ax.plot(x, freq, marker="", linewidth=1.2, label=f"{name} (n={len(p)})")
        ax.scatter(x, freq, s=sizes, color=line.get_color(), alpha=0.7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean forecast in bin")
    ax.set_ylabel("observed frequency of YES")
    ax.set_title(f"Calibration ({n_bins} bins; marker area ∝ questions)")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def cumulative_brier(dated: Sequence[tuple[date, float]]) -> tuple[list[date], np.ndarray]:
    """Mean Brier loss of all questions resolved on or before each distinct date, in date order."""
    dated = sorted(dated, key=lambda t: t[0])
    running = np.cumsum([loss for _, loss in dated]) / np.arange(1, len(dated) + 1)
    # The value after the last question of each date: same-day resolutions are one step, not a ladder.
    last_of_day = {d: i for i, (d, _) in enumerate(dated)}
    days = sorted(last_of_day)
    return days, np.array([running[last_of_day[d]] for d in days])


def brier_over_time_plot(series: Mapping[str, Series], path: Path) -> Path:
    """Cumulative mean Brier score of the questions resolved up to each date, one line per forecaster."""
    fig = Figure(figsize=(9, 5))
    ax = fig.add_subplot(1, 1, 1)
    for name, (p, y, dates) in series.items():
        dated = [(d, (pi - yi) ** 2) for pi, yi, d in zip(p, y, dates) if d is not None]
        if not dated:
            continue
        days, cumulative = cumulative_brier(dated)
        ax.step(days, cumulative, where="post", marker=".", label=name)
    ax.set_xlabel("resolution date")
    ax.set_ylabel("mean Brier score of questions resolved so far")
    ax.set_ylim(bottom=0)
    ax.set_title("Brier score over time (lower is better)")
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, path)


def write_plots(
    rows: Sequence[ForecastRow],
    out_dir: Path,
    market: Mapping[str, float] | None = None,
    names: Sequence[str] | None = None,
    base_rate: str = "leave_one_out",
    prefix: str = "",
) -> PlotPaths:
    """Both plots for the forecasters in `rows` (and the baselines), or only those named in `names`."""
    series = forecasts_by_name(rows, market, base_rate)
    if names is not None:
        series = {n: series[n] for n in names if n in series}
    out_dir = Path(out_dir)
    return PlotPaths(
        calibration=calibration_plot(series, out_dir / f"{prefix}calibration.png"),
        brier_over_time=brier_over_time_plot(series, out_dir / f"{prefix}brier_over_time.png"),
    )
