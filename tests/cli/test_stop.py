"""Stop means stop: `forecaster forecast` asked to stop ends within a bound, its temporary Prefect server with it."""

from __future__ import annotations

import contextlib
import signal
import time

import httpx
import psutil
import pytest

from forecaster.cli.stopping import STOP_GRACE_S
from tests.cli.commands import RAIN, command_env, start_command

pytestmark = pytest.mark.slow


def temporary_server_up(command: psutil.Process) -> bool:
    """True once the command's temporary Prefect server (uvicorn, a child of it) answers its health check."""
    for child in command.children(recursive=True):
        try:
            args = child.cmdline()
        except psutil.Error:
            continue
        if "uvicorn" in args and "--port" in args:
            port = args[args.index("--port") + 1]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
    return False


def engine_starting(command: psutil.Process) -> bool:
    """True once the command's engine core process exists: its engine is starting, not yet known to its pool."""
    with contextlib.suppress(psutil.Error):
        return any("EngineCore" in " ".join(child.cmdline()) for child in command.children(recursive=True))
    return False


def left_running(pids: list[int]) -> list[str]:
    alive = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{pid} {' '.join(process.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    return alive


def test_sigterm_ends_the_forecast_command_its_temporary_prefect_server_and_its_starting_engine(tmp_path):
    proc = start_command(["forecast", RAIN, "--agent", "base-rates"], command_env(tmp_path))
    command = psutil.Process(proc.pid)
    children: list[int] = []
    try:
        deadline = time.monotonic() + 300
        # The hardest moment: the server up and the engine mid-start, its processes not yet known to any pool.
        while not (temporary_server_up(command) and engine_starting(command)):
            assert proc.poll() is None, f"ended before its engine started\n{proc.stderr.read()[-3000:]}"
            assert time.monotonic() < deadline, "the temporary Prefect server or the engine did not come up"
            time.sleep(0.2)
        children = [child.pid for child in command.children(recursive=True)]
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = proc.wait(STOP_GRACE_S + 10)
        took = time.monotonic() - started
        time.sleep(2)  # a child that exits on its parent's end gets a moment
        assert left_running(children) == []
        assert code == 128 + signal.SIGTERM, proc.stderr.read()[-3000:]
        assert took < STOP_GRACE_S + 10
    finally:  # what a failing run left behind goes, so that later tests get the machine back
        if proc.poll() is None:
            children += [child.pid for child in command.children(recursive=True)]
            proc.kill()
        for line in left_running(children):
            with contextlib.suppress(psutil.Error):
                psutil.Process(int(line.split()[0])).kill()
