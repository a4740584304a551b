"""The console shows the forecaster's lines only: libraries' notices, from this process or the ones it starts
(the engine's, the temporary Prefect server's), go to the log file."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Printed by vLLM's engine processes before their logging exists, and by Prefect's temporary server (an event
# over PREFECT_EVENTS_MAXIMUM_SIZE_BYTES, made small in `partial_run` so that every run's events are).
NOTICES = ("Triton is installed, but doesn't include CPU backend", "Refusing to publish event of size")


def test_library_notices_reach_the_log_file_not_the_console(partial_run):
    log = partial_run.log()
    for notice in NOTICES:
        assert notice in log, notice
        assert notice not in partial_run.console, notice
    assert "ensemble" in partial_run.done.stdout  # the run's own table still reaches the console


def test_verbose_keeps_the_libraries_notices_on_the_console(failed_verbose_run):
    assert NOTICES[0] in failed_verbose_run.done.stderr
