"""`forecaster worker`: Prefect process workers on a pool, each pinned to its own GPU(s) when asked.

A process worker runs each flow run as a subprocess with the worker's own environment, so the
`CUDA_VISIBLE_DEVICES` set here is what the flow run's engine sees.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from typing import List, Optional, Sequence

import typer

from forecaster.cli import common
from forecaster.cli.deploy import HOME_ENV, prefect_executable
from forecaster.orchestration.deployments import HEARTBEAT_ENV, HEARTBEAT_S
from forecaster.errors import InputError
from forecaster.settings import PROJECT_ROOT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerPlan:
    """One worker process to start: its command line and what it adds to the environment."""

    args: list[str]
    env: dict[str, str]

    def describe(self) -> str:
        devices = self.env.get("CUDA_VISIBLE_DEVICES")
        pinned = f"CUDA_VISIBLE_DEVICES={devices} " if devices is not None else ""
        return pinned + " ".join(self.args[1:])


def parse_gpus(value: str) -> list[str]:
    """'0' or '0,1' -> ['0', '1']; anything else is one clear error naming the option."""
    parts = [p.strip() for p in value.split(",")]
    if not value.strip() or not all(p.isdigit() for p in parts):
        raise InputError(f"--gpus {value!r}: expected device indexes separated by commas, e.g. 0 or 0,1")
    if len(set(parts)) != len(parts):
        raise InputError(f"--gpus {value!r}: a device is listed twice")
    return parts


def worker_plans(pool: str, limit: int | None, gpus: str | None, per_gpu: bool, devices: int,
                 executable: str, inherited: str | None = None, host: str | None = None,
                 queues: Sequence[str] = ()) -> list[WorkerPlan]:
    """The workers to start: one (optionally pinned to `gpus`), or one per visible device with `per_gpu`.

    `devices` is the number of GPUs visible here; `inherited` the caller's own `CUDA_VISIBLE_DEVICES`, which the
    per-device workers subdivide. A pinned worker runs one flow run at a time unless `limit` says otherwise.
    `queues` restricts every worker to those work queues of the pool (default: all of them).
    """
    if gpus is not None and per_gpu:
        raise InputError("--gpus and --per-gpu: give one or the other")
    host = host or socket.gethostname()
    base = [executable, "worker", "start", "--pool", pool, "--type", "process"]
    for queue in queues:
        if not queue.strip():
            raise InputError("--work-queue: a queue name must not be empty")
        base += ["--work-queue", queue]
    env = {HOME_ENV: str(PROJECT_ROOT)}
    if gpus is not None:
        chosen = parse_gpus(gpus)
        if devices and any(int(g) >= devices for g in chosen):
            raise InputError(f"--gpus {gpus!r}: this machine shows {devices} GPU(s), indexes 0..{devices - 1}")
        return [_plan(base, env, ",".join(chosen), limit, f"{host}-gpu{'-'.join(chosen)}")]
    if per_gpu and devices:
        names = inherited.split(",") if inherited else [str(i) for i in range(devices)]
        return [_plan(base, env, names[i].strip(), limit, f"{host}-gpu{i}") for i in range(devices)]
    return [_plan(base, env, None, limit, None)]


def _plan(base: list[str], env: dict[str, str], devices: str | None, limit: int | None,
          name: str | None) -> WorkerPlan:
    args, extra = list(base), dict(env)
    if devices is not None:
        extra["CUDA_VISIBLE_DEVICES"] = devices
        limit = limit or 1  # one device set, one flow run: a second run would load onto the same GPU
    if name:
        args += ["--name", name]
    if limit:
        args += ["--limit", str(limit)]
    return WorkerPlan(args, extra)


def worker(
    pool: str = typer.Option("gpu", "--pool", "-p", help="The work pool to serve."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Flow runs this worker runs at once "
                                        "(default: 1 when pinned to GPUs, else no limit)."),
    gpus: Optional[str] = typer.Option(None, "--gpus", help="Pin the flow runs to these devices, e.g. 0 or 0,1 "
                                       "(CUDA_VISIBLE_DEVICES)."),
    per_gpu: bool = typer.Option(False, "--per-gpu", help="One worker per visible GPU, each pinned to its own."),
    work_queue: Optional[List[str]] = typer.Option(None, "--work-queue", "-q", help="Serve only this work queue "
                                                   "of the pool (repeat for several; default: every queue)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the worker command(s) and exit."),
) -> None:
    """Start process worker(s) on the pool; flow runs execute in this checkout with this environment."""
    from forecaster.llm.devices import cuda_devices

    common.settings()
    devices = cuda_devices() if (gpus is not None or per_gpu) else 0
    with common.clean_errors():
        plans = worker_plans(pool, limit, gpus, per_gpu, devices, prefect_executable(),
                             os.environ.get("CUDA_VISIBLE_DEVICES"), queues=work_queue or ())
    if (gpus is not None or per_gpu) and not devices:
        typer.echo("no GPU visible on this machine: " + ("starting one worker" if per_gpu else
                   "CUDA_VISIBLE_DEVICES is set for the flow runs all the same"))
    for plan in plans:
        typer.echo(f"worker: {plan.describe()}")
    if dry_run:
        return
    os.chdir(PROJECT_ROOT)
    if len(plans) == 1:
        os.execve(plans[0].args[0], plans[0].args, _environment(plans[0]))
    raise typer.Exit(run_all(plans))


def _environment(plan: WorkerPlan) -> dict[str, str]:
    # Heartbeats every 30 s (Prefect's minimum): the crash automation crashes a watched run silent for 90 s. The
    # deployments' job variables set it too, but a process worker's own setting wins over those (Prefect 3.7.7's
    # runner puts the worker's settings back on top), so a slower value from the caller would get runs crashed.
    return {**os.environ, HEARTBEAT_ENV: str(HEARTBEAT_S), **plan.env}


def run_all(plans: Sequence[WorkerPlan]) -> int:
    """Start every worker, pass SIGINT/SIGTERM on to them, and wait; the first non-zero exit code, or 0."""
    procs = [subprocess.Popen(p.args, env=_environment(p)) for p in plans]

    def forward(signum: int, _frame: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [proc.wait() for proc in procs]
    return next((c for c in codes if c), 0)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
