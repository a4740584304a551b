"""Turning a run's stored forecasts into scoring rows: agents, every ensemble method, learned ensembles, market."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from forecaster.events.agents import AgentForecast
from forecaster.events.ensemble import METHODS, EnsembleForecast
from forecaster.errors import InputError
from forecaster.learning.evaluation_rows import (
    agent_and_ensemble_rows,
    evaluation_rows,
    file_has_outcomes,
    market_as_of,
    run_forecasts,
    split_resolved,
)
from forecaster.events.questions import Question
from forecaster.scoring.resolutions import MarketProbability, Resolution
from forecaster.scoring.store import ScoringStore
from forecaster.settings import EnsembleSettings
from forecaster.events.store import ForecastStore, QuestionResult

DAY = dt.date(2024, 7, 21)
ENSEMBLE = EnsembleSettings(method="mean", trim_fraction=0.1, extremize_factor=1.5)


def forecast(qid: str, agent: str, p: float, weight: float = 1.0) -> AgentForecast:
    return AgentForecast(qid, agent, "m", "plain", weight, (1.0,), p, 50.0, 50.0, 0.0, 0.5, False, "prompt")


def question(qid: str, source: str = "manifold", forecast_date: dt.date | None = DAY) -> Question:
    return Question(qid, f"Will {qid} happen?", forecast_date=forecast_date, source=source)


def resolution(qid: str, outcome: int, day: int = 1) -> Resolution:
    return Resolution(qid, outcome, dt.date(2024, 8, day), "test")


@pytest.fixture
def stored(tmp_path):
    """A run of two weighted agents on three questions, saved by the real store."""
    store = ForecastStore(tmp_path / "f.db")
    store.start_run("run-1", None, "mean", ["a", "b"])
    probs = {"q1": (0.9, 0.6), "q2": (0.2, 0.4), "q3": (0.5, 0.7)}
    for qid, (pa, pb) in probs.items():
        agents = (forecast(qid, "a", pa, weight=3.0), forecast(qid, "b", pb, weight=1.0))
        stored_mean = (3 * pa + pb) / 4
        result = QuestionResult(question(qid, "acled" if qid == "q3" else "manifold"), DAY, agents,
                                EnsembleForecast(qid, "mean", stored_mean, ("a", "b")))
        store.save_question("run-1", result)
    return store


def test_a_runs_forecasts_are_read_back_with_weights_and_dates(stored):
    forecasts = run_forecasts(stored, "run-1")
    assert [(f.question_id, f.agent, f.weight) for f in forecasts][:2] == [("q1", "a", 3.0), ("q1", "b", 1.0)]
    assert {f.as_of for f in forecasts} == {DAY}
    assert run_forecasts(stored, "other-run") == []


def test_every_ensemble_method_gets_a_row_and_the_mean_matches_the_stored_ensemble(stored):
    questions = [question("q1"), question("q2"), question("q3", "acled")]
    resolutions = {"q1": resolution("q1", 1), "q2": resolution("q2", 0), "q3": resolution("q3", 1)}
    rows = agent_and_ensemble_rows(run_forecasts(stored, "run-1"), questions, resolutions, ENSEMBLE)
    names = {r.agent_or_method for r in rows}
    assert names == {"a", "b", *METHODS}
    stored_mean = {r["question_id"]: r["probability"]
                   for r in stored.db.query("SELECT question_id, probability FROM ensemble_forecasts")}
    for row in rows:
        if row.agent_or_method == "mean":
            assert row.probability == pytest.approx(stored_mean[row.question_id])
    median_q2 = next(r for r in rows if r.agent_or_method == "median" and r.question_id == "q2")
    assert median_q2.probability == pytest.approx(0.2)  # agent a carries three quarters of the weight


def test_rows_carry_the_outcome_source_and_dates_of_their_question(stored):
    questions = [question("q1"), question("q3", "acled")]
    resolutions = {"q1": resolution("q1", 1, day=5), "q3": resolution("q3", 0, day=9)}
    rows = agent_and_ensemble_rows(run_forecasts(stored, "run-1"), questions, resolutions, ENSEMBLE)
    q3 = [r for r in rows if r.question_id == "q3"]
    assert {(r.source, r.outcome, r.resolution_date, r.forecast_date) for r in q3} == {
        ("acled", 0, dt.date(2024, 8, 9), DAY)}
    assert {r.kind for r in q3 if r.agent_or_method in METHODS} == {"ensemble"}
    assert {r.kind for r in q3 if r.agent_or_method in ("a", "b")} == {"agent"}


def test_unresolved_questions_are_left_out_of_the_rows(stored):
    questions = [question("q1"), question("q2")]
    rows = agent_and_ensemble_rows(run_forecasts(stored, "run-1"), questions, {"q1": resolution("q1", 1)},
                                   ENSEMBLE)
    assert {r.question_id for r in rows} == {"q1"}


def test_learned_ensembles_are_added_on_the_configured_method(stored):
    questions = [question("q1"), question("q2"), question("q3")]
    resolutions = {q.id: resolution(q.id, i % 2) for i, q in enumerate(questions)}
    rows = evaluation_rows(run_forecasts(stored, "run-1"), questions, resolutions, ENSEMBLE)
    learned = {r.agent_or_method for r in rows} - {"a", "b", *METHODS}
    assert learned == {"mean+platt", "mean+extremize", "score-weighted"}
    # Three questions are too few to fit on: each learned row falls back to the unlearned forecast.
    mean = {r.question_id: r.probability for r in rows if r.agent_or_method == "mean"}
    platt = {r.question_id: r.probability for r in rows if r.agent_or_method == "mean+platt"}
    assert platt == pytest.approx(mean)


def test_a_run_with_no_resolved_forecast_is_an_error(stored):
    with pytest.raises(InputError, match="nothing to score"):
        evaluation_rows(run_forecasts(stored, "run-1"), [question("q9")], {"q9": resolution("q9", 1)}, ENSEMBLE)


def test_split_keeps_resolved_questions_and_names_the_others():
    split = split_resolved([question("q1"), question("q2")], {"q2": resolution("q2", 0)})
    assert [q.id for q in split.resolved] == ["q2"]
    assert split.unresolved == ["q1"]


def test_a_resolved_question_without_forecast_date_is_rejected_by_name():
    with pytest.raises(InputError, match=r"question 'q1': field 'forecast_date' is required"):
        split_resolved([question("q1", forecast_date=None)], {"q1": resolution("q1", 1)})


def test_the_market_is_read_as_it_stood_on_the_forecast_date(tmp_path):
    store = ScoringStore(tmp_path / "m.db")
    store.save([], [MarketProbability("q1", 0.3, dt.date(2024, 7, 1)), MarketProbability("q1", 0.4, DAY),
                  MarketProbability("q1", 0.9, dt.date(2024, 8, 1)), MarketProbability("q2", 0.7, dt.date(2024, 9, 1))])
    assert market_as_of(store, [question("q1"), question("q2"), question("q3")]) == {"q1": 0.4}


def test_only_jsonl_files_with_an_outcome_field_are_resolutions_files(tmp_path):
    with_outcomes = tmp_path / "a.jsonl"
    with_outcomes.write_text(json.dumps({"id": "x", "question": "Q?"}) + "\n"
                             + json.dumps({"id": "y", "question": "Q?", "outcome": 1}) + "\n")
    without = tmp_path / "b.jsonl"
    without.write_text(json.dumps({"id": "x", "question": "Q?"}) + "\n")
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("- question: Q?\n  outcome: 1\n")
    assert file_has_outcomes(with_outcomes)
    assert not file_has_outcomes(without)
    assert not file_has_outcomes(yaml_file)
