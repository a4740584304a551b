"""Test helpers: one tiny checkpoint and one real `/pooling` server per pytest session, and a strict caller.

The session's checkpoint and server live in pytest's config stash, so every conftest that asks for them (this
package's tests and an application's) shares one server. Imports pytest: for tests only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from chronos2_vllm.checkpoint import build_random_checkpoint
from chronos2_vllm.serve import server_command, server_environment

SERVED_NAME = "amazon/chronos-2"  # the seed's curl body names this model
START_TIMEOUT_S = 300
_CHECKPOINT = pytest.StashKey[Path]()
_SERVER = pytest.StashKey[str]()


def session_checkpoint(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's random tiny Chronos-2 checkpoint (no weights can be downloaded here), built once."""
    if _CHECKPOINT not in config.stash:
        directory = tmp_path_factory.mktemp("chronos") / "chronos-2-tiny"
        config.stash[_CHECKPOINT] = build_random_checkpoint(directory, size="tiny")
    return config.stash[_CHECKPOINT]


def session_pooling_server(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Base URL of the session's real vLLM server with the chronos2 plugin, stopped when pytest ends."""
    if _SERVER not in config.stash:
        checkpoint = session_checkpoint(config, tmp_path_factory)
        config.stash[_SERVER] = _start_server(config, checkpoint, tmp_path_factory)
    return config.stash[_SERVER]


def _start_server(config: pytest.Config, checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("chronos-server") / "server.log"
    env = server_environment(cpu_threads_bind="nobind")
    env["VLLM_CACHE_ROOT"] = str(tmp_path_factory.mktemp("vllm-cache"))
    argv = server_command(str(checkpoint), port=port, served_model_name=SERVED_NAME)
    with log_path.open("ab") as log:
        # Its own session, so the engine core (a child) goes with it.
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    config.add_cleanup(lambda: _stop(process))
    base_url = f"http://127.0.0.1:{port}"
    _wait_healthy(base_url, process, log_path)
    return base_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chronos2 vLLM server exited with {process.returncode}\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"chronos2 vLLM server not ready after {START_TIMEOUT_S} s\n{_tail(log_path)}")


def _tail(log_path: Path, lines: int = 40) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen, grace: float = 20) -> None:
    """End the server and everything in its process group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(10)


def _reject_constant(name: str) -> Any:
    raise AssertionError(f"response carries the non-JSON literal {name}")


class Pooling:
    """Posts `/pooling` bodies and parses answers strictly (NaN/Infinity in a response fail the test)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=120)

    def post_raw(self, content: str | bytes) -> httpx.Response:
        """POST a raw body to /pooling."""
        return self.http.post("/pooling", content=content, headers={"Content-Type": "application/json"})

    def post(self, data: Any, model: str = SERVED_NAME) -> httpx.Response:
        """POST `data` as a plugin request for `model`."""
        return self.post_raw(json.dumps({"model": model, "task": "plugin", "data": data}))

    def forecast(self, data: Any) -> list[dict[str, Any]]:
        """POST `data`, assert HTTP 200 and return the predictions."""
        response = self.post(data)
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_constant=_reject_constant)["data"]["predictions"]


def random_walk(rng: np.random.Generator, length: int, variates: int | None = None) -> np.ndarray:
    """A positive random walk (1-D, or `variates` × length)."""
    shape = (length,) if variates is None else (variates, length)
    return 50 + np.cumsum(rng.normal(size=shape), axis=-1)
