"""The console's filter: the forecaster's warnings pass, libraries' notices stay in the log file."""

from __future__ import annotations

import logging

from forecaster.logging_setup import NotLibraryChatter


def record(name: str, level: int, pathname: str = "/work/forecaster/x.py") -> logging.LogRecord:
    return logging.LogRecord(name, level, pathname, 1, "a notice", None, None)


def test_the_forecasters_warnings_reach_the_console():
    assert NotLibraryChatter().filter(record("forecaster.events.agents", logging.WARNING))
    assert NotLibraryChatter().filter(record("flows.events", logging.WARNING))


def test_a_librarys_warning_stays_off_the_console():
    for name in ("vllm.triton_utils.importing", "prefect.server.events.messaging", "py.warnings", "httpx"):
        assert not NotLibraryChatter().filter(record(name, logging.WARNING)), name


def test_a_librarys_error_reaches_the_console():
    assert NotLibraryChatter().filter(record("prefect.client", logging.ERROR))


def test_prefects_own_run_state_records_stay_off_the_console():
    run_state = record("prefect.flow_runs", logging.ERROR, "/venv/site-packages/prefect/flow_engine.py")
    assert not NotLibraryChatter().filter(run_state)
    assert NotLibraryChatter().filter(record("prefect.flow_runs", logging.WARNING))
