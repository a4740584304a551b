"""The crowd as an ensemble member, and `sees_crowd` in the prompt (no model: prompts, pools, store, plots)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecaster.events.crowd import crowd_forecast, pooled
from forecaster.events.plots import plot_question
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question
from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.learning.combiner import fit_combiner
from forecaster.settings import AgentSpec, EnsembleSettings
from tests.events.factories import agent_forecast
from tests.learning.synthetic import synthetic_round

DAY = dt.date(2026, 2, 15)
MARKET = Question("q-market", "Will the market resolve YES?", dt.date(2026, 6, 30), source="coin",
                  market_probability=0.637)
PLAIN = Question("q-plain", "Will the series rise?", dt.date(2026, 2, 22), source="coin")


def prompt_lines(crowd: float | None) -> list[str]:
    parts = forecast_prompt(None, MARKET, "plain", DAY, (), None, crowd)
    return parts.text.splitlines()


def test_seeing_the_crowd_adds_its_number_to_the_prompt_and_changes_nothing_else():
    seen, unseen = prompt_lines(0.637), prompt_lines(None)
    added = [line for line in seen if line not in unseen]
    assert added == ["Crowd forecast: the market or community puts the probability of YES at 64%."]
    assert [line for line in seen if line not in added] == unseen


def test_an_agent_keeps_the_crowd_out_of_its_prompt_by_default():
    assert AgentSpec(name="a", model="m").sees_crowd is False
    assert not any("64%" in line for line in prompt_lines(None))


def test_the_crowd_member_forecasts_the_crowds_number_exactly():
    crowd = crowd_forecast(MARKET, weight=2.0)
    assert (crowd.agent, crowd.weight) == ("crowd", 2.0)
    assert crowd.probability == pytest.approx(0.637)
    assert sum(crowd.distribution) == pytest.approx(1.0)
    assert np.dot(range(101), crowd.distribution) / 100 == pytest.approx(0.637)


def test_a_question_without_a_crowd_forecast_has_no_crowd_member():
    assert crowd_forecast(PLAIN, weight=1.0) is None


def test_the_crowd_is_pooled_with_its_configured_weight():
    members = [agent_forecast(MARKET.id, "a", 20), crowd_forecast(MARKET, weight=3.0)]
    ensemble = pooled(MARKET, DAY, members, EnsembleSettings(crowd_weight=3.0), "mean")
    assert ensemble.probability == pytest.approx((0.20 + 3 * 0.637) / 4)
    assert ensemble.agents == ("a", "crowd")


def test_the_crowd_alone_is_no_ensemble():
    assert pooled(MARKET, DAY, [crowd_forecast(MARKET, 1.0)], EnsembleSettings(), "mean") is None


def test_the_learned_method_falls_back_to_the_plain_one_for_a_source_it_does_not_know():
    combiner = fit_combiner(synthetic_round(0, np.random.default_rng(2), 30, 30, agents=False))
    elsewhere = Question("q-x", "Will it?", dt.date(2026, 3, 1), source="elsewhere")
    members = [agent_forecast("q-x", "a", 20), agent_forecast("q-x", "b", 40)]
    ensemble = pooled(elsewhere, DAY, members, EnsembleSettings(method="learned"), "learned", combiner)
    assert (ensemble.method, ensemble.probability) == ("mean", pytest.approx(0.30))
    assert "'elsewhere' is not in the learned file" in ensemble.note


def test_the_learned_method_combines_a_known_source_and_says_agents_weigh_nothing():
    combiner = fit_combiner(synthetic_round(0, np.random.default_rng(2), 30, 30, agents=False))
    members = [agent_forecast(PLAIN.id, "a", 90)]
    ensemble = pooled(PLAIN, DAY, members, EnsembleSettings(method="learned"), "learned", combiner)
    assert ensemble.method == "learned"
    assert ensemble.probability == pytest.approx(combiner.combine("coin", 7, None, {}).probability)
    assert "no agent weights" in ensemble.note


def test_the_crowd_member_is_stored_like_an_agent_and_plotted(tmp_path):
    members = (agent_forecast(MARKET.id, "a", 20), crowd_forecast(MARKET, 1.0))
    ensemble = pooled(MARKET, DAY, members, EnsembleSettings(), "mean")
    store = ForecastStore(tmp_path / "f.db")
    store.start_run("run-1", None, "mean", ["a"])
    store.save_question("run-1", QuestionResult(MARKET, DAY, members, ensemble))
    history = store.agent_history(MARKET.id)
    assert {r["agent"]: r["probability"] for r in history} == {"a": 0.2, "crowd": pytest.approx(0.637)}
    question, ensemble_rows = store.question(MARKET.id), store.ensemble_history(MARKET.id)
    with_crowd = plot_question(question, ensemble_rows, history, tmp_path / "with").read_bytes()
    without = plot_question(question, ensemble_rows, [r for r in history if r["agent"] != "crowd"],
                            tmp_path / "without").read_bytes()
    assert with_crowd != without
