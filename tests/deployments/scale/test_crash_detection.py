"""How a shard run whose worker was killed comes to be Crashed: heartbeats every 30 s and the automation that
crashes a shard run silent for 90 s."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.deployments import CRASH_AUTOMATION, crash_automation
from forecaster.errors import ConfigError
from tasks.sharding import shard_job_variables


def test_the_crash_automation_watches_shard_runs_heartbeats_and_crashes_one_silent_for_90_s():
    automation = crash_automation()
    trigger = automation.trigger
    assert trigger.posture == "Proactive" and trigger.within == dt.timedelta(seconds=90)
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Completed"} <= trigger.expect
    assert trigger.match_related.model_dump() == {"prefect.resource.role": "tag",
                                                  "prefect.resource.id": "prefect.tag.shard"}
    (action,) = automation.actions
    assert action.type == "change-flow-run-state" and action.state == "CRASHED"


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
