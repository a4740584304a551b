"""The SQLite store: all-or-nothing per question, history across runs, no duplicates on retry."""

import math

import pytest

from forecaster.events.store import ForecastStore
from tests.events.factories import agent_forecast_of, question_result, question_result_of, with_ensemble_probability


@pytest.fixture
def store(tmp_path):
    s = ForecastStore(tmp_path / "f.db")
    s.start_run("run-1", None, "mean", ["agent-0", "agent-1"])
    return s


def test_question_and_forecasts_are_stored_together(store):
    store.save_question("run-1", question_result())
    assert store.count_rows("q-1") == {"questions": 1, "agent_forecasts": 2, "ensemble_forecasts": 1}


def test_a_stored_distribution_comes_back_unchanged_with_its_summary_numbers(store):
    probs = [0.0] * 101
    probs[10], probs[50] = 0.25, 0.75  # worked by hand: mean 0.40, median and mode 0.50, entropy 0.811 bits
    store.save_question("run-1", question_result_of("q-1", (agent_forecast_of("q-1", "agent-0", probs),)))
    (row,) = store.agent_history("q-1")
    assert row["distribution"] == probs
    assert row["probability"] == pytest.approx(0.40)
    assert (row["median"], row["mode"]) == (pytest.approx(0.50), pytest.approx(0.50))
    assert row["entropy_bits"] == pytest.approx(0.8113, abs=1e-4)


def test_failure_in_the_middle_of_a_question_leaves_no_rows_of_it(store):
    store.save_question("run-1", question_result("q-ok"))
    broken = with_ensemble_probability(question_result("q-bad"), math.nan)  # rejected by the last insert
    with pytest.raises(Exception):
        store.save_question("run-1", broken)
    assert store.count_rows("q-bad") == {"questions": 0, "agent_forecasts": 0, "ensemble_forecasts": 0}
    assert store.count_rows("q-ok")["agent_forecasts"] == 2


def test_saving_a_question_again_in_the_same_run_replaces_it(store):
    store.save_question("run-1", question_result())
    store.save_question("run-1", question_result())
    assert store.count_rows("q-1") == {"questions": 1, "agent_forecasts": 2, "ensemble_forecasts": 1}


def test_question_asked_again_in_a_later_run_adds_to_its_history(store):
    store.save_question("run-1", question_result(peaks=(20,)))
    store.start_run("run-2", None, "mean", ["agent-0"])
    store.save_question("run-2", question_result(peaks=(60,)))
    history = store.ensemble_history("q-1")
    assert [h["run_id"] for h in history] == ["run-1", "run-2"]
    assert [h["probability"] for h in history] == pytest.approx([0.2, 0.6])


def test_database_is_in_wal_mode(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_run_is_marked_finished(store):
    store.finish_run("run-1", "completed")
    row = next(store.db.query("SELECT status, finished_at FROM runs WHERE id = 'run-1'"))
    assert row["status"] == "completed" and row["finished_at"]


def test_passages_used_are_recorded_per_forecast(store):
    result = question_result()
    forecast = result.agent_forecasts[0]
    used = type(forecast)(**{**forecast.__dict__, "passage_ids": ("p-1", "p-2")})
    store.save_question("run-1", type(result)(result.question, result.as_of, (used,), result.ensemble))
    assert store.agent_history("q-1")[0]["passage_ids"] == ["p-1", "p-2"]
