"""Charts of questions that are not yes/no: bars per option (latest) and each option over time; latest CDFs on the
question's scale and the ensemble's fan (median, 50% and 80% bands) over time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: runs on workers without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from forecaster.events.typed.cdf import cdf_quantile  # noqa: E402
from forecaster.events.typed.choice import labels  # noqa: E402
from forecaster.events.typed.fields import DATE  # noqa: E402
from forecaster.events.typed.scale import Scale  # noqa: E402
from forecaster.events.typed.values import CHOICE  # noqa: E402
from forecaster.events.typed_store import ENSEMBLE  # noqa: E402
from forecaster.names import file_stem  # noqa: E402


def plot_typed(question, rows: Sequence[dict[str, Any]], out_dir: str | Path) -> Path:
    """Write `<question id>.png`: latest forecasts (left), the ensemble over time (right)."""
    out = Path(out_dir) / f"{file_stem(question.id)}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig, (latest, history) = plt.subplots(1, 2, figsize=(12, 4.5))
    latest_rows = {r["member"]: r for r in rows}
    ensemble = [r for r in rows if r["member"] == ENSEMBLE]
    if rows and rows[-1]["kind"] == CHOICE:
        _bars(latest, question, latest_rows)
        _options_over_time(history, question, ensemble)
    else:
        _cdfs(latest, question, latest_rows)
        _fan(history, question, ensemble)
    fig.suptitle(question.text if len(question.text) <= 110 else question.text[:109] + "…", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _bars(ax: Any, question, latest: dict[str, dict]) -> None:
    names = labels(len(question.options))
    width = 0.8 / max(len(latest), 1)
    for k, (member, row) in enumerate(sorted(latest.items())):
        ax.bar(np.arange(len(names)) + k * width, row["values"], width, label=member,
               color="black" if member == ENSEMBLE else None)
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, [f"{n}) {o[:14]}" for n, o in zip(names, question.options)],
                  fontsize=7, rotation=20)
    ax.set_ylabel("probability")
    ax.set_title("Latest probabilities per option")
    ax.legend(fontsize=8)


def _options_over_time(ax: Any, question, ensemble: Sequence[dict]) -> None:
    times = [_time(r) for r in ensemble]
    for index, option in enumerate(question.options):
        ax.plot(times, [r["values"][index] for r in ensemble], "o-", label=option[:20])
    ax.set_ylim(0, 1)
    ax.set_title("Ensemble per option over time")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _cdfs(ax: Any, question, latest: dict[str, dict]) -> None:
    scale = Scale.of(question)
    for member, row in sorted(latest.items()):
        xs = [_axis(scale, scale.value(x)) for x in np.linspace(0, 1, len(row["values"]))]
        ax.plot(xs, row["values"], linewidth=2.5 if member == ENSEMBLE else 1, label=member,
                color="black" if member == ENSEMBLE else None)
    if scale.zero_point is not None:
        ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(outcome <= x)")
    ax.set_title(f"Latest CDFs{' (' + question.unit + ')' if question.unit else ''}")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _fan(ax: Any, question, ensemble: Sequence[dict]) -> None:
    scale = Scale.of(question)
    times = [_time(r) for r in ensemble]
    at = lambda level: [_axis(scale, scale.value(cdf_quantile(r["values"], level))) for r in ensemble]  # noqa: E731
    ax.fill_between(times, at(0.1), at(0.9), alpha=0.2, color="tab:blue", label="80%")
    ax.fill_between(times, at(0.25), at(0.75), alpha=0.35, color="tab:blue", label="50%")
    ax.plot(times, at(0.5), "o-", color="black", label="median")
    if scale.zero_point is not None:
        ax.set_yscale("log")
    ax.set_title("Ensemble over time")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _axis(scale: Scale, value: float) -> Any:
    return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc) if scale.kind == DATE else value


def _time(row: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(row["created_at"])
