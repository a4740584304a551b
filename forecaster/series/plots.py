"""The member's chart: the series' history, the forecast fan to the resolution date, and the reference line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: runs on workers without a display
import matplotlib.pyplot as plt  # noqa: E402

from forecaster.names import file_stem  # noqa: E402

BANDS = ((0.05, 0.95), (0.1, 0.9), (0.25, 0.75))


def plot_series_member(row: dict[str, Any], out_dir: str | Path) -> Path:
    """Write `<question id>-series.png` from a stored member forecast (`MemberStore.latest`)."""
    out = Path(out_dir) / f"{file_stem(row['question_id'])}-series.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    history = row["history"]
    ax.plot([_day(d) for d in history["dates"]], history["values"], color="black", linewidth=1, label="history")
    days = [_day(d) for d in row["fan"]["days"]]
    levels = row["levels"]
    quantiles = row["fan"]["quantiles"]
    if days:
        for (low, high), alpha in zip(BANDS, (0.15, 0.25, 0.35)):
            i, j = levels.index(low), levels.index(high)
            ax.fill_between(days, [q[i] for q in quantiles], [q[j] for q in quantiles], color="tab:blue",
                            alpha=alpha, linewidth=0, label=f"{round(100 * (high - low))}% band")
        ax.plot(days, [q[levels.index(0.5)] for q in quantiles], color="tab:blue", label="median")
    what = "reference" if row["reference_known"] else "last value (due date's forecast)"
    ax.axhline(row["reference"], color="tab:red", linestyle="--", label=f"{what} {row['reference']:.4g}")
    ax.axvline(_day(row["resolution_date"]), color="grey", linestyle=":", label="resolution date")
    ax.set_title(f"{row['source']}:{row['series_id']} ({row['model']}): P(higher on {row['resolution_date']}) = "
                 f"{row['probability']:.2f}", fontsize=10)
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
