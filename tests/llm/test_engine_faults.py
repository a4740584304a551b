"""A process of the engine killed (its core alone, or a model worker alone) before the first call, between
calls or during one: the engine call fails within seconds, what is left of the engine goes, and the pool's
next call runs on a new engine. A forecast stopped by SIGTERM or SIGKILL takes its engine with it."""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from forecaster.llm.liveness import EngineDied
from forecaster.llm.scorer import NextTokenQuery
from forecaster.settings import PROJECT_ROOT
from tests.conftest import DEMO_MODEL
from tests.engine_processes import engine_processes, kill, wait_gone
from tests.processes import start, stop, wait_until

pytestmark = pytest.mark.slow

QUERY = [NextTokenQuery((504, 3458, 314, 260), (30, 31, 32))]
NOTICED_WITHIN_S = 3.0  # from the kill to the engine call failing
GONE_WITHIN_S = 10.0  # from that failure to the last process of the engine gone


def long_batch() -> list[NextTokenQuery]:
    """Distinct long prompts: many seconds of prefill on this CPU, so a kill lands inside the call."""
    rng = random.Random(0)
    return [NextTokenQuery(tuple(rng.randrange(1000, 40000) for _ in range(3000)), (30, 31)) for _ in range(24)]


def fails_within(call, seconds: float) -> BaseException | None:
    """What `call` raised, waiting at most `seconds` (None: it returned); a call still waiting fails the test."""
    outcome: list = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"the engine call still waits {seconds:.0f} s after a process of its engine was killed"
    return outcome[0]


def killed_and_replaced(pool, settings, victim: str, during_a_call: bool) -> float:
    """Kill the engine's `victim` (between calls, or 1 s into a long call); seconds from kill to the failed
    call. Asserts the call fails with EngineDied in time, the engine's processes all go, and a new one works."""
    scorer = pool.scorer(settings, DEMO_MODEL)
    core, workers = engine_processes(scorer.llm)
    assert workers, "the engine has no model worker process"
    target = core if victim == "core" else workers[0]
    killed: list[float] = []
    if during_a_call:
        threading.Timer(1.0, lambda: killed.append(kill(target))).start()
        error = fails_within(lambda: scorer.next_token_logprobs(long_batch()), 60)
        assert killed, "the long call ended before the kill"
    else:
        killed.append(kill(target))
        error = fails_within(lambda: scorer.next_token_logprobs(QUERY), NOTICED_WITHIN_S)
    noticed = time.monotonic() - killed[0]
    assert isinstance(error, EngineDied), f"expected EngineDied, got {error!r}"
    assert noticed < NOTICED_WITHIN_S
    assert not scorer.alive()
    assert wait_gone([core, *workers], GONE_WITHIN_S) == [], "a process of the dead engine was left running"
    replacement = pool.scorer(settings, DEMO_MODEL)
    assert replacement is not scorer and engine_processes(replacement.llm)[0].pid != core.pid
    return noticed


@pytest.mark.parametrize("victim", ["core", "worker"])
def test_a_killed_engine_process_fails_the_call_within_seconds_and_the_next_call_runs_on_a_new_engine(
        pool, engine_settings, victim):
    pool.scorer(engine_settings, DEMO_MODEL).next_token_logprobs(QUERY)
    between = killed_and_replaced(pool, engine_settings, victim, during_a_call=False)
    # The replacement has not been called yet.
    before_first = killed_and_replaced(pool, engine_settings, victim, during_a_call=False)
    during = killed_and_replaced(pool, engine_settings, victim, during_a_call=True)
    (scores,) = pool.scorer(engine_settings, DEMO_MODEL).next_token_logprobs(QUERY)
    assert set(scores) == {30, 31, 32}
    print(f"\nFIGURE kill-to-detection ({victim} alone): between calls {between:.2f} s, before the first call "
          f"{before_first:.2f} s, during a call {during:.2f} s")


def ready_engine_of(proc, data: Path, out: Path) -> list[psutil.Process]:
    """The engine core below a `forecaster` process and its workers, once its log says the engine is ready."""
    def ready() -> bool:
        return any("engine for smollm2-135m ready" in f.read_text(errors="replace") for f in data.rglob("*.log"))

    wait_until(ready, 600, "the forecast's engine to be ready", proc=proc, log=out)
    cores = [p for p in psutil.Process(proc.pid).children(recursive=True) if "EngineCore" in p.name()]
    assert len(cores) == 1, f"expected one engine core below the forecast, found {cores}"
    return [cores[0], *cores[0].children(recursive=True)]


# SIGTERM is what a supervisor sends (Prefect's handler then unwinds the run); SIGKILL, what the OOM killer sends,
# leaves no handler to run: the engine's reaper alone ends it then.
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_local_forecast_stopped_by_a_signal_leaves_no_engine_process_behind(tmp_path, stop_signal):
    env = {**os.environ, "FORECASTER_DATA_DIR": str(tmp_path / "data")}
    env.pop("PREFECT_API_URL", None)  # a local run: its own temporary Prefect server
    out = tmp_path / "forecast.out"
    command = [str(Path(sys.executable).parent / "forecaster"), "forecast", "--questions",
               str(PROJECT_ROOT / "examples" / "demo_questions.yaml")]
    proc = start(command, env, out)
    try:
        engine = ready_engine_of(proc, tmp_path / "data", out)
        assert proc.poll() is None, "the forecast ended before it could be stopped"
        os.kill(proc.pid, stop_signal)  # the process alone, as a supervisor or `kill` stops it
        stopped = time.monotonic()
        proc.wait(120)
        left = wait_gone(engine, 30)
        assert left == [], f"engine processes outlived the stopped forecast: {[p.pid for p in left]}"
        print(f"\nFIGURE {stop_signal.name}-to-engine-gone: {time.monotonic() - stopped:.1f} s")
    finally:
        stop(proc)  # whatever else of its process group is left
