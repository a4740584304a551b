"""Helpers for the deployment tests: real servers as subprocesses on 127.0.0.1, each in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import httpx
import pytest

from forecaster.settings import PROJECT_ROOT, Settings, load_settings

BIN = Path(sys.executable).parent
DEMO_MODEL = "smollm2-135m"
SERVED_NAME = "smollm2-135m"
BUCKET = "models"
# Never a real credential: the server and the worker must carry it without it showing up anywhere.
API_KEY = "test-key-7f3a9c1e"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing-key-id", "AWS_SECRET_ACCESS_KEY": "testing-secret-key-51d2",
                  "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen | None = None,
               log: Path | None = None, every: float = 1.0) -> None:
    """Poll `check` until true; fail with the log's tail if time runs out or the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what}: process exited with {proc.returncode}\n{tail(log)}")
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(every)
    pytest.fail(f"{what}: not ready after {timeout:.0f} s\n{tail(log)}")


def tail(log: Path | None, lines: int = 40) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def start(args: list[str], env: dict[str, str], log: Path, cwd: Path = PROJECT_ROOT) -> subprocess.Popen:
    handle = log.open("ab")
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 20) -> None:
    """End the process and everything in its group (vLLM's engine core runs as a child)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group
    except (ProcessLookupError, PermissionError):
        pass


def base_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
    env.pop("PREFECT_API_URL", None)
    return env


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
