"""`forecaster worker --gpus / --per-gpu`: one device set per flow run, recorded by the flow run itself."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from forecaster.errors import InputError
from tests.deployments.scale.cluster import memory_available_gb, start_worker, stop_workers
from tests.processes import tail

PREFECT = "/venv/bin/prefect"


def plans(**kw):
    from forecaster.cli.worker import worker_plans

    args = {"pool": "gpu", "limit": None, "gpus": None, "per_gpu": False, "devices": 0, "executable": PREFECT,
            "host": "box"}
    return worker_plans(**{**args, **kw})


def test_a_worker_pinned_to_gpu_1_gives_its_flow_runs_cuda_visible_devices_1_and_one_run_at_a_time():
    (plan,) = plans(gpus="1", devices=2)
    assert plan.env["CUDA_VISIBLE_DEVICES"] == "1"
    assert plan.args == [PREFECT, "worker", "start", "--pool", "gpu", "--type", "process", "--name", "box-gpu1",
                         "--limit", "1"]


def test_a_tensor_parallel_worker_gets_both_of_its_devices():
    (plan,) = plans(gpus="0,1", devices=2, limit=2)
    assert plan.env["CUDA_VISIBLE_DEVICES"] == "0,1"
    assert plan.args[-2:] == ["--limit", "2"]


def test_work_queues_restrict_every_worker_to_those_queues_of_the_pool():
    for plan in plans(per_gpu=True, devices=2, queues=["a100", "backfill"]):
        assert plan.args[5:11] == ["--type", "process", "--work-queue", "a100", "--work-queue", "backfill"]


def test_an_empty_work_queue_name_is_refused_naming_the_option():
    with pytest.raises(InputError, match="--work-queue"):
        plans(queues=[" "])


def test_per_gpu_starts_one_worker_per_visible_device_each_on_its_own():
    assert [p.env["CUDA_VISIBLE_DEVICES"] for p in plans(per_gpu=True, devices=3)] == ["0", "1", "2"]


def test_per_gpu_under_a_restricted_cuda_visible_devices_subdivides_those_devices():
    assert [p.env["CUDA_VISIBLE_DEVICES"] for p in plans(per_gpu=True, devices=2, inherited="4,6")] == ["4", "6"]


def test_per_gpu_on_a_cpu_machine_starts_one_unpinned_worker():
    (plan,) = plans(per_gpu=True, devices=0)
    assert "CUDA_VISIBLE_DEVICES" not in plan.env and "--limit" not in plan.args


def test_gpus_on_a_cpu_machine_are_accepted_and_set_all_the_same():
    (plan,) = plans(gpus="1", devices=0)
    assert plan.env["CUDA_VISIBLE_DEVICES"] == "1"


@pytest.mark.parametrize("value, rule", [("a", "expected device indexes separated by commas"),
                                         ("0,,1", "expected device indexes"), ("1,1", "a device is listed twice")])
def test_a_malformed_gpus_option_is_refused_naming_the_option_and_the_rule(value, rule):
    with pytest.raises(InputError, match=rf"--gpus '{value}': {rule}"):
        plans(gpus=value)


def test_a_gpu_the_machine_does_not_have_is_refused():
    with pytest.raises(InputError, match=r"--gpus '2': this machine shows 2 GPU\(s\), indexes 0..1"):
        plans(gpus="2", devices=2)


def test_gpus_and_per_gpu_together_are_refused():
    with pytest.raises(InputError, match="--gpus and --per-gpu"):
        plans(gpus="0", per_gpu=True)


def test_a_workers_flow_runs_beat_every_30_s(monkeypatch):
    from forecaster.cli.worker import _environment

    # Prefect's default (180 s) or the caller's would get the runs crashed by the 90-s automation.
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "180")
    env = _environment(plans(gpus="1")[0])
    assert env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "30" and env["CUDA_VISIBLE_DEVICES"] == "1"


def test_the_worker_command_on_this_cpu_machine_says_there_is_no_gpu_and_starts_one_worker():
    from forecaster.cli import app

    result = CliRunner().invoke(app, ["worker", "--per-gpu", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "no GPU visible on this machine: starting one worker" in result.output
    assert result.output.count("worker: ") == 1


@pytest.mark.slow
def test_a_worker_started_with_gpus_1_runs_its_flow_with_cuda_visible_devices_1(
        pg_env, pg_deployed, pg_client, tmp_path):
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    assert memory_available_gb() >= 4, "not enough memory for a worker's engine"
    worker = start_worker(pg_env, tmp_path / "data", tmp_path / "worker.log", "--gpus", "1")
    try:
        found = pg_client.read_deployment_by_name("forecast-events/events-daily")
        run = pg_client.create_flow_run_from_deployment(found.id, parameters={
            "questions_file": None, "questions": ["Will it rain in Oslo on 2027-02-01?"], "agents": ["base-rates"],
            "today": "2026-12-01"})
        deadline = time.monotonic() + 900
        while not pg_client.read_flow_run(run.id).state.is_final():
            assert time.monotonic() < deadline, tail(worker.log, 60)
            time.sleep(3)
        state = pg_client.read_flow_run(run.id).state
        assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
        logs = pg_client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        lines = [entry.message for entry in logs if entry.message.startswith("devices: ")]
        assert lines == ["devices: CUDA_VISIBLE_DEVICES=1, torch sees 0 GPU(s)"]
    finally:
        stop_workers(worker)
