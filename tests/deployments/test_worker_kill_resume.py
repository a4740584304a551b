"""A run whose process is killed with SIGKILL mid-run ends Crashed in Prefect and failed in the store; running it
again (a new run with `resume`, or Prefect's retry of the same flow run) skips what it stored and finishes."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest

from tests.deployments.runs import (
    assert_each_question_stored_once, flow_run_processes, rows, stored_of, trigger, wait_final,
)
from tests.processes import tail, wait_until

pytestmark = pytest.mark.slow

AGENTS = ["base-rates"]


def questions(tag: str) -> list[dict]:
    # Six questions: the run stores them one by one after the model work, a window wide enough to kill in.
    return [{"id": f"{tag}-{i}", "question": f"Will event number {i} of the {tag} series happen by 2027-06-30?"}
            for i in range(6)]


def kill_after_first_stored(prefect_client, worker, database, flow_run_id) -> list[tuple]:
    """SIGKILL the processes executing the flow run once it stored its first question; what it had stored."""
    deadline = time.monotonic() + 900
    while not (stored := stored_of(database, flow_run_id)):
        assert time.monotonic() < deadline, tail(worker.log, 60)
        time.sleep(0.1)
    processes = flow_run_processes(worker, flow_run_id)
    assert processes, f"no process of flow run {flow_run_id} below the worker (it ended before the kill?)\n" \
                      f"{tail(worker.log, 40)}"
    for process in processes:
        with contextlib.suppress(ProcessLookupError):  # e.g. an engine's reaper, which ends with its parent
            os.kill(process.pid, signal.SIGKILL)
    return stored_of(database, flow_run_id)


def worker_exit_notes(worker) -> int:
    """How many failed flow-run processes the worker has handled (it logs this note last; one run at a time)."""
    return worker.log.read_text(errors="replace").count(
        "prefect.flow_runs.worker - Check whether the flow run exceeded its memory allocation")


def crash(prefect_client, worker, vllm_server, database, tag: str):
    """A run of `questions(tag)` killed after its first stored question: (flow run, run id, stored, questions)."""
    vllm_server.ready()
    handled = worker_exit_notes(worker)
    qs = questions(tag)
    run = trigger(prefect_client, "forecast-events/events-daily",
                  {"questions_file": None, "questions": qs, "agents": AGENTS})
    stored = kill_after_first_stored(prefect_client, worker, database, run.id)
    state = wait_final(prefect_client, run.id, 120, worker)
    assert state.is_crashed(), f"{state.type}: {state.message}"
    # The runner reports the crash, then the worker proposes it again: a retry set in between is overwritten by
    # the worker's proposal (seen once in a full run). Go on once the worker has handled the exit (its last line).
    wait_until(lambda: worker_exit_notes(worker) > handled, 60, "the worker's handling of the crash", worker,
               worker.log, every=0.2)
    assert worker.poll() is None, "the worker itself must survive its flow run's process"
    ((run_id, status),) = rows(database, "SELECT id, status FROM runs WHERE flow_run_id = ?", str(run.id))
    assert status == "running"  # nothing ran to end it: the next run on this store finds it stale
    assert 0 < len(stored) < len(qs)
    return run, run_id, stored, qs


def test_a_killed_run_resumed_by_a_new_run_skips_what_it_stored_and_finishes_the_rest(
        worker, vllm_server, prefect_client, worker_data):
    database = worker_data / "forecaster.db"
    crashed, run_id, stored, qs = crash(prefect_client, worker, vllm_server, database, "resume")
    again = trigger(prefect_client, "forecast-events/events-daily",
                    {"questions_file": None, "questions": qs, "agents": AGENTS, "resume": run_id})
    state = wait_final(prefect_client, again.id, 900, worker)
    assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    ((status, resumes, reason, flow_run_id),) = rows(
        database, "SELECT status, resumes, reason, flow_run_id FROM runs WHERE id = ?", run_id)
    assert (status, resumes, flow_run_id) == ("completed", 1, str(again.id))
    assert f"flow run {crashed.id} ended Crashed" in reason  # marked failed when the resume found it
    assert_each_question_stored_once(database, run_id, qs, AGENTS)
    still = dict(rows(database, "SELECT question_id, created_at FROM ensemble_forecasts WHERE run_id = ?", run_id))
    assert all(still[qid] == created for qid, created in stored), "a question stored before the kill was redone"


def test_a_killed_run_retried_by_prefect_resumes_under_the_same_flow_run(
        worker, vllm_server, prefect_client, worker_data):
    from prefect.states import Scheduled

    database = worker_data / "forecaster.db"
    crashed, run_id, stored, qs = crash(prefect_client, worker, vllm_server, database, "retry")
    # What the UI's "Retry" does: the same flow run, scheduled again.
    prefect_client.set_flow_run_state(crashed.id, Scheduled(name="AwaitingRetry"), force=True)
    state = wait_final(prefect_client, crashed.id, 900, worker)
    assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    ((status, resumes, reason),) = rows(database, "SELECT status, resumes, reason FROM runs WHERE id = ?", run_id)
    assert (status, resumes) == ("completed", 1) and "started again" in reason
    assert rows(database, "SELECT COUNT(*) FROM runs WHERE flow_run_id = ?", str(crashed.id)) == [(1,)]
    assert_each_question_stored_once(database, run_id, qs, AGENTS)
    still = dict(rows(database, "SELECT question_id, created_at FROM ensemble_forecasts WHERE run_id = ?", run_id))
    assert all(still[qid] == created for qid, created in stored)
