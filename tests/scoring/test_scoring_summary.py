"""The evaluate flow's entry point, end to end on the dev file's real outcomes and market probabilities."""

from datetime import date

import pytest

from forecaster.scoring.scores import ForecastRow, ScoringOptions
from forecaster.scoring.summary import summarise
from tests.shared_data import dev_records


@pytest.fixture(scope="module")
def dev():
    records = dev_records()
    # A stand-in agent that always says 0.3 (the forecasts are not the point here; the harness is).
    rows = [
        ForecastRow(r["id"], r["source"], "always-0.3", 0.3, r["outcome"], date.fromisoformat(r["resolution_date"]))
        for r in records
    ]
    market = {r["id"]: r["market_probability"] for r in records if r["market_probability"] is not None}
    return records, rows, market


def test_summary_scores_the_dev_file_against_market_and_coin(dev, tmp_path):
    records, rows, market = dev
    summary = summarise(rows, market, tmp_path, ScoringOptions(n_resamples=300))
    by = {(r.scope, r.name): r for r in summary.table}
    yes = sum(r["outcome"] for r in records)
    # Always 0.3: YES questions lose 0.49, NO questions 0.09.
    assert by[("all", "always-0.3")].brier == pytest.approx((0.49 * yes + 0.09 * (len(records) - yes)) / len(records))
    assert by[("all", "constant 0.5")].brier == 0.25
    assert by[("all", "market")].n == len(market) == sum(r["market_probability"] is not None for r in records)
    assert "[with market]" in summary.text and "always-0.3" in summary.text
    assert summary.plots.calibration.exists() and summary.plots.brier_over_time.exists()
