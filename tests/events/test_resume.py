"""Runs end in a known state and resume instead of repeating: the rule that finds a dead run, and what a resume
continues (the store is real SQLite; Prefect's answer about a flow run is the `final_state` input)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from forecaster.errors import InputError
from forecaster.events.questions import Question
from forecaster.events.resume import plan_run, reconcile
from forecaster.events.store import QuestionResult, ForecastStore
from tests.events.factories import question_result

NOW = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.timezone.utc)


def crashed(flow_run_id: str):
    return ("Crashed", "Flow run infrastructure exited with non-zero status code -9.")


def not_final(flow_run_id: str):
    return None  # Running, Pending, unknown to the server, or the server unreachable


@pytest.fixture
def store(tmp_path) -> ForecastStore:
    s = ForecastStore(tmp_path / "f.db")
    s.start_run("run-dead", "flow-1", "mean", ["agent-0", "agent-1"])
    return s


def test_a_running_run_whose_flow_run_prefect_reports_crashed_is_marked_failed_with_the_reason(store):
    assert reconcile(store, "flow-2", crashed) == ["run-dead"]
    run = store.run("run-dead")
    assert run["status"] == "failed" and run["finished_at"]
    assert "flow run flow-1 ended Crashed" in run["reason"] and "-9" in run["reason"]


def test_a_running_run_whose_flow_run_is_not_final_or_unknown_is_left_running(store):
    assert reconcile(store, "flow-2", not_final) == []
    assert store.run("run-dead")["status"] == "running"


def test_a_running_run_of_the_flow_run_now_starting_again_is_marked_failed_without_asking_prefect(store):
    def never_asked(flow_run_id: str):
        raise AssertionError("a retry of the same flow run needs no lookup")

    assert reconcile(store, "flow-1", never_asked) == ["run-dead"]
    assert "started again" in store.run("run-dead")["reason"]


def test_resuming_a_failed_run_reopens_it_and_skips_only_the_questions_it_stored_with_an_ensemble(store):
    store.save_question("run-dead", question_result("q-done"))
    no_agent = Question("q-failed", "Will q-failed happen?", dt.date(2027, 6, 30))
    store.save_question("run-dead", QuestionResult(no_agent, dt.date(2026, 11, 23), (), None))
    reconcile(store, "flow-2", crashed)
    plan = plan_run(store, "run-dead", "flow-2", "mean", ["agent-0", "agent-1"], NOW)
    assert (plan.run_id, plan.stored, plan.resumed) == ("run-dead", frozenset({"q-done"}), True)
    run = store.run("run-dead")
    assert (run["status"], run["finished_at"], run["flow_run_id"], run["resumes"]) == ("running", None, "flow-2", 1)
    assert "Crashed" in run["reason"]  # what happened before stays on the record


def test_a_flow_run_retried_by_prefect_resumes_the_run_it_recorded(store):
    store.save_question("run-dead", question_result("q-done"))
    reconcile(store, "flow-1", not_final)
    plan = plan_run(store, None, "flow-1", "mean", ["agent-0"], NOW)
    assert (plan.run_id, plan.stored) == ("run-dead", frozenset({"q-done"}))


def test_a_new_flow_run_without_resume_starts_a_new_run(store):
    plan = plan_run(store, None, "flow-3", "mean", ["agent-0"], NOW)
    assert plan.run_id.startswith("run-20261201T180000-") and not plan.resumed and not plan.stored
    assert store.run(plan.run_id)["status"] == "running"


def test_resuming_a_run_that_is_still_running_is_refused_naming_the_run(store):
    with pytest.raises(InputError, match=r"resume: run 'run-dead' is still running \(flow run flow-1\)"):
        plan_run(store, "run-dead", "flow-2", "mean", ["agent-0"], NOW)
    assert store.run("run-dead")["resumes"] == 0


def test_resuming_an_unknown_run_is_refused_naming_the_database(store):
    with pytest.raises(InputError, match=r"resume: no run 'run-nope' in .*f\.db"):
        plan_run(store, "run-nope", "flow-2", "mean", ["agent-0"], NOW)


def test_a_failed_reason_adds_to_the_reasons_recorded_before(store):
    store.finish_run("run-dead", "failed", "first attempt: Crashed")
    store.reopen_run("run-dead", "flow-2")
    store.finish_run("run-dead", "failed", "second attempt: ConnectError")
    assert store.run("run-dead")["reason"] == "first attempt: Crashed; second attempt: ConnectError"


def test_a_database_from_before_resumes_gets_the_reason_and_resumes_columns_and_keeps_its_runs(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, "
                   "status TEXT NOT NULL, flow_run_id TEXT, ensemble_method TEXT, agents TEXT)")
        db.execute("INSERT INTO runs VALUES ('run-old', '2026-11-01', NULL, 'running', 'flow-old', 'mean', '[]')")
    store = ForecastStore(path)
    assert store.run("run-old")["resumes"] == 0 and store.run("run-old")["reason"] is None
    assert reconcile(store, None, crashed) == ["run-old"]


def exited_process() -> str:
    """The identity of a real process of this host that has ended (started, then waited for)."""
    import subprocess

    from forecaster.events import resume

    child = subprocess.Popen(["sleep", "30"])
    identity = f"{resume.socket.gethostname()}:{child.pid}:{resume._started(child.pid)}"
    child.kill()
    child.wait()
    return identity


def test_a_running_run_whose_process_on_this_host_is_gone_is_marked_failed(tmp_path):
    store = ForecastStore(tmp_path / "f.db")
    store.start_run("run-local", "flow-1", "mean", ["agent-0"], exited_process())
    assert reconcile(store, "flow-2", not_final) == ["run-local"]
    assert "is gone" in store.run("run-local")["reason"]


def test_a_running_run_whose_process_is_alive_or_on_another_host_is_left_running(tmp_path):
    from forecaster.events.resume import this_process

    store = ForecastStore(tmp_path / "f.db")
    store.start_run("run-here", "flow-1", "mean", ["agent-0"], this_process())
    store.start_run("run-elsewhere", "flow-2", "mean", ["agent-0"], "another-host:1:1")
    assert reconcile(store, "flow-3", not_final) == []


def test_a_new_run_records_the_process_executing_it(store):
    from forecaster.events.resume import this_process

    plan = plan_run(store, None, "flow-3", "mean", ["agent-0"], NOW)
    assert store.run(plan.run_id)["process"] == this_process()


def test_forecast_resume_of_a_run_not_in_the_store_fails_at_once_naming_it_and_writes_nothing(data_dir):
    from typer.testing import CliRunner

    from forecaster.cli import app

    result = CliRunner().invoke(app, ["forecast", "Will it snow on 2027-01-15?", "--resume", "run-nope"])
    assert result.exit_code == 2
    assert "resume: no run 'run-nope'" in result.output
    assert not (data_dir / "forecaster.db").exists()
