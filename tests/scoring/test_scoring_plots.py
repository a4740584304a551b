"""Calibration and Brier-over-time plots are written as PNG files."""

from datetime import date

import pytest

from forecaster.scoring.plots import cumulative_brier, write_plots
from forecaster.scoring.report import ForecastRow

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_cumulative_brier_steps_once_per_resolution_date():
    d1, d2 = date(2024, 7, 28), date(2024, 8, 2)
    days, values = cumulative_brier([(d2, 0.5), (d1, 0.1), (d1, 0.3)])
    assert days == [d1, d2]
    # After d1: (0.1 + 0.3)/2; after d2: (0.1 + 0.3 + 0.5)/3.
    assert values.tolist() == pytest.approx([0.2, 0.3])


def test_both_plots_are_written_as_png(tmp_path):
    rows = [
        ForecastRow(f"q{i}", "manifold", agent, p, i % 2, date(2024, 7, 20 + i))
        for i in range(8)
        for agent, p in (("a", 0.1 + 0.1 * i), ("b", 0.6))
    ]
    paths = write_plots(rows, tmp_path / "plots", market={"q1": 0.7, "q2": 0.4})
    for path in (paths.calibration, paths.brier_over_time):
        assert path.read_bytes()[:8] == PNG_MAGIC
    assert not list((tmp_path / "plots").glob("*.partial"))
