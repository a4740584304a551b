"""How a run of any of forecaster's deployments (a shard run included) whose worker was killed comes to be
Crashed: heartbeats every 30 s and the automation that crashes a watched run silent for 90 s."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest

from forecaster.cli.deploy import PREFECT_FILE
from forecaster.deployments import CRASH_AUTOMATION, crash_automation, load_prefect_file, with_heartbeats
from forecaster.errors import ConfigError, InputError
from tasks.sharding import shard_job_variables


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
