"""The scores table in markdown, as the evaluation's artifact shows it."""

from __future__ import annotations

import datetime as dt

from forecaster.scoring.markdown import scores_markdown
from forecaster.scoring.scores import ForecastRow, ScoringOptions, score_table


def test_the_markdown_table_has_a_block_per_scope_and_a_line_per_forecaster():
    rows = [ForecastRow(f"q{i}", "manifold" if i % 2 else "acled", "agent|x", 0.8 if i % 2 else 0.3, i % 2,
                        dt.date(2024, 8, 1 + i)) for i in range(6)]
    table = score_table(rows, {"q1": 0.9}, ScoringOptions(n_resamples=100))
    markdown = scores_markdown(table)
    for scope in ("all", "source=acled", "source=manifold", "with market"):
        assert f"**{scope}**" in markdown
    line = next(line for line in markdown.splitlines() if line.startswith("| agent |"))
    assert "agent\\|x" in line  # a pipe in a name cannot break the table
    all_block = markdown.split("**source=acled**")[0]
    assert sum(line.startswith("| ") for line in all_block.splitlines()) == 1 + 4  # header + agent, 3 baselines
    brier = next(r for r in table if r.scope == "all" and r.name == "agent|x").brier
    assert f"| {brier:.3f} |" in all_block
