"""How a run of any of forecaster's deployments (a shard run included) whose worker was killed comes to be
Crashed: heartbeats every 30 s and the automation that crashes a watched run silent for 90 s."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from uuid import uuid4

import pytest

from forecaster.cli.deploy import PREFECT_FILE
from forecaster.orchestration.deployments import (
    CRASH_AFTER_S, CRASH_AUTOMATION, HEARTBEAT_S, crash_automation, load_prefect_file, with_heartbeats,
)
from forecaster.errors import ConfigError, InputError
from tasks.sharding import shard_job_variables
from tests.deployments.runs import assert_each_question_stored_once, flow_run_processes, rows, stored_of, \
    trigger, wait_final
from tests.deployments.scale.cluster import kill_worker, start_plain_worker, start_worker, stop_workers
from tests.processes import tail


def heartbeat_of_a_run(tags: list[str]):
    """The heartbeat event a flow run with these tags sends (resource and related as Prefect's engine builds
    them), as the server receives it."""
    from prefect.events.related import tags_as_related_resources
    from prefect.server.events.schemas.events import ReceivedEvent

    deployment = {"prefect.resource.id": f"prefect.deployment.{uuid4()}", "prefect.resource.role": "deployment"}
    return ReceivedEvent(occurred=dt.datetime.now(dt.timezone.utc), event="prefect.flow-run.heartbeat",
                         resource={"prefect.resource.id": f"prefect.flow-run.{uuid4()}"}, id=uuid4(),
                         related=[deployment, *(r.model_dump() for r in tags_as_related_resources(set(tags)))])


def covered(tags: list[str]) -> bool:
    """Whether the server, evaluating the automation's trigger, watches a run with these tags."""
    from prefect.server.events.schemas.automations import EventTrigger

    trigger = EventTrigger.model_validate(crash_automation().trigger.model_dump())
    return trigger.covers(heartbeat_of_a_run(tags))


def test_the_crash_automation_crashes_a_watched_run_silent_for_90_s_after_a_heartbeat():
    automation = crash_automation()
    trigger = automation.trigger
    assert trigger.posture == "Proactive" and trigger.within == dt.timedelta(seconds=90)
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Completed"} <= trigger.expect
    (action,) = automation.actions
    assert action.type == "change-flow-run-state" and action.state == "CRASHED"


def test_the_crash_automation_watches_a_run_of_every_deployment_forecaster_deploy_registers():
    deployments = with_heartbeats(load_prefect_file(PREFECT_FILE))["deployments"]
    # A run of a deployment carries the deployment's tags (the server adds them to the run's own).
    assert {d["name"]: covered(d["tags"]) for d in deployments} == {d["name"]: True for d in deployments}
    assert covered(["shard"])  # a shard run of an events deployment registered some other way


def test_the_crash_automation_leaves_alone_runs_of_other_deployments_that_may_beat_every_180_s():
    assert not covered([]) and not covered(["events", "model"])


def test_every_deployment_of_the_file_is_watched_and_beats_every_30_s_for_any_worker_type():
    # Checked on the file itself: Prefect's own `prefect deploy --all` registers it as written.
    for d in load_prefect_file(PREFECT_FILE)["deployments"]:
        assert "forecaster" in d["tags"], d["name"]
        assert d["work_pool"]["job_variables"]["env"] == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}, d["name"]


def test_forecaster_deploy_adds_the_tag_and_the_heartbeat_to_a_deployment_lacking_them_keeping_its_env():
    spec = {"deployments": [{"name": "mine", "entrypoint": "flows/events.py:forecast_events", "tags": ["mine"],
                             "work_pool": {"name": "gpu", "job_variables": {"env": {"A": "1"}}}}]}
    (d,) = with_heartbeats(spec)["deployments"]
    assert d["tags"] == ["mine", "forecaster"]
    assert d["work_pool"]["job_variables"] == {"env": {"A": "1", "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}}
    assert spec["deployments"][0]["work_pool"]["job_variables"] == {"env": {"A": "1"}}  # the input is left alone


def test_a_deployment_beating_slower_than_the_crash_window_allows_is_refused_naming_the_field():
    spec = {"deployments": [{"name": "slow", "entrypoint": "flows/events.py:forecast_events", "work_pool": {
        "name": "gpu", "job_variables": {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "180"}}}}]}
    with pytest.raises(InputError, match=r"deployments\[0\]\.work_pool\.job_variables\.env\."
                                         r"PREFECT_FLOWS_HEARTBEAT_FREQUENCY: must be 30 .*got 180"):
        with_heartbeats(spec)


def test_a_crash_window_shorter_than_two_heartbeats_is_refused():
    with pytest.raises(ConfigError, match="within_s must be at least 60"):
        crash_automation(45)


def test_every_shard_run_beats_every_30_s_whatever_job_variables_the_caller_gives():
    assert shard_job_variables(None) == {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}}
    given = shard_job_variables({"gpus": 2, "env": {"FORECASTER_CONFIG": "/etc/f.toml"}})
    assert given == {"gpus": 2, "env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
                                        "FORECASTER_CONFIG": "/etc/f.toml"}}


