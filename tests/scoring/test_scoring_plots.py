"""Calibration and Brier-over-time plots are written as PNG images that show their data."""

from datetime import date

import pytest

from forecaster.scoring.plots import cumulative_brier, write_plots
from forecaster.scoring.scores import ForecastRow
from tests.images import differ, size

# figsize in inches x dpi 110 (forecaster/scoring/plots.py)
CALIBRATION_SIZE, BRIER_SIZE = (770, 770), (990, 550)


def rows_of(agent_b: float) -> list[ForecastRow]:
    return [
        ForecastRow(f"q{i}", "manifold", agent, p, i % 2, date(2024, 7, 20 + i))
        for i in range(8)
        for agent, p in (("a", 0.1 + 0.1 * i), ("b", agent_b))
    ]


def test_cumulative_brier_steps_once_per_resolution_date():
    d1, d2 = date(2024, 7, 28), date(2024, 8, 2)
    days, values = cumulative_brier([(d2, 0.5), (d1, 0.1), (d1, 0.3)])
    assert days == [d1, d2]
    # After d1: (0.1 + 0.3)/2; after d2: (0.1 + 0.3 + 0.5)/3.
    assert values.tolist() == pytest.approx([0.2, 0.3])


def test_both_plots_are_png_images_of_their_figure_size(tmp_path):
    paths = write_plots(rows_of(0.6), tmp_path / "plots", market={"q1": 0.7, "q2": 0.4})
    assert size(paths.calibration) == CALIBRATION_SIZE
    assert size(paths.brier_over_time) == BRIER_SIZE
    assert not list((tmp_path / "plots").glob("*.partial"))


def test_different_forecasts_draw_different_plots(tmp_path):
    first = write_plots(rows_of(0.6), tmp_path / "first")
    second = write_plots(rows_of(0.9), tmp_path / "second")
    assert differ(first.calibration, second.calibration)
    assert differ(first.brier_over_time, second.brier_over_time)


def test_the_same_forecasts_draw_the_same_plots(tmp_path):
    # The control for the test above: the images differ because of the data, not from run to run.
    first = write_plots(rows_of(0.6), tmp_path / "first")
    second = write_plots(rows_of(0.6), tmp_path / "second")
    assert not differ(first.calibration, second.calibration)
    assert not differ(first.brier_over_time, second.brier_over_time)
