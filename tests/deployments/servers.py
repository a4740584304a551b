"""The deployment tests' servers: Prefect, the demo model in S3, a vLLM OpenAI server (process helpers: tests/processes.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from forecaster.settings import Settings
from tests.processes import free_port, start, stop, wait_until

BIN = Path(sys.executable).parent
DEMO_MODEL = "smollm2-135m"
SERVED_NAME = "smollm2-135m"
BUCKET = "models"
# Never a real credential: the server and the worker must carry it without it showing up anywhere.
API_KEY = "test-key-7f3a9c1e"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing-key-id", "AWS_SECRET_ACCESS_KEY": "testing-secret-key-51d2",
                  "AWS_DEFAULT_REGION": "us-east-1"}
HF_TOKEN = "hf_testtoken0b6d2e9a4c"
# Planted in the worker's environment; none may show up in Prefect's database, the store, logs, artifacts or plots.
SECRETS = {"HF_TOKEN": HF_TOKEN, "AWS_SECRET_ACCESS_KEY": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
           "server API key": API_KEY}


def base_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
    env.pop("PREFECT_API_URL", None)
    return env


class PrefectServer:
    """`prefect server start` on 127.0.0.1 with its own home, where its SQLite database lives; restartable on the
    same port and database."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.env = base_env(home)
        # The scheduler normally wakes every 60 s; scheduled runs should appear within the tests' patience.
        self.env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "5"
        # Concurrency leases in files under the home, not in memory: a restarted server still knows who holds
        # the GPU slot, so the holder's release frees it (a lease kept in memory is lost and its slot leaks).
        self.env["PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE"] = "prefect.server.concurrency.lease_storage.filesystem"
        self.log = home / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                          self.env, self.log)

    def ready(self, timeout: float = 300) -> "PrefectServer":
        wait_until(lambda: httpx.get(f"{self.url}/health", timeout=5).status_code == 200, timeout,
                   "prefect server", self.proc, self.log)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGKILL)

    def database_files(self) -> list[Path]:
        """Its SQLite database with the write-ahead log and shared-memory files beside it."""
        return sorted(self.home.glob("prefect.db*"))


class S3Model:
    """The demo model's folder uploaded to a moto S3 server."""

    def __init__(self, endpoint: str, uri: str) -> None:
        self.endpoint = endpoint
        self.uri = uri

    @property
    def env(self) -> dict[str, str]:
        # A loaded 2-core machine makes moto slow: long request timeouts, and the streamer's errors in the log.
        return {**S3_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint, "RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS": "120000",
                "RUNAI_STREAMER_LOG_TO_STDERR": "1"}


class VLLMServer:
    """`python -m vllm.entrypoints.openai.api_server` of the demo model, streamed from S3 with Run:ai."""

    def __init__(self, settings: Settings, env: dict[str, str], log: Path) -> None:
        from forecaster.llm.server_command import server_args, server_env

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = server_args(settings, DEMO_MODEL, "127.0.0.1", self.port)
        self.env = server_env(settings, env)
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start(self.args, self.env, self.log)

    def ready(self, timeout: float = 900) -> "VLLMServer":
        """Block until /health answers (engine starts take minutes on a loaded 2-core machine)."""
        wait_until(lambda: httpx.get(f"{self.url}/health", timeout=5).status_code == 200, timeout,
                   "vLLM server", self.proc, self.log, every=2)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGKILL)

    def completions_served(self) -> int:
        return self.log.read_text(errors="replace").count("POST /v1/completions HTTP/1.1\" 200")
