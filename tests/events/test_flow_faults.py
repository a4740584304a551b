"""Faults stay small: a bad question fails alone, a dead engine is replaced, a crash still ends the run."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import signal

import psutil
import pytest

from typer.testing import CliRunner

from flows.events import forecast_events
from forecaster.cli import app
from forecaster.progress import LOGGER_NAME
from forecaster.events.store import ForecastStore

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 12, 20)
NORMAL = [
    {"id": "f-mars", "question": "Will a crewed spacecraft land on Mars by 2027-06-30?"},
    {"id": "f-rain", "question": "Will it rain in London on 2027-01-01?"},
]


# The door caps a question's text (questions.max_text_chars) well below the demo model's context; a deployment
# with a larger cap, or a smaller model, meets the context limit instead: these tests raise the cap to reach it.
UNCAPPED = {"FORECASTER_QUESTIONS__MAX_TEXT_CHARS": "1000000"}


def over_long(max_model_len: int) -> dict:
    """A question whose own text is longer than the model's context: nothing can be cut to fit it."""
    text = " ".join(["The committee reviewed the launch schedule again."] * (max_model_len // 4))
    return {"id": "f-long", "question": text + " Will the launch happen by 2027-06-30?"}


def only_run(store: ForecastStore) -> dict:
    (run,) = store.db.query("SELECT * FROM runs")
    return run


def test_an_over_long_question_fails_alone_and_the_run_is_partial(prefect_server, pool, settings, monkeypatch):
    for name, value in UNCAPPED.items():
        monkeypatch.setenv(name, value)
    questions = [NORMAL[0], over_long(settings.vllm.max_model_len), NORMAL[1]]
    summaries = forecast_events(questions=questions, today=TODAY)
    store = ForecastStore(settings.database_path)
    assert only_run(store)["status"] == "partial"
    assert [s["question_id"] for s in summaries if s["ensemble"] is not None] == ["f-mars", "f-rain"]
    (failed,) = [s for s in summaries if s["ensemble"] is None]
    assert failed["question_id"] == "f-long"
    assert len(failed["failures"]) == len(settings.agents)
    (reasons,) = store.failures("f-long").values()
    assert all("the question alone takes" in r["reason"] for r in reasons)
    for qid in ("f-mars", "f-rain"):
        assert store.count_rows(qid)["ensemble_forecasts"] == 1
    shown = CliRunner().invoke(app, ["history", "f-long"])
    assert shown.exit_code == 0 and "could not forecast: the question alone takes" in shown.output


class OnFirstForecasts(logging.Handler):
    """Runs `act` once, when the run's first forecasts are in (a real fault, injected mid-run)."""

    def __init__(self, act) -> None:
        super().__init__()
        self.act, self.done = act, False

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "progress_advance", None) and not self.done:
            self.done = True
            self.act()


def forecast_with(handler: logging.Handler, **parameters):
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        return forecast_events(**parameters)
    finally:
        logger.removeHandler(handler)


def test_a_failure_that_escapes_the_flow_body_leaves_the_run_failed(prefect_server, pool, settings):
    def plots_folder_becomes_a_file() -> None:
        shutil.rmtree(settings.plots_dir)
        settings.plots_dir.write_text("a file where the plots folder should be")

    with pytest.raises(Exception):
        forecast_with(OnFirstForecasts(plots_folder_becomes_a_file), questions=NORMAL[:1],
                      agents=[settings.agents[0].name], today=TODAY)
    run = only_run(ForecastStore(settings.database_path))
    assert run["status"] == "failed" and run["finished_at"]


def kill_engine_core(with_workers: bool) -> list[int]:
    """SIGKILL the engine core process(es) this process started, with or without their model workers; their
    pids."""
    killed = []
    # Direct children only: a vLLM server the session started (the Chronos-2 one) has its own
    # engine core below it, and killing that one would take the server down for later tests.
    for child in psutil.Process().children(recursive=False):
        try:
            title = " ".join(child.cmdline()) + child.name()
            workers = child.children(recursive=True)
        except psutil.Error:  # a released engine's process not yet reaped, or gone meanwhile
            continue
        if "EngineCore" in title:
            # With its workers the engine is gone as a whole; the core alone is what the OOM killer takes,
            # leaving its workers running (holding their memory) and vLLM's client waiting.
            for process in [*(workers if with_workers else []), child]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
            killed.append(child.pid)
    return killed


@pytest.mark.parametrize("with_workers", [True, False], ids=["core-and-workers", "core-alone"])
def test_a_killed_engine_is_replaced_and_every_question_is_stored_once(prefect_server, pool, settings,
                                                                       with_workers):
    killed: list[int] = []
    summaries = forecast_with(OnFirstForecasts(lambda: killed.extend(kill_engine_core(with_workers))),
                              questions=NORMAL, today=TODAY)
    assert killed, "no engine core process was found to kill"
    store = ForecastStore(settings.database_path)
    assert only_run(store)["status"] == "completed"
    assert all(s["ensemble"] is not None for s in summaries)
    for q in NORMAL:
        assert store.count_rows(q["id"]) == {"questions": 1, "agent_forecasts": len(settings.agents),
                                             "ensemble_forecasts": 1}
