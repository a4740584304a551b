"""Real servers for the deployment tests: Prefect server + process worker, moto S3, a vLLM OpenAI server.

Each is a subprocess on 127.0.0.1 in its own process group, started once for this test package and stopped after
its last test, so later tests get the memory back for their engines.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from forecaster.settings import PROJECT_ROOT, load_settings
from tests.deployments.servers import (
    API_KEY, BIN, BUCKET, DEMO_MODEL, HF_TOKEN, S3_CREDENTIALS, SERVED_NAME, PrefectServer, S3Model,
    VLLMServer, base_env,
)
from tests.processes import free_port, start, stop, tail, wait_until, without_console_environment


@pytest.fixture(scope="package")
def prefect_service(tmp_path_factory) -> Iterator[PrefectServer]:
    """A real `prefect server start` on 127.0.0.1 with its own home (a test may restart it: same port, same
    database)."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect-server"))
    server.start()
    try:
        yield server.ready()
    finally:
        server.kill()


@pytest.fixture(scope="package")
def prefect_api(prefect_service) -> str:
    """The test server's API URL."""
    return prefect_service.url


@pytest.fixture(scope="package")
def client_env(prefect_api, tmp_path_factory) -> dict[str, str]:
    """The environment of a Prefect client (CLI or worker) talking to the test server."""
    env = base_env(tmp_path_factory.mktemp("prefect-client"))
    env["PREFECT_API_URL"] = prefect_api
    return env


@pytest.fixture(scope="package")
def deployed(client_env) -> subprocess.CompletedProcess:
    """`forecaster deploy` run once against the test server."""
    result = subprocess.run([str(BIN / "forecaster"), "deploy"], env=client_env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture
def prefect_client(prefect_api):
    """A sync Prefect client on the test server (not the session's temporary one)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_api}):
        with get_client(sync_client=True) as client:
            yield client


@pytest.fixture(scope="package")
def s3_model(engine_settings, tmp_path_factory) -> Iterator[S3Model]:
    """A real S3-protocol server (moto server mode) on 127.0.0.1 holding the demo model."""
    import boto3

    from forecaster.llm.model_prep import ensure_model

    folder = Path(ensure_model(engine_settings.models[DEMO_MODEL]))
    work = tmp_path_factory.mktemp("moto")
    port = free_port()
    log = work / "moto.log"
    proc = start([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ), log)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(endpoint, timeout=5).status_code < 500, 60, "moto server", proc, log)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        s3.create_bucket(Bucket=BUCKET)
        for path in sorted(folder.iterdir()):
            if path.is_file():
                s3.upload_file(str(path), BUCKET, f"{folder.name}/{path.name}")
        yield S3Model(endpoint, f"s3://{BUCKET}/{folder.name}")
    finally:
        stop(proc)


@pytest.fixture(scope="package")
def vllm_server(s3_model, tmp_path_factory) -> Iterator[VLLMServer]:
    """Started here, not waited for: tests call `.ready()`, so the engine loads while other fixtures start."""
    work = tmp_path_factory.mktemp("vllm-server")
    overrides = {
        "models": {DEMO_MODEL: {"path": s3_model.uri}},
        "server": {"model": SERVED_NAME, "api_key": API_KEY},
        # float32 on both sides so the server's log-probabilities match the in-process engine's.
        "vllm": {**load_settings().vllm.model_dump(), "dtype": "float32", "load_format": "runai_streamer",
                 "cpu_kvcache_space_gb": 1,
                 # Few parallel ranged GETs: moto answers them one at a time, and starved connections get dropped.
                 "model_loader_extra_config": {"concurrency": 2}},
    }
    settings = load_settings(**overrides)
    # Not the console environment a command run in-process (a fixture's `deploy`) left: with it the server would
    # log into that command's log file, and the tests that count its requests in its own log would see none.
    env = {**without_console_environment(os.environ), **s3_model.env, "PYTHONUNBUFFERED": "1"}
    server = VLLMServer(settings, env, work / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="package")
def worker_data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-data")


@pytest.fixture(scope="package")
def worker(deployed, client_env, vllm_server, worker_data, tmp_path_factory) -> Iterator[subprocess.Popen]:
    """`forecaster worker` on the gpu pool, its flows scoring on the vLLM server (server mode)."""
    env = {**client_env, **S3_CREDENTIALS,
           "HF_TOKEN": HF_TOKEN,  # never used here (the tokenizer is local): planted to be looked for
           "FORECASTER_DATA_DIR": str(worker_data),
           "FORECASTER_RETRIEVAL__ENABLED": "false",
           "FORECASTER_SERVER__BASE_URL": vllm_server.url,
           "FORECASTER_SERVER__MODEL": SERVED_NAME,
           "FORECASTER_SERVER__API_KEY": API_KEY,
           # One question per model call: the batch-of-one path runs on a worker, and a run makes enough
           # requests for a fault test to land in its middle.
           "FORECASTER_FORECAST__BATCH_SIZE": "1",
           # Wait out a server restart (minutes here): up to ~15 min of retries, 15 s apart at most.
           "FORECASTER_SERVER__RETRIES": "70",
           "FORECASTER_SERVER__RETRY_MAX_BACKOFF_S": "15"}
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    # The deployments' own queue only: tests that bring their own worker put their runs on a queue of their own.
    proc = start([str(BIN / "forecaster"), "worker", "--pool", "gpu", "--work-queue", "default"], env, log)
    proc.log = log  # type: ignore[attr-defined]
    try:
        time.sleep(2)
        if proc.poll() is not None:
            pytest.fail(f"worker exited with {proc.returncode}\n{tail(log)}")
        yield proc
    finally:
        stop(proc, signal.SIGKILL)  # its group, flow runs included: a worker asked to stop waits out its runs
