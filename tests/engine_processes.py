"""The processes of an in-process vLLM engine this test process started, for tests that kill them (kill -9)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import psutil


def engine_processes(llm: Any) -> tuple[psutil.Process, list[psutil.Process]]:
    """The engine's core, as vLLM recorded it (a direct child of this process), and its model workers."""
    (started,) = llm.llm_engine.engine_core.resources.engine_manager.processes
    core = psutil.Process(started.pid)
    assert core.ppid() == os.getpid(), "not an engine core of this process"
    return core, core.children(recursive=True)


def kill(process: psutil.Process) -> float:
    """SIGKILL one process; the monotonic time of the kill."""
    os.kill(process.pid, signal.SIGKILL)
    return time.monotonic()


def gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def wait_gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Those of `processes` still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while any(not gone(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in processes if not gone(p)]
