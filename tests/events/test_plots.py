"""A question's plot: its latest distributions, beside its forecast history once it has one."""

from __future__ import annotations

import datetime as dt

from forecaster.events.plots import plot_question
from tests import images

QUESTION = {"id": "q-plot", "text": "Will a crewed spacecraft land on Mars by 2027-06-30?"}


def _rows(times: int) -> tuple[list[dict], list[dict]]:
    stamps = [(dt.datetime(2026, 1, 1) + dt.timedelta(days=7 * k)).isoformat() for k in range(times)]
    ensemble = [{"created_at": s, "probability": 0.3 + 0.1 * k} for k, s in enumerate(stamps)]
    peaked = [0.0] * 101
    peaked[30] = 1.0
    agents = [{"agent": a, "created_at": s, "probability": 0.3, "distribution": peaked}
              for s in stamps for a in ("a", "b")]
    return ensemble, agents


def test_a_first_forecast_is_plotted_as_its_distributions_alone(tmp_path):
    assert images.size(plot_question(QUESTION, *_rows(1), tmp_path)) == (700, 450)


def test_a_question_forecast_again_is_plotted_with_its_history_beside(tmp_path):
    assert images.size(plot_question(QUESTION, *_rows(2), tmp_path)) == (1200, 450)
