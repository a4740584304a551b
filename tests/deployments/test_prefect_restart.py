"""The Prefect server dies mid-run (SIGKILL) and comes back on the same port and database: the run ends in a
known state on both sides, and nothing is left `running` in the store."""

from __future__ import annotations

import time

import pytest

from tests.deployments.runs import rows, trigger, wait_final
from tests.processes import tail

pytestmark = pytest.mark.slow

QUESTIONS = [{"id": f"outage-{i}", "question": f"Will outage drill number {i} be held by 2027-06-30?"}
             for i in range(4)]
AGENTS = ["base-rates", "for-and-against"]


def test_a_prefect_server_killed_and_restarted_mid_run_leaves_the_run_ended_and_nothing_running(
        worker, vllm_server, prefect_service, prefect_client, worker_data):
    vllm_server.ready()
    served_before = vllm_server.completions_served()
    run = trigger(prefect_client, "forecast-events/events-daily",
                  {"questions_file": None, "questions": QUESTIONS, "agents": AGENTS})
    # Mid model work: the first read-out done (two requests), fifteen still to go (batch size 1 on the worker).
    deadline = time.monotonic() + 900
    while vllm_server.completions_served() < served_before + 2:
        assert time.monotonic() < deadline, tail(worker.log, 60)
        time.sleep(0.2)
    try:
        prefect_service.kill()
        time.sleep(10)  # down long enough for the run's and the worker's calls to fail
    finally:  # later tests of the package share this server
        prefect_service.start()
        prefect_service.ready()
    state = wait_final(prefect_client, run.id, 900, worker)
    database = worker_data / "forecaster.db"
    ((status, reason),) = rows(database, "SELECT status, reason FROM runs WHERE flow_run_id = ?", str(run.id))
    if state.is_completed():
        assert status == "completed"
        per_question = rows(database, "SELECT e.question_id, COUNT(*) FROM ensemble_forecasts e JOIN runs r "
                                      "ON r.id = e.run_id WHERE r.flow_run_id = ? GROUP BY e.question_id",
                            str(run.id))
        assert sorted(per_question) == [(q["id"], 1) for q in QUESTIONS]
    else:
        assert status == "failed" and reason, f"Prefect: {state.type} {state.message}; store: {status} {reason}"
    assert worker.poll() is None, f"the worker died with the server\n{tail(worker.log, 40)}"
    assert rows(database, "SELECT id FROM runs WHERE status = 'running'") == []
