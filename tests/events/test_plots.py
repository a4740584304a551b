"""A question's plot: its latest distributions, beside its forecast history once it has one."""

from __future__ import annotations

from forecaster.events.plots import QuestionFigures, plot_question
from tests import images
from tests.events.factories import PLOT_QUESTION, plot_rows


def test_a_first_forecast_is_plotted_as_its_distributions_alone(tmp_path):
    assert images.size(plot_question(PLOT_QUESTION, *plot_rows(1), tmp_path)) == (700, 450)


def test_a_question_forecast_again_is_plotted_with_its_history_beside(tmp_path):
    assert images.size(plot_question(PLOT_QUESTION, *plot_rows(2), tmp_path)) == (1200, 450)


def test_figures_that_drew_another_question_draw_the_same_plot_as_new_ones(tmp_path):
    ensemble, agents = plot_rows(2)
    other_ensemble, other_agents = plot_rows(3)
    other_agents = [{**row, "agent": f"other-{row['agent']}", "probability": 0.8} for row in other_agents]
    figures = QuestionFigures()
    figures.plot({"id": "q-other", "text": "Will something else happen?"}, other_ensemble, other_agents, tmp_path)
    reused = figures.plot(PLOT_QUESTION, ensemble, agents, tmp_path / "reused").read_bytes()
    assert reused == plot_question(PLOT_QUESTION, ensemble, agents, tmp_path / "new").read_bytes()
