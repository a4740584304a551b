"""The report `score` adds: a stored run of a real ForecastBench slice, per source and band (real SQLite, no model)."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.events.crowd import crowd_forecast, pooled
from forecaster.question_files import load_questions
from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.feeds.forecastbench import read_resolution_set
from forecaster.feeds.forecastbench_runs import read_run_round
from forecaster.learning.evaluation_report import learning_report, rows_from_round
from forecaster.learning.rounds import read_round, stored_run_members
from forecaster.learning.combiner import fit_combiner
from forecaster.learning.round_scores import score_round
from forecaster.settings import EnsembleSettings
from tests.events.factories import agent_forecast
from tests.feeds.round_files import DUE, question_set_path, resolution_set_path, set_slice


@pytest.fixture
def stored(tmp_path):
    """A run of a slice (two market questions, three dataset ones): agent 'a' says 30% everywhere."""
    questions = load_questions(set_slice(tmp_path, 2, 3))
    store = ForecastStore(tmp_path / "forecaster.db")
    store.start_run("run-1", None, "mean", ["a"])
    day = dt.date.fromisoformat(DUE)
    for q in questions:
        members = tuple(f for f in (agent_forecast(q.id, "a", 30), crowd_forecast(q, 1.0)) if f)
        store.save_question("run-1", QuestionResult(q, day, members, pooled(q, day, members, EnsembleSettings(),
                                                                             "mean")))
    yield store
    store.close()


def test_the_run_members_are_keyed_by_forecastbench_id_and_date_without_the_crowd(stored):
    members = stored_run_members(stored, "run-1")
    assert members and all(set(m) == {"a"} for m in members.values())
    assert any(date is None for _, date in members) and any(date is not None for _, date in members)


def test_score_reports_the_run_and_its_agents_beside_the_baselines_per_source_and_band(stored):
    score = score_round(read_run_round(stored, "run-1"), read_resolution_set(resolution_set_path()))
    rows, column = rows_from_round(score, dt.date.fromisoformat(DUE), stored_run_members(stored, "run-1"), "mean")
    assert len(rows) == len(score.rows) and all(r.agents == {"a": 0.3} for r in rows)
    combiner = fit_combiner(read_round(question_set_path(), resolution_set_path()).rows)
    text = learning_report(rows, column, combiner)
    header = text.splitlines()[0].split()
    assert header[:2] == ["source", "n"] and "run" in header and "priors" in header
    assert {line.split()[0] for line in text.splitlines() if line.strip()} >= {"market", "<=7d", "all"}
