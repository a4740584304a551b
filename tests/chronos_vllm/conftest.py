"""One tiny random Chronos-2 checkpoint, one real vLLM `/pooling` server and one in-process pipeline per session."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import numpy as np
import pytest

from forecaster.chronos_checkpoint import build_random_checkpoint
from forecaster.cli.chronos import server_command, server_environment

SERVED_NAME = "amazon/chronos-2"  # the seed's curl body names this model
START_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A random Chronos-2 of the published layout, tiny sizes."""
    return build_random_checkpoint(tmp_path_factory.mktemp("chronos") / "tiny")


@pytest.fixture(scope="session")
def pooling_server(tiny_checkpoint, tmp_path_factory) -> Iterator[str]:
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


@pytest.fixture(scope="session")
def pipeline(tiny_checkpoint):
    """The in-process reference: Chronos2Pipeline on the same checkpoint, float32."""
    import torch
    from chronos import Chronos2Pipeline

    return Chronos2Pipeline.from_pretrained(str(tiny_checkpoint), device_map="cpu", torch_dtype=torch.float32)


def _reject_constant(name: str) -> Any:
    raise AssertionError(f"response carries the non-JSON literal {name}")


class Pooling:
    """Posts `/pooling` bodies and parses answers strictly (NaN/Infinity in a response fail the test)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=120)

    def post_raw(self, content: str | bytes) -> httpx.Response:
        return self.http.post("/pooling", content=content, headers={"Content-Type": "application/json"})

    def post(self, data: Any, model: str = SERVED_NAME) -> httpx.Response:
        return self.post_raw(json.dumps({"model": model, "task": "plugin", "data": data}))

    def forecast(self, data: Any) -> list[dict[str, Any]]:
        response = self.post(data)
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_constant=_reject_constant)["data"]["predictions"]


@pytest.fixture(scope="session")
def pooling(pooling_server) -> Pooling:
    return Pooling(pooling_server)


def random_walk(rng: np.random.Generator, length: int, variates: int | None = None) -> np.ndarray:
    """A positive random walk (1-D, or `variates` × length)."""
    shape = (length,) if variates is None else (variates, length)
    return 50 + np.cumsum(rng.normal(size=shape), axis=-1)