@pytest.mark.slow
def test_forecaster_deploy_creates_the_crash_automation_once_on_the_server(pg_deployed, pg_client):
    (automation,) = pg_client.read_automations_by_name(CRASH_AUTOMATION)
    assert automation.enabled and automation.trigger.within == dt.timedelta(seconds=90)


QUESTIONS = [{"id": f"plain-{i}", "question": f"Will plain event {i} happen before 2027-06-30?"} for i in range(2)]
AGENTS = ["base-rates"]


def heartbeats(client, flow_run_id) -> list:
    """The heartbeat events of the flow run the server has recorded."""
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    beats = EventFilter(event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
                        resource=EventResourceFilter(id=[f"prefect.flow-run.{flow_run_id}"]))
    return client.read_events(filter=beats, limit=50).events  # 50: the server's most (the client asks 100)


def wait_beating(client, worker, database, flow_run_id) -> list:
    """Wait until the server has a heartbeat of the run and the run has its record in the store; the processes
    executing the run below the worker."""
    def recorded() -> bool:
        try:
            return database.exists() and bool(rows(database, "SELECT 1 FROM runs WHERE flow_run_id = ?",
                                                   str(flow_run_id)))
        except sqlite3.OperationalError:  # the run is still creating the tables
            return False

    deadline = time.monotonic() + 600
    while not (recorded() and heartbeats(client, flow_run_id)):
        assert time.monotonic() < deadline, tail(worker.log, 60)
        assert not client.read_flow_run(flow_run_id).state.is_final(), tail(worker.log, 60)
        time.sleep(0.5)
    processes = flow_run_processes(worker, flow_run_id)
    assert processes, f"no process of the run below the worker\n{tail(worker.log)}"
    return processes


def wait_crashed(client, flow_run_id, timeout: float):
    """The flow run's state once it is final; fails if that takes over `timeout` s."""
    deadline = time.monotonic() + timeout
    while (state := client.read_flow_run(flow_run_id).state) is not None and not state.is_final():
        if time.monotonic() > deadline:
            pytest.fail(f"flow run {flow_run_id} still {state.type} {timeout:.0f} s after its worker was killed")
        time.sleep(1)
    return state


@pytest.mark.slow
def test_a_plain_events_run_whose_worker_is_killed_is_crashed_within_the_bound_and_a_retry_completes_it(
        pg_deployed, pg_env, pg_client, tmp_path):
    from prefect.states import Scheduled

    data = tmp_path / "data"
    database = data / "forecaster.db"
    # Prefect's own worker, nothing about heartbeats in its environment: the run's 30 s come from the
    # deployment's job variables alone.
    worker = start_plain_worker(pg_env, data, tmp_path / "worker-1.log")
    try:
        run = trigger(pg_client, "forecast-events/events-daily",
                      {"questions_file": None, "questions": QUESTIONS, "agents": AGENTS})
        (process, *_) = wait_beating(pg_client, worker, database, run.id)
        assert process.environ()["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "30"  # from the job variables
        kill_worker(worker)  # kill -9 of the worker, its flow-run process and the run's engine
        killed_at = dt.datetime.now(dt.timezone.utc)
        stored = stored_of(database, run.id)
        last_beat = max(e.occurred for e in heartbeats(pg_client, run.id))
        state = wait_crashed(pg_client, run.id, CRASH_AFTER_S + 60)
    finally:
        stop_workers(worker)
    assert state.is_crashed() and "no heartbeat" in state.message, f"{state.type}: {state.message}"
    waited = (state.timestamp - killed_at).total_seconds()
    assert CRASH_AFTER_S - HEARTBEAT_S <= waited <= CRASH_AFTER_S + 30, waited
    assert len(stored) < len(QUESTIONS)
    print(f"\nFIGURE kill-to-crashed: {waited:.0f} s from kill -9 of the worker to Crashed "
          f"(last heartbeat {(killed_at - last_beat).total_seconds():.0f} s before the kill)")

    # Resumed as documented: Prefect's retry of that flow run (the UI's "Retry"), taken by `forecaster worker`.
    pg_client.set_flow_run_state(run.id, Scheduled(name="AwaitingRetry"), force=True)
    again = start_worker(pg_env, data, tmp_path / "worker-2.log", "--limit", "1")
    try:
        state = wait_final(pg_client, run.id, 900, again)
    finally:
        stop_workers(again)
    assert state.is_completed(), f"{state.type}: {state.message}\n{tail(again.log, 60)}"
    ((run_id, status, resumes),) = rows(database, "SELECT id, status, resumes FROM runs WHERE flow_run_id = ?",
                                        str(run.id))
    assert (status, resumes) == ("completed", 1)
    assert_each_question_stored_once(database, run_id, QUESTIONS, AGENTS)
    still = dict(rows(database, "SELECT question_id, created_at FROM ensemble_forecasts WHERE run_id = ?", run_id))
    assert all(still[qid] == created for qid, created in stored), "a question stored before the kill was redone"
