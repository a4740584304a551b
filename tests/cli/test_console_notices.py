"""The console shows the forecaster's lines only: libraries' notices, from this process or the ones it starts
(the engine's, the temporary Prefect server's), go to the log file."""

from __future__ import annotations

import pytest

from tests.cli.commands import RAIN, command_env, run_command

pytestmark = pytest.mark.slow

# Printed by vLLM's engine processes before their logging exists, and by Prefect's temporary server (an event
# over PREFECT_EVENTS_MAXIMUM_SIZE_BYTES, made small here so that every run's events are).
NOTICES = ("Triton is installed, but doesn't include CPU backend", "Refusing to publish event of size")


def test_library_notices_reach_the_log_file_not_the_console(tmp_path):
    env = command_env(tmp_path, PREFECT_EVENTS_MAXIMUM_SIZE_BYTES="2000")
    done = run_command(["forecast", RAIN, "--agent", "base-rates"], env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    console = done.stdout + done.stderr
    log = (tmp_path / "logs" / "forecaster.log").read_text(errors="replace")
    for notice in NOTICES:
        assert notice in log, notice
        assert notice not in console, notice
    assert "ensemble" in done.stdout  # the run's own table still reaches the console


def test_verbose_keeps_the_libraries_notices_on_the_console(tmp_path):
    env = command_env(tmp_path)
    done = run_command(["--verbose", "forecast", RAIN, "--agent", "base-rates"], env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert NOTICES[0] in done.stderr
