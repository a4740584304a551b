"""One call for an evaluate flow: resolved forecast rows in; the scores table, its text and the plots out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from forecaster.scoring.plots import PlotPaths, write_plots
from forecaster.scoring.scores import ForecastRow, ScoreRow, ScoringOptions, render_table, score_table


@dataclass(frozen=True)
class ScoringSummary:
    """What an evaluation prints, stores and attaches as artifacts."""

    table: list[ScoreRow]
    text: str
    plots: PlotPaths | None


def summarise(
    rows: Sequence[ForecastRow],
    market: Mapping[str, float] | None = None,
    plots_dir: Path | None = None,
    options: ScoringOptions = ScoringOptions(),
    plot_prefix: str = "",
) -> ScoringSummary:
    """Score every agent, ensemble method and baseline; write both plots when `plots_dir` is given."""
    table = score_table(rows, market, options)
    plots = None
    if plots_dir is not None:
        plots = write_plots(rows, Path(plots_dir), market, base_rate=options.base_rate, prefix=plot_prefix)
    return ScoringSummary(table, render_table(table, options.confidence), plots)
