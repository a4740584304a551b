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
    """Write `<question id>.png` (made a safe file name) with the forecast history (left) and latest distributions (right)."""
    out = Path(out_dir) / f"{file_stem(question['id'])}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig, (history, latest) = plt.subplots(1, 2, figsize=(12, 4.5))
    _history(history, ensemble_rows, agent_rows)
    _latest_distributions(latest, agent_rows)
    fig.suptitle(_wrap(question["text"]), fontsize=10)
    # Fixed margins (a one-line title, dates at 30 degrees): tight_layout drew the figure twice, a third of a
    # round's plotting time.
    fig.subplots_adjust(left=0.06, right=0.985, bottom=0.16, top=0.86, wspace=0.2)
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


def _latest_distributions(ax: Any, agent_rows: Sequence[dict]) -> None:
    latest: dict[str, dict] = {}
    for r in agent_rows:
        latest[r["agent"]] = r
    for agent, r in sorted(latest.items()):
        ax.plot(range(101), r["distribution"], label=f"{agent} (mean {r['probability']:.2f})")
    ax.set_xlabel("answer (%)")
    ax.set_ylabel("probability")
    ax.set_title("Latest distributions over 0..100")
    ax.legend(fontsize=8)


def _time(row: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(row["created_at"])


def _wrap(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
