"""Per-question charts: the ensemble over time with each agent's, and the latest distributions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: runs on workers without a display
import matplotlib.pyplot as plt  # noqa: E402

from forecaster.names import file_stem  # noqa: E402


def plot_question(question: dict[str, Any], ensemble_rows: Sequence[dict[str, Any]],
                  agent_rows: Sequence[dict[str, Any]], out_dir: str | Path) -> Path:
    """Write `<question id>.png` (made a safe file name): the latest distributions, beside the forecast history
    (left) once the question has been forecast more than once."""
    out = Path(out_dir) / f"{file_stem(question['id'])}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    # A first forecast has no history to draw: one point per member. Left out, the figure costs half (a round's
    # questions are all new, and their plots were a fifth of its time on 2 cores).
    over_time = len(ensemble_rows) > 1
    fig, axes = plt.subplots(1, 2 if over_time else 1, figsize=(12 if over_time else 7, 4.5), squeeze=False)
    if over_time:
        _history(axes[0][0], ensemble_rows, agent_rows)
    first = ensemble_rows[0]["probability"] if len(ensemble_rows) == 1 else None
    _latest_distributions(axes[0][-1], agent_rows, first)
    fig.suptitle(_wrap(question["text"], 110 if over_time else 90), fontsize=10)
    # Fixed margins (a one-line title, dates at 30 degrees): tight_layout drew the figure twice, a third of a
    # round's plotting time.
    fig.subplots_adjust(left=0.06 if over_time else 0.1, right=0.985, bottom=0.16 if over_time else 0.12,
                        top=0.86, wspace=0.2)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _history(ax: Any, ensemble_rows: Sequence[dict], agent_rows: Sequence[dict]) -> None:
    for agent in sorted({r["agent"] for r in agent_rows}):
        rows = [r for r in agent_rows if r["agent"] == agent]
        ax.plot([_time(r) for r in rows], [r["probability"] for r in rows], "o--", alpha=0.6, label=agent)
    ax.plot([_time(r) for r in ensemble_rows], [r["probability"] for r in ensemble_rows], "o-", color="black",
            linewidth=2, label="ensemble")
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(YES)")
    ax.set_title("Forecast over time")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _latest_distributions(ax: Any, agent_rows: Sequence[dict], ensemble: float | None) -> None:
    latest: dict[str, dict] = {}
    for r in agent_rows:
        latest[r["agent"]] = r
    for agent, r in sorted(latest.items()):
        ax.plot(range(101), r["distribution"], label=f"{agent} (mean {r['probability']:.2f})")
    ax.set_xlabel("answer (%)")
    ax.set_ylabel("probability")
    ax.set_title("Latest distributions over 0..100" if ensemble is None
                 else f"Distributions over 0..100; ensemble P(YES) {ensemble:.2f}")
    ax.legend(fontsize=8)


def _time(row: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(row["created_at"])


def _wrap(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
