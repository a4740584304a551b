"""A question's plot: its latest distributions, beside its forecast history once it has one."""

from __future__ import annotations

from forecaster.events.plots import plot_question
from tests import images
from tests.events.factories import PLOT_QUESTION, plot_rows


def test_a_first_forecast_is_plotted_as_its_distributions_alone(tmp_path):
    assert images.size(plot_question(PLOT_QUESTION, *plot_rows(1), tmp_path)) == (700, 450)


def test_a_question_forecast_again_is_plotted_with_its_history_beside(tmp_path):
    assert images.size(plot_question(PLOT_QUESTION, *plot_rows(2), tmp_path)) == (1200, 450)
