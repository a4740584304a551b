"""The real vLLM `/pooling` server with the chronos2 plugin, started once per test session (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import httpx

from forecaster.cli.chronos import server_command, server_environment
from tests.processes import free_port, start, stop, wait_until

SERVED_NAME = "amazon/chronos-2"  # the seed's curl body names this model
START_TIMEOUT_S = 300


def run_pooling_server(tiny_checkpoint: Path, tmp_path_factory) -> Iterator[str]:
    """Base URL of a real vLLM server with the chronos2 plugin on 127.0.0.1, killed at the end."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("chronos-server") / "server.log"
    env = server_environment(cpu_threads_bind="nobind")
    env["VLLM_CACHE_ROOT"] = str(tmp_path_factory.mktemp("vllm-cache"))
    process = start(server_command(str(tiny_checkpoint), port=port, served_model_name=SERVED_NAME), env, log_path)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{base_url}/health", timeout=2).status_code == 200, START_TIMEOUT_S,
                   "chronos2 vLLM server", process, log_path)
        yield base_url
    finally:
        stop(process)
