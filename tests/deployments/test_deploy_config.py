"""deployments/prefect.yaml, cron overrides, the vLLM server command line and the GPU slot, without servers."""

from __future__ import annotations

import inspect
import os
import re

import pytest

from forecaster.cli.deploy import PREFECT_FILE
from forecaster.orchestration.deployments import apply_cron_overrides, load_prefect_file
from forecaster.errors import InputError
from forecaster.llm.server_command import server_args, server_env
from forecaster.settings import load_settings


def deployments_with_flows():
    from prefect.flows import load_flow_from_entrypoint

    for deployment in load_prefect_file(PREFECT_FILE)["deployments"]:
        yield deployment, load_flow_from_entrypoint(deployment["entrypoint"])


def test_every_flow_has_a_deployment_the_model_flows_on_the_gpu_pool_the_sharded_parent_on_control():
    names = {flow.name: d["work_pool"]["name"] for d, flow in deployments_with_flows()}
    assert names == {"forecast-events": "gpu", "timeseries-forecast": "gpu", "timeseries-backtest": "gpu",
                     "forecast-events-sharded": "control", "forecast-feed": "gpu"}


def test_deployment_parameters_are_parameters_of_their_flow():
    for deployment, flow in deployments_with_flows():
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment.get("parameters") or {}) <= accepted, deployment["name"]


def test_the_events_deployment_offers_questions_agents_and_ensemble_method():
    events = next(d for d, flow in deployments_with_flows() if flow.name == "forecast-events")
    assert {"questions_file", "questions", "agents", "ensemble_method"} <= set(events["parameters"])
    assert events["schedules"][0]["cron"] == "0 6 * * *"


def test_a_cron_override_replaces_the_named_deployments_schedule_only():
    spec = load_prefect_file(PREFECT_FILE)
    changed = apply_cron_overrides(spec, ["events-daily=*/30 * * * *"])
    by_name = {d["name"]: d for d in changed["deployments"]}
    assert by_name["events-daily"]["schedules"] == [{"cron": "*/30 * * * *", "timezone": "UTC", "active": True}]
    assert by_name["timeseries-backtest-weekly"]["schedules"][0]["cron"] == "0 7 * * 1"
    assert spec["deployments"][0]["schedules"][0]["cron"] == "0 6 * * *"  # the input is left alone


@pytest.mark.parametrize("override, rule", [
    ("events-daily", "expected NAME=EXPR"),
    ("nightly=0 1 * * *", "unknown deployment 'nightly'"),
    ("events-daily=61 * * * *", "invalid cron expression"),
])
def test_a_bad_cron_override_names_the_option_and_the_rule(override, rule):
    with pytest.raises(InputError, match=re.escape(f"--cron {override!r}: ") + ".*" + re.escape(rule)):
        apply_cron_overrides(load_prefect_file(PREFECT_FILE), [override])


def test_a_deployments_file_without_a_work_pool_is_refused_naming_the_field(tmp_path):
    bad = tmp_path / "prefect.yaml"
    bad.write_text("deployments:\n  - name: x\n    entrypoint: flows/events.py:forecast_events\n")
    with pytest.raises(InputError, match=r"deployments\[0\]\.work_pool\.name is required"):
        load_prefect_file(bad)


def test_the_server_command_carries_the_engine_settings_and_s3_streaming():
    settings = load_settings(models={"big": {"path": "s3://bucket/llama"}}, server={"model": "llama"},
                             vllm={"tensor_parallel_size": 4, "pipeline_parallel_size": 2,
                                   "load_format": "runai_streamer",
                                   "model_loader_extra_config": {"concurrency": 32}})
    args = server_args(settings, "big", "0.0.0.0", 8001)
    pairs = dict(zip(args, args[1:]))
    assert pairs["--model"] == "s3://bucket/llama" and pairs["--served-model-name"] == "llama"
    assert pairs["--tensor-parallel-size"] == "4" and pairs["--pipeline-parallel-size"] == "2"
    assert pairs["--load-format"] == "runai_streamer"
    assert pairs["--model-loader-extra-config"] == '{"concurrency": 32}'


def test_secrets_reach_the_server_environment_never_its_command_line():
    settings = load_settings(models={"big": {"path": "s3://bucket/llama"}},
                             server={"model": "llama", "api_key": "key-123"},
                             aws_access_key_id="AKIA-test", aws_secret_access_key="secret-456")
    args = " ".join(server_args(settings, "big"))
    env = server_env(settings, base={})
    assert env["VLLM_API_KEY"] == "key-123"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("AKIA-test", "secret-456")
    assert env["RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS"] == "30000"
    assert not any(s in args for s in ("key-123", "AKIA-test", "secret-456"))


def test_aws_variables_already_in_the_environment_win_over_the_settings():
    settings = load_settings(aws_access_key_id="from-settings", aws_secret_access_key="s")
    env = server_env(settings, base={"AWS_ACCESS_KEY_ID": "from-env"})
    assert env["AWS_ACCESS_KEY_ID"] == "from-env"


@pytest.mark.slow
def test_holding_the_gpu_slot_is_a_no_op_when_the_limit_does_not_exist(prefect_server):
    from tasks.gpu import gpu_slot

    ran = []
    with gpu_slot("no-such-limit"):
        ran.append(True)
    assert ran == [True]


@pytest.mark.slow
def test_the_gpu_slot_is_taken_and_given_back(prefect_server):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from tasks.gpu import gpu_slot

    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name="gpu-test", limit=1))
        with gpu_slot("gpu-test"):
            held = client.read_global_concurrency_limit_by_name("gpu-test").active_slots
        after = client.read_global_concurrency_limit_by_name("gpu-test").active_slots
    assert (held, after) == (1, 0)


def test_the_kubernetes_job_template_requests_gpus_from_declared_variables():
    import json

    from forecaster.settings import PROJECT_ROOT

    template = json.loads((PROJECT_ROOT / "deployments" / "k8s-gpu-job-template.json").read_text())
    text = json.dumps(template["job_configuration"])
    used = set(re.findall(r"{{\s*([\w]+)\s*}}", text))
    assert used <= set(template["variables"]["properties"])
    container = template["job_configuration"]["job_manifest"]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "{{ gpus }}"


def test_aws_keys_given_as_settings_reach_the_in_process_engines_environment(monkeypatch):
    from forecaster.runtime import prepare_environment

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS"):
        monkeypatch.setenv(name, "")  # recorded, so what prepare_environment writes is undone after the test
        monkeypatch.delenv(name)
    monkeypatch.setenv("FORECASTER_AWS_ACCESS_KEY_ID", "AKIA-from-settings")
    monkeypatch.setenv("FORECASTER_AWS_SECRET_ACCESS_KEY", "secret-from-settings")
    prepare_environment(load_settings(models={"big": {"path": "s3://bucket/llama"}}))
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIA-from-settings"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "secret-from-settings"
    assert os.environ["RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS"] == "30000"


def test_deploy_against_an_unreachable_prefect_server_exits_2_naming_the_setting(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path)}
    result = subprocess.run([str(Path(sys.executable).with_name("forecaster")), "deploy"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "PREFECT_API_URL: Prefect server at http://127.0.0.1:9/api unreachable" in result.stderr
