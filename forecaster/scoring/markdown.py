"""The scores table in markdown, for the evaluation's Prefect artifact (PNGs: tasks/artifacts.py)."""

from __future__ import annotations

import math
from typing import Sequence

from forecaster.scoring.scores import ScoreRow


def _num(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.3f}"


def scores_markdown(table: Sequence[ScoreRow], confidence: float = 0.95) -> str:
    """One markdown table per scope: Brier and log score with intervals, and the Brier decomposition."""
    pct = f"{confidence:.0%}"
    header = ["kind", "agent / method", "n", "Brier", f"Brier {pct} CI", "log", f"log {pct} CI",
              "reliability", "resolution", "uncertainty"]
    blocks: list[str] = []
    scope = None
    for row in table:
        if row.scope != scope:
            scope = row.scope
            blocks += ["", f"**{scope}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        cells = [row.kind, row.name.replace("|", "\\|"), str(row.n), _num(row.brier),
                 f"[{_num(row.brier_ci.low)}, {_num(row.brier_ci.high)}]", _num(row.log),
                 f"[{_num(row.log_ci.low)}, {_num(row.log_ci.high)}]", _num(row.brier_reliability),
                 _num(row.brier_resolution), _num(row.brier_uncertainty)]
        blocks.append("| " + " | ".join(cells) + " |")
    return "\n".join(blocks).strip()
