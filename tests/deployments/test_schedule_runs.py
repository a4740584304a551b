"""A schedule fires: the server's scheduler creates the run, a real worker executes it, its forecasts land in
SQLite."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from prefect.settings import PREFECT_WORKER_PREFETCH_SECONDS

from tests.deployments.runs import rows, wait_final
from tests.processes import tail

pytestmark = pytest.mark.slow

QUESTION = "Will the scheduled run forecast this question by 2027-06-30?"
# How long after its time a scheduled run may take to start: the scheduler wakes every 5 s in the test server,
# the worker polls every 10 s.
START_BOUND_S = 120
# The worker submits runs due within its prefetch window (Prefect's default 10 s), so one may start that early.
PREFETCH_S = PREFECT_WORKER_PREFETCH_SECONDS.value()


def soon_deployment(client, fires_at: dt.datetime):
    """The events flow deployed like events-daily, with one interval schedule whose first run is `fires_at`
    (a day apart, so exactly one run falls in the test)."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import IntervalSchedule

    daily = client.read_deployment_by_name("forecast-events/events-daily")
    schedule = IntervalSchedule(interval=dt.timedelta(days=1), anchor_date=fires_at, timezone="UTC")
    return client.create_deployment(
        flow_id=daily.flow_id, name="events-soon", entrypoint=daily.entrypoint, path=daily.path,
        pull_steps=daily.pull_steps, work_pool_name="gpu", work_queue_name=daily.work_queue_name,
        parameter_openapi_schema=daily.parameter_openapi_schema,
        parameters={"questions_file": None, "questions": [QUESTION], "agents": ["base-rates"]},
        schedules=[DeploymentScheduleCreate(schedule=schedule, active=True)])


def first_run_of(client, deployment_id, timeout: float):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                                      sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1)
        if found:
            return found[0]
        time.sleep(1)
    pytest.fail(f"the scheduler created no run of deployment {deployment_id} in {timeout:.0f} s")


def test_a_schedule_that_fires_soon_is_executed_by_the_worker_and_its_forecasts_land_in_sqlite(
        worker, vllm_server, prefect_client, worker_data):
    vllm_server.ready()  # the run should wait for its time, not for the model server
    fires_at = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=20)).replace(microsecond=0)
    deployment_id = soon_deployment(prefect_client, fires_at)
    try:
        run = first_run_of(prefect_client, deployment_id, 60)
        assert run.expected_start_time == fires_at and run.auto_scheduled
        deadline = fires_at + dt.timedelta(seconds=START_BOUND_S)
        while (started := prefect_client.read_flow_run(run.id).start_time) is None:
            assert dt.datetime.now(dt.timezone.utc) < deadline, \
                f"not started {START_BOUND_S} s after its time\n{tail(worker.log, 40)}"
            time.sleep(1)
        assert fires_at - dt.timedelta(seconds=PREFETCH_S) <= started < deadline
        state = wait_final(prefect_client, run.id, 600, worker)
        assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    finally:
        prefect_client.delete_deployment(deployment_id)  # and its later runs with it
    database = worker_data / "forecaster.db"
    assert rows(database, "SELECT status FROM runs WHERE flow_run_id = ?", str(run.id)) == [("completed",)]
    assert rows(database, "SELECT a.agent, q.text FROM agent_forecasts a JOIN runs r ON r.id = a.run_id "
                          "JOIN questions q ON q.id = a.question_id WHERE r.flow_run_id = ?", str(run.id)) == [
        ("base-rates", QUESTION)]
