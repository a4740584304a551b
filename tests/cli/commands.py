"""`forecaster` commands as real processes for the tests: environment, a run that fails instead of hanging."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from forecaster.settings import PROJECT_ROOT

FORECASTER = str(Path(sys.executable).with_name("forecaster"))
RAIN = "Will it rain in London on 2027-01-01?"


def command_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A command's environment: its own data dir and temporary Prefect server, no retrieval (no network here)."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update({"FORECASTER_DATA_DIR": str(data_dir), "PREFECT_HOME": str(data_dir / "prefect"),
                "FORECASTER_RETRIEVAL__ENABLED": "false", "PYTHONUNBUFFERED": "1", **extra})
    return env


def start_command(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([FORECASTER, *args], env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def run_command(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """`forecaster ARGS` to its end; still running after `timeout` fails the test (its process group killed)."""
    proc = start_command(args, env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"forecaster {args[0]} still running after {timeout:.0f} s (hung)\n{err[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
