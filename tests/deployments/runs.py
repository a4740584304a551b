"""Flow runs of the deployment tests: trigger one, find its process, wait for its end, read what it stored."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.processes import tail


def trigger(client, deployment: str, parameters: dict[str, Any], queue: str | None = None):
    """Create a flow run of a deployment with parameters, as the UI's "Custom run" does (on `queue` of its pool
    if given, else the deployment's own queue)."""
    found = client.read_deployment_by_name(deployment)
    return client.create_flow_run_from_deployment(found.id, parameters=parameters, work_queue_name=queue)


def wait_final(client, flow_run_id, timeout: float, worker=None):
    """The flow run's final state; fails with the worker's log if it is not final within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = client.read_flow_run(flow_run_id).state
        except Exception:  # the server restarting under the test: ask again
            state = None
        if state is not None and state.is_final():
            return state
        time.sleep(2)
    pytest.fail(f"flow run {flow_run_id} not finished after {timeout:.0f} s\n"
                f"{tail(getattr(worker, 'log', None), 60)}")


def rows(database: Path, sql: str, *params: Any) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def stored_of(database: Path, flow_run_id) -> list[tuple]:
    """(question id, created_at) of each ensemble forecast of the run the flow run recorded."""
    if not database.exists():
        return []
    return rows(database, "SELECT e.question_id, e.created_at FROM ensemble_forecasts e JOIN runs r "
                          "ON r.id = e.run_id WHERE r.flow_run_id = ? ORDER BY e.question_id", str(flow_run_id))


def flow_run_processes(worker: subprocess.Popen, flow_run_id) -> list[psutil.Process]:
    """The processes executing the flow run below the worker (Prefect hands them its id in the environment)."""
    found = []
    for child in psutil.Process(worker.pid).children(recursive=True):
        try:
            if child.environ().get("PREFECT__FLOW_RUN_ID") == str(flow_run_id):
                found.append(child)
        except psutil.Error:  # gone meanwhile, or not ours to read
            continue
    return found


def assert_each_question_stored_once(database: Path, run_id: str, qs: list[dict], agents: list[str]) -> None:
    """Each question of the run has one forecast per agent and one ensemble forecast."""
    per_pair = rows(database, "SELECT question_id, agent, COUNT(*) FROM agent_forecasts WHERE run_id = ? "
                              "GROUP BY question_id, agent ORDER BY question_id", run_id)
    assert per_pair == [(q["id"], a, 1) for q in qs for a in agents]
    ensembles = rows(database, "SELECT question_id, COUNT(*) FROM ensemble_forecasts WHERE run_id = ? "
                               "GROUP BY question_id ORDER BY question_id", run_id)
    assert ensembles == [(q["id"], 1) for q in qs]
