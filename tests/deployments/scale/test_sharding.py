"""Sharded runs end to end: a real Prefect server on real PostgreSQL, real process workers each starting its own
engine, `forecaster forecast --questions FILE --shards 3`, one worker killed (`kill -9`) mid-shard: the shard is run
again, the others are not, every question is stored once and the set merged into one artifact."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml

from forecaster.settings import PROJECT_ROOT
from tests.deployments.scale.cluster import WORKER_ENV, kill_worker, memory_available_gb, start_worker, stop_workers
from tests.deployments.servers import BIN
from tests.processes import start, stop, tail

pytestmark = pytest.mark.slow

TEMPLATE = PROJECT_ROOT / "deployments" / "k8s-gpu-job-template.json"
QUESTIONS = 12


def questions_file(folder: Path, prefix: str) -> Path:
    path = folder / "questions.yaml"
    path.write_text(yaml.safe_dump([{"id": f"{prefix}-{i:02d}", "question": f"Will event {prefix} {i} happen "
                                     f"before 2027-06-30?"} for i in range(QUESTIONS)]))
    return path


def rows(database: Path, sql: str, *params: Any) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def stored_per_question(database: Path, flow_run_ids: list[str]) -> dict[str, int]:
    """How many times each question was stored by the set's runs (its context row goes with its forecasts)."""
    if not database.exists():
        return {}
    marks = ",".join("?" * len(flow_run_ids))
    try:
        return dict(rows(database, "SELECT c.question_id, COUNT(*) FROM question_context c JOIN runs r ON "
                         f"r.id = c.run_id WHERE r.flow_run_id IN ({marks}) GROUP BY c.question_id",
                         *flow_run_ids))
    except sqlite3.OperationalError:  # the first run is still creating the tables
        return {}


