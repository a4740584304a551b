"""A flow run on a plain `prefect worker start` (what Prefect's docs, Kubernetes and Docker work pools run) starts
its engine in-process and ends: vLLM's logging set-up once deadlocked there with Prefect's API log handler."""

from __future__ import annotations

import re
import signal

import pytest

from forecaster.settings import PROJECT_ROOT
from tests.deployments.runs import rows, trigger, wait_final
from tests.deployments.servers import BIN
from tests.processes import start, stop, tail

pytestmark = pytest.mark.slow

RUNS = 2  # the deadlock hung every run it was seen in; the log check below catches it without one
QUEUE = "plain"  # the package's `forecaster worker` serves the pool's default queue: these runs are this worker's


@pytest.fixture
def plain_worker(deployed, client_env, tmp_path):
    env = {**client_env, "FORECASTER_HOME": str(PROJECT_ROOT), "FORECASTER_DATA_DIR": str(tmp_path / "data"),
           "FORECASTER_RETRIEVAL__ENABLED": "false"}
    log = tmp_path / "worker.log"
    proc = start([str(BIN / "prefect"), "worker", "start", "--pool", "gpu", "--type", "process",
                  "--work-queue", QUEUE], env, log)
    proc.log = log  # type: ignore[attr-defined]
    try:
        yield proc
    finally:
        stop(proc, signal.SIGKILL)  # its group: a worker asked to stop waits out its runs


def test_forecast_flow_runs_on_a_plain_prefect_worker_end_every_time(plain_worker, prefect_client, tmp_path):
    for attempt in range(RUNS):
        run = trigger(prefect_client, "forecast-events/events-daily", {
            "questions_file": None, "questions": [f"Will it snow in Oslo on 2027-01-{attempt + 10}?"],
            "agents": ["base-rates"]}, queue=QUEUE)
        # The hang was for ever: 900 s only makes room for engine starts on a loaded machine (2 min seen in CI).
        state = wait_final(prefect_client, run.id, 900, plain_worker)
        assert state.is_completed(), f"run {attempt}: {state.type}: {state.message}\n{tail(plain_worker.log, 60)}"
    statuses = rows(tmp_path / "data" / "forecaster.db", "SELECT status FROM runs")
    assert statuses == [("completed",)] * RUNS
    # vLLM's own logging set-up (the dictConfig that deadlocked) would take its loggers off our handlers while its
    # engine starts: that it never ran shows, race or no race, in what reaches our log file then.
    log = (tmp_path / "data" / "logs" / "forecaster.log").read_text(errors="replace")
    starts = re.findall(r"starting vLLM engine.*?engine for \S+ ready in", log, re.DOTALL)
    assert len(starts) == RUNS
    assert all(re.search(r"^\S+ \S+ (INFO|WARNING) vllm\.[\w.]+: ", start, re.MULTILINE) for start in starts)
