"""Helpers of the scale-out tests: worker processes (each its own process group, so `kill -9` of the group
takes a worker, its flow-run subprocess and that run's engine), memory, process groups."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psutil

from tests.deployments.servers import BIN
from tests.processes import start, stop, wait_until

# A worker's flow runs each start an engine: a small KV cache lets two of them fit beside the other tests.
WORKER_ENV = {"FORECASTER_RETRIEVAL__ENABLED": "false", "FORECASTER_VLLM__CPU_KVCACHE_SPACE_GB": "1",
              "FORECASTER_VLLM__DTYPE": "bfloat16"}


class PrefectOnPostgres:
    """`forecaster server` on a PostgreSQL database; its API URL and its log."""

    def __init__(self, url: str, log: Path, proc: subprocess.Popen) -> None:
        self.url, self.log, self.proc = url, log, proc

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_worker(env: dict[str, str], data_dir: Path, log: Path, *options: str) -> subprocess.Popen:
    """`forecaster worker --pool gpu OPTIONS` with its flows storing into `data_dir`; fails if it exits."""
    worker_env = {**env, **WORKER_ENV, "FORECASTER_DATA_DIR": str(data_dir)}
    proc = start([str(BIN / "forecaster"), "worker", "--pool", "gpu", *options], worker_env, log)
    proc.log = log  # type: ignore[attr-defined]
    wait_until(lambda: "started!" in log.read_text(errors="replace"), 180, "worker", proc, log)
    return proc


def start_plain_worker(env: dict[str, str], data_dir: Path, log: Path) -> subprocess.Popen:
    """Prefect's own `prefect worker start --pool gpu --type process` in the checkout, nothing about heartbeats
    in its environment (the flow runs' logging needs nothing of it: every bootstrap keeps vLLM's logging ours)."""
    from forecaster.cli.deploy import HOME_ENV
    from forecaster.settings import PROJECT_ROOT

    worker_env = {**env, **WORKER_ENV, "FORECASTER_DATA_DIR": str(data_dir),
                  HOME_ENV: str(PROJECT_ROOT)}
    worker_env.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    proc = start([str(BIN / "prefect"), "worker", "start", "--pool", "gpu", "--type", "process", "--limit", "1"],
                 worker_env, log)
    proc.log = log  # type: ignore[attr-defined]
    wait_until(lambda: "started!" in log.read_text(errors="replace"), 180, "prefect worker", proc, log)
    return proc


def kill_worker(worker: subprocess.Popen) -> None:
    """`kill -9` of the worker, its flow-run subprocess and that run's engine, as a lost host would end them."""
    for process in [*psutil.Process(worker.pid).children(recursive=True), psutil.Process(worker.pid)]:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass


def stop_workers(*procs: subprocess.Popen) -> None:
    """`kill -9` of each worker's process group: a worker asked to stop waits out its runs (20 s of grace a test)."""
    for proc in procs:
        stop(proc, signal.SIGKILL)


def memory_available_gb() -> float:
    with open("/proc/meminfo") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["MemAvailable"].split()[0]) / 1024 / 1024


def process_group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
