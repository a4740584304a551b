"""The per-source and per-band table evaluate and score print beside the baselines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecaster.learning.combiner import fit_combiner
from forecaster.learning.evaluation_report import learning_report, reference_forecasts, rows_from_scores
from forecaster.scoring.scores import ForecastRow
from tests.learning.synthetic import synthetic_round

ASKED = dt.date(2026, 1, 1)


def scored(qid: str, source: str, outcome: int, days: int, agents: dict[str, float], mean: float):
    when = ASKED + dt.timedelta(days=days)
    return [ForecastRow(qid, source, name, p, outcome, when, "agent", ASKED) for name, p in agents.items()] + [
        ForecastRow(qid, source, "mean", mean, outcome, when, "ensemble", ASKED)]


ROWS = (scored("m1", "market", 1, 40, {"a": 0.6, "crowd": 0.9}, 0.75)
        + scored("d1", "always-no", 0, 7, {"a": 0.4}, 0.4)
        + scored("d2", "coin", 1, 200, {"a": 0.7}, 0.7))


@pytest.fixture(scope="module")
def combiner():
    return fit_combiner(synthetic_round(0, np.random.default_rng(9), 40, 40, agents=False))


def test_a_question_with_a_market_value_is_a_crowd_question_and_the_others_have_horizons():
    rows, members = rows_from_scores(ROWS, {"m1": 0.9}, "mean")
    assert [(r.question_id, r.crowd, r.horizon_days) for r in rows] == [
        ("m1", 0.9, None), ("d1", None, 7), ("d2", None, 200)]
    assert members == {"mean": [0.75, 0.4, 0.7]}


def test_the_reference_is_the_crowd_on_market_questions_and_the_learned_prior_elsewhere(combiner):
    rows, members = rows_from_scores(ROWS, {"m1": 0.9}, "mean")
    columns = reference_forecasts(rows, members, combiner)
    assert list(columns) == ["0.5", "naive", "learned priors", "agents' mean", "mean"]
    assert columns["naive"].tolist() == [0.9, 0.5, 0.5]
    assert columns["learned priors"].tolist() == pytest.approx(
        [0.9, combiner.priors.rate("always-no", 7), combiner.priors.rate("coin", 200)])
    assert columns["agents' mean"].tolist() == pytest.approx([0.6, 0.4, 0.7])  # the crowd is not an agent


def test_the_report_has_a_line_per_source_and_per_band(combiner):
    text = learning_report(*rows_from_scores(ROWS, {"m1": 0.9}, "mean"), combiner)
    firsts = [line.split()[0] for line in text.splitlines() if line.strip()]
    for label in ("market", "always-no", "coin", "<=7d", ">180d", "all"):
        assert label in firsts


def test_without_a_learned_file_the_report_says_how_to_get_the_reference():
    text = learning_report(*rows_from_scores(ROWS, {"m1": 0.9}, "mean"), None)
    assert "learned priors: no learned file" in text and "forecaster calibrate" in text
