"""The real vLLM `/pooling` server with the chronos2 plugin, started once per test session (tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import httpx

from forecaster.cli.chronos import server_command, server_environment

SERVED_NAME = "amazon/chronos-2"  # the seed's curl body names this model
START_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_pooling_server(tiny_checkpoint: Path, tmp_path_factory) -> Iterator[str]:
    """Base URL of a real vLLM server with the chronos2 plugin on 127.0.0.1, killed at the end."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("chronos-server") / "server.log"
    env = server_environment(cpu_threads_bind="nobind")
    env["VLLM_CACHE_ROOT"] = str(tmp_path_factory.mktemp("vllm-cache"))
    argv = server_command(str(tiny_checkpoint), port=port, served_model_name=SERVED_NAME)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process, log_path)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vLLM server exited ({process.returncode}):\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"vLLM server not healthy after {START_TIMEOUT_S} s:\n{log_path.read_text()[-4000:]}")
