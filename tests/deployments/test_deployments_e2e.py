"""Deployments end to end: a real Prefect server, `forecaster deploy`, a real process worker, server mode."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
import yaml

from tests.deployments.runs import rows, trigger, wait_final
from tests.deployments.servers import SECRETS
from tests.processes import tail

pytestmark = pytest.mark.slow

PREFECT_FILE = Path(__file__).resolve().parents[2] / "deployments" / "prefect.yaml"


@pytest.fixture(scope="module", autouse=True)
def model_server_loading(vllm_server):
    """Start the model server first: it loads for minutes while the registration checks run."""
    return vllm_server


def deployment_names() -> list[str]:
    spec = yaml.safe_load(PREFECT_FILE.read_text())
    return [d["name"] for d in spec["deployments"]]


def test_forecaster_deploy_registers_every_deployment_of_prefect_yaml_on_its_pool(deployed, prefect_client):
    flows = {"events-daily": ("forecast-events", "gpu"), "timeseries-forecast": ("timeseries-forecast", "gpu"),
             "timeseries-backtest-weekly": ("timeseries-backtest", "gpu"),
             "events-sharded": ("forecast-events-sharded", "control"), "feed-daily": ("forecast-feed", "gpu")}
    assert sorted(deployment_names()) == sorted(flows)
    for name, (flow_name, pool) in flows.items():
        deployment = prefect_client.read_deployment_by_name(f"{flow_name}/{name}")
        assert deployment.work_pool_name == pool
    assert prefect_client.read_work_pool("gpu").type == "process"


def test_forecaster_deploy_creates_the_gpu_concurrency_limit_sized_to_the_devices(deployed, prefect_client):
    from forecaster.config_checks import visible_devices

    limit = prefect_client.read_global_concurrency_limit_by_name("gpu")
    assert limit.limit == visible_devices()
    assert limit.active


def test_a_scheduled_deployment_gets_its_next_runs_scheduled(deployed, prefect_client):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter
    from prefect.client.schemas.filters import FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    deployment = prefect_client.read_deployment_by_name("forecast-events/events-daily")
    assert [s.schedule.cron for s in deployment.schedules] == ["0 6 * * *"]
    scheduled: list = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not scheduled:
        scheduled = prefect_client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.SCHEDULED]))))
        time.sleep(3)
    assert scheduled, "the scheduler created no runs for events-daily"
    times = sorted(r.expected_start_time for r in scheduled)
    assert all(t.hour == 6 and t.minute == 0 for t in times)
    assert times[0].timestamp() > time.time()


def test_a_run_triggered_with_parameters_lands_in_sqlite(worker, vllm_server, prefect_client, worker_data):
    vllm_server.ready()
    run = trigger(prefect_client, "forecast-events/events-daily", {
        "questions_file": None, "questions": ["Will it snow in Paris on 2027-01-15?"],
        "agents": ["base-rates"], "ensemble_method": "median"})
    state = wait_final(prefect_client, run.id, 900, worker)
    assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    database = worker_data / "forecaster.db"
    assert rows(database, "SELECT status, ensemble_method FROM runs WHERE flow_run_id = ?", str(run.id)) == [
        ("completed", "median")]
    forecasts = rows(database, "SELECT a.agent, q.text FROM agent_forecasts a JOIN runs r ON r.id = a.run_id "
                               "JOIN questions q ON q.id = a.question_id WHERE r.flow_run_id = ?", str(run.id))
    assert forecasts == [("base-rates", "Will it snow in Paris on 2027-01-15?")]
    # The warm-up thread and the first task ask for the scorer together: one connection, one tokenizer load.
    section = run_section(worker.log.read_text(errors="replace"), prefect_client.read_flow_run(run.id).name)
    assert section.count("server mode: smollm2-135m scores on") == 1, section


def run_section(log: str, flow_run_name: str) -> str:
    """The worker's console from the flow run's start to its process's exit, or to now if its process is still
    ending (Prefect has the run Completed first; the tests run one at a time)."""
    start = log.index(f"Beginning flow run '{flow_run_name}'")
    end = log.find(f"Process for flow run '{flow_run_name}' exited", start)
    return log[start : end if end >= 0 else len(log)]


def test_no_secret_of_the_worker_reaches_prefect_its_database_the_store_logs_artifacts_or_plots(
        worker, vllm_server, prefect_client, prefect_service, worker_data):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId

    vllm_server.ready()
    run = trigger(prefect_client, "forecast-events/events-daily", {
        "questions_file": None, "questions": ["Will the Thames freeze over by 2027-03-01?"], "agents": ["sceptic"]})
    state = wait_final(prefect_client, run.id, 900, worker)
    assert state.is_completed(), f"{state.type}: {state.message}"
    logs = prefect_client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
    artifacts = prefect_client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert logs and artifacts
    through_the_api = {"logs": "\n".join(entry.message for entry in logs),
                       "parameters": str(prefect_client.read_flow_run(run.id).parameters),
                       "artifacts": "\n".join(f"{a.key} {a.description} {a.data}" for a in artifacts)}
    # Prefect's SQLite database with its write-ahead log; the worker's data dir: the store, logs, plots, caches
    # (the converted model's weights aside); the worker's own console.
    files = contents([*prefect_service.database_files(), worker.log,
                      *(f for f in worker_data.rglob("*")
                        if f.is_file() and "models" not in f.relative_to(worker_data).parts)])
    assert any(f.name == "prefect.db" for f in files) and any(f.suffix == ".png" for f in files)
    for name, secret in SECRETS.items():
        leaks = [where for where, text in through_the_api.items() if secret in text]
        leaks += [str(f) for f, data in files.items() if secret.encode() in data]
        assert not leaks, f"{name} found in {leaks}"


def contents(files: list[Path]) -> dict[Path, bytes]:
    """Each file's bytes. One gone meanwhile is skipped: SQLite removes its -wal and -shm files when the last
    connection closes, once their pages are in the database file (read here too)."""
    found = {}
    for f in files:
        with contextlib.suppress(FileNotFoundError):
            found[f] = f.read_bytes()
    return found


def test_killing_the_vllm_server_mid_run_and_restarting_it_lets_the_run_finish_without_duplicates(
        worker, vllm_server, prefect_client, worker_data):
    vllm_server.ready()
    questions = [{"id": "restart-a", "question": "Will a new element be added to the periodic table by 2030?"},
                 {"id": "restart-b", "question": "Will the 2028 Olympics open on schedule?"}]
    agents = ["base-rates", "for-and-against"]
    served_before = vllm_server.completions_served()
    run = trigger(prefect_client, "forecast-events/events-daily",
                  {"questions_file": None, "questions": questions, "agents": agents})
    # A read-out of one question takes two requests (the prompt, then its answer trie's nodes): kill after the
    # first read-out, with six requests still to go (batch size 1 on the worker).
    deadline = time.monotonic() + 600
    while vllm_server.completions_served() < served_before + 2:
        assert time.monotonic() < deadline, tail(worker.log, 60)
        assert not prefect_client.read_flow_run(run.id).state.is_final(), "run ended before the kill"
        time.sleep(0.2)
    try:
        vllm_server.kill()
        assert not prefect_client.read_flow_run(run.id).state.is_final()
        time.sleep(5)
    finally:  # later tests of the package share this server
        vllm_server.start()
        vllm_server.ready()
    state = wait_final(prefect_client, run.id, 900, worker)
    assert state.is_completed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    database = worker_data / "forecaster.db"
    run_ids = rows(database, "SELECT id FROM runs WHERE flow_run_id = ?", str(run.id))
    assert len(run_ids) == 1
    per_pair = rows(database, "SELECT question_id, agent, COUNT(*) FROM agent_forecasts WHERE run_id = ? "
                              "GROUP BY question_id, agent ORDER BY question_id, agent", run_ids[0][0])
    assert per_pair == [(q["id"], a, 1) for q in questions for a in sorted(agents)]
    ensembles = rows(database, "SELECT question_id, COUNT(*) FROM ensemble_forecasts WHERE run_id = ? "
                               "GROUP BY question_id ORDER BY question_id", run_ids[0][0])
    assert ensembles == [("restart-a", 1), ("restart-b", 1)]
    assert "retry" in worker.log.read_text(errors="replace")