def set_runs(client, since: float) -> tuple[Any, list[Any]]:
    """The parent flow run started after `since` and its shard runs, oldest first."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterTags

    parents = [r for r in client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(
        any_=["forecast-events-sharded"]))) if r.created.timestamp() >= since]
    shards = [r for r in client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(
        all_=["shard"]))) if r.created.timestamp() >= since]
    return (parents[0] if parents else None), sorted(shards, key=lambda r: r.created)


def sharded_command(env: dict[str, str], data: Path, questions: Path, log: Path) -> subprocess.Popen:
    command = [str(BIN / "forecaster"), "forecast", "--questions", str(questions), "--shards", "3",
               "--agent", "base-rates"]
    return start(command, {**env, **WORKER_ENV, "FORECASTER_DATA_DIR": str(data)}, log)


def wait_exit(proc: subprocess.Popen, log: Path, timeout: float, *workers) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        pytest.fail(f"sharded run not done after {timeout:.0f} s\n{tail(log, 40)}\n"
                    + "\n".join(tail(w.log, 30) for w in workers))


def merged_artifact(client, flow_run_id) -> Any:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    return client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(
        any_=[flow_run_id])))


@pytest.fixture
def two_workers(pg_env, pg_deployed, tmp_path):
    # Other areas' engines run beside this one under `pytest -n`: wait (bounded) for theirs to be released.
    deadline = time.monotonic() + 600
    while memory_available_gb() < 7 and time.monotonic() < deadline:
        time.sleep(5)
    assert memory_available_gb() >= 7, "two workers' engines need ~6 GB"
    data = tmp_path / "data"
    # One question per chunk: a shard stores its four questions one by one, each after its own model work, so the
    # test has three chunks' time to catch a shard between its first and last stored question.
    env = {**pg_env, "FORECASTER_FORECAST__BATCH_SIZE": "1"}
    workers = [start_worker(env, data, tmp_path / f"worker-{i}.log", "--limit", "1") for i in range(2)]
    yield data, workers
    stop_workers(*workers)


def test_a_kubernetes_pool_accepts_the_gpu_job_template_and_gives_back_its_gpu_request(pg_client):
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.utilities.templating import apply_values

    template = json.loads(TEMPLATE.read_text())
    pg_client.create_work_pool(WorkPoolCreate(name="gpu-k8s", type="kubernetes", base_job_template=template))
    pool = pg_client.read_work_pool("gpu-k8s")
    assert pool.type == "kubernetes"
    container = pool.base_job_template["job_configuration"]["job_manifest"]["spec"]["template"]["spec"][
        "containers"][0]
    assert container["resources"]["requests"]["nvidia.com/gpu"] == "{{ gpus }}"
    defaults = {k: v["default"] for k, v in pool.base_job_template["variables"]["properties"].items()
                if "default" in v}
    rendered = apply_values(container["resources"], {**defaults, "gpus": 2})
    assert rendered["requests"]["nvidia.com/gpu"] == 2 and rendered["limits"]["nvidia.com/gpu"] == 2
    assert defaults["gpus"] == 1


def test_a_shard_reaches_a_kubernetes_pools_deployment_with_its_job_variables(pg_client, pg_deployed):
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tasks.sharding import start_shard

    try:
        pg_client.read_work_pool("gpu-k8s")
    except ObjectNotFound:
        pg_client.create_work_pool(WorkPoolCreate(name="gpu-k8s", type="kubernetes",
                                                  base_job_template=json.loads(TEMPLATE.read_text())))
    events = pg_client.read_deployment_by_name("forecast-events/events-daily")
    pg_client.create_deployment(flow_id=events.flow_id, name="events-k8s", work_pool_name="gpu-k8s",
                                entrypoint=events.entrypoint)
    with temporary_settings(updates={PREFECT_API_URL: str(pg_client.api_url)}):
        run_id = start_shard("forecast-events/events-k8s", {"questions": ["Will it snow?"]}, "k8s-shard",
                             {"gpus": 2})
    run = pg_client.read_flow_run(run_id)
    assert run.work_pool_name == "gpu-k8s" and run.job_variables["gpus"] == 2
    assert run.job_variables["env"] == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}  # for crash detection
    pg_client.delete_flow_run(run.id)  # no Kubernetes worker here to take it


def test_twelve_questions_in_three_shards_on_two_workers_one_killed_mid_shard_are_each_stored_once_and_merged(
        pg_server, pg_env, pg_client, two_workers, tmp_path):
    data, workers = two_workers
    log = tmp_path / "cli.log"
    since = time.time()
    proc = sharded_command(pg_env, data, questions_file(tmp_path, "kill"), log)
    victim, killed_at, stored_before = kill_a_worker_after_its_first_stored_question(pg_client, workers, data,
                                                                                     since, proc, log)
    code = wait_exit(proc, log, 1800, *workers)
    assert code == 0, tail(log, 60)
    parent, shards = set_runs(pg_client, since)
    assert pg_client.read_flow_run(victim).state.is_crashed()
    rerun = next(s for s in shards if s.created.timestamp() > killed_at)
    assert len(rerun.parameters["questions"]) == 4 - stored_before
    counts = stored_per_question(data / "forecaster.db", [str(s.id) for s in shards])
    assert counts == {f"kill-{i:02d}": 1 for i in range(QUESTIONS)}
    (artifact,) = merged_artifact(pg_client, parent.id)
    assert artifact.key == "event-forecasts-merged"
    assert sum(1 for line in artifact.data.splitlines() if "Will event kill" in line) == QUESTIONS
    assert "database is locked" not in pg_server.log_text()
    print(f"\nFIGURE crash-to-rerun: {rerun.created.timestamp() - killed_at:.0f} s from kill -9 to the shard's "
          f"rerun ({stored_before} of 4 questions stored before the kill)")


def kill_a_worker_after_its_first_stored_question(client, workers, data: Path, since: float,
                                                  proc: subprocess.Popen, log: Path) -> tuple[Any, float, int]:
    """SIGKILL the worker (and its flow-run subprocess and engine) running a shard that has stored some but not
    all of its questions; returns that shard's flow run id, the kill time and how many it had stored."""
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"sharded run ended before a kill\n{tail(log, 40)}"
        _, shards = set_runs(client, since)
        for shard in shards:
            done = stored_per_question(data / "forecaster.db", [str(shard.id)])
            if 0 < len(done) < 4 and not client.read_flow_run(shard.id).state.is_final():
                worker = worker_of(client.read_flow_run(shard.id), workers)
                kill_worker(worker)
                return shard.id, time.time(), len(stored_per_question(data / "forecaster.db", [str(shard.id)]))
        time.sleep(0.1)
    pytest.fail("no shard was caught between its first and last stored question")


def worker_of(run, workers) -> subprocess.Popen:
    """The worker process whose descendants include the flow run's process (`infrastructure_pid` host:pid)."""
    pid = int(str(run.infrastructure_pid).rsplit(":", 1)[-1])
    for worker in workers:
        if pid in {p.pid for p in psutil.Process(worker.pid).children(recursive=True)}:
            return worker
    pytest.fail(f"flow run {run.id}: process {pid} belongs to no worker")

