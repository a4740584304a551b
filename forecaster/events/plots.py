"""Per-question charts: the ensemble over time with each agent's, and the latest distributions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: runs on workers without a display
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from forecaster.names import file_stem  # noqa: E402

# Fast zlib: the PNGs are a few dozen KB either way, and the default level was a fifth of a plot's time.
PNG_OPTIONS = {"compress_level": 1}


class QuestionFigures:
    """The figures question plots are drawn on, one per layout, kept from plot to plot: making a figure and its
    axes' ticks anew was a third of a plot's time, and a round draws hundreds."""

    def __init__(self) -> None:
        self._figures: dict[bool, tuple[Figure, list[Axes]]] = {}

    def plot(self, question: dict[str, Any], ensemble_rows: Sequence[dict[str, Any]],
             agent_rows: Sequence[dict[str, Any]], out_dir: str | Path) -> Path:
        """Write `<question id>.png` (made a safe file name): the latest distributions, beside the forecast
        history (left) once the question has been forecast more than once."""
        out = Path(out_dir) / f"{file_stem(question['id'])}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        # A first forecast has no history to draw: one point per member. Left out, the figure costs half (a
        # round's questions are all new).
        over_time = len(ensemble_rows) > 1
        fig, axes = self._figure(over_time)
        if over_time:
            _history(axes[0], ensemble_rows, agent_rows)
        first = ensemble_rows[0]["probability"] if len(ensemble_rows) == 1 else None
        _latest_distributions(axes[-1], agent_rows, first)
        fig.suptitle(_wrap(question["text"], 110 if over_time else 90), fontsize=10)
        fig.savefig(out, dpi=100, pil_kwargs=PNG_OPTIONS)
        return out

    def _figure(self, over_time: bool) -> tuple[Figure, list[Axes]]:
        if over_time not in self._figures:
            self._figures[over_time] = _new_figure(over_time)
        fig, axes = self._figures[over_time]
        for ax in axes:  # the last question's lines out, and its colours: each plot's members start the cycle
            for line in list(ax.lines):
                line.remove()
            ax.set_prop_cycle(None)
        return fig, axes


def plot_question(question: dict[str, Any], ensemble_rows: Sequence[dict[str, Any]],
                  agent_rows: Sequence[dict[str, Any]], out_dir: str | Path) -> Path:
    """One question's plot, on figures of its own (see QuestionFigures.plot)."""
    return QuestionFigures().plot(question, ensemble_rows, agent_rows, out_dir)


def _new_figure(over_time: bool) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(12 if over_time else 7, 4.5))
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(1, 2 if over_time else 1, squeeze=False)[0])
    # Fixed margins (a one-line title, dates at 30 degrees): tight_layout drew the figure twice.
    fig.subplots_adjust(left=0.06 if over_time else 0.1, right=0.985, bottom=0.16 if over_time else 0.12,
                        top=0.86, wspace=0.2)
    if over_time:
        axes[0].set_ylim(0, 1)
        axes[0].set_ylabel("P(YES)")
        # A title at a set height: placing it above the ticks each time measured the whole axes.
        axes[0].set_title("Forecast over time", y=1.0, pad=6)
        axes[0].tick_params(axis="x", labelrotation=30, labelsize=7)
    axes[-1].set_xlabel("answer (%)")
    axes[-1].set_ylabel("probability")
    return fig, axes


def _history(ax: Axes, ensemble_rows: Sequence[dict], agent_rows: Sequence[dict]) -> None:
    for agent in sorted({r["agent"] for r in agent_rows}):
        rows = [r for r in agent_rows if r["agent"] == agent]
        ax.plot([_time(r) for r in rows], [r["probability"] for r in rows], "o--", alpha=0.6, label=agent)
    ax.plot([_time(r) for r in ensemble_rows], [r["probability"] for r in ensemble_rows], "o-", color="black",
            linewidth=2, label="ensemble")
    _rescale(ax)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)


def _latest_distributions(ax: Axes, agent_rows: Sequence[dict], ensemble: float | None) -> None:
    latest: dict[str, dict] = {}
    for r in agent_rows:
        latest[r["agent"]] = r
    for agent, r in sorted(latest.items()):
        ax.plot(range(101), r["distribution"], label=f"{agent} (mean {r['probability']:.2f})")
    _rescale(ax)
    ax.set_ylim(bottom=0)  # probabilities from zero: a flat distribution is drawn low and flat, not zoomed into
    ax.set_title("Latest distributions over 0..100" if ensemble is None
                 else f"Distributions over 0..100; ensemble P(YES) {ensemble:.2f}", y=1.0, pad=6)
    ax.legend(fontsize=8)


def _rescale(ax: Axes) -> None:
    """Limits from this plot's lines alone (the figure held another question's before)."""
    ax.relim()
    ax.autoscale_view()


def _time(row: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(row["created_at"])


def _wrap(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
