"""Runs that died, and runs taken up again: which `running` records are stale, and what a resume continues.

A run's record says `running` from its start to its end. A process killed with SIGKILL (OOM killer, a node
lost, `kill -9`) never reaches its `except` block, so its record stays `running`. The rule deciding it is
stale, in order:

1. its flow run is the one now starting again: Prefect retries a flow run under the same id, and one flow run
   never executes twice at once, so the earlier attempt is gone;
2. Prefect reports its flow run in a final state (Crashed, Failed, Cancelled, Completed): nothing executes it
   any more;
3. the process that recorded it ran on this host and is gone (its pid absent, a zombie, or taken by a process
   started later): a local command, or a worker killed with its flow run, which Prefect may still show Running.

Anything else (another host's process, the flow run still Running or Pending, unknown to this Prefect server,
or the server unreachable) leaves the record alone: a run elsewhere or a slow one must not be marked failed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

from forecaster.errors import InputError
from forecaster.events.store import ForecastStore

# (state name, state message) of a flow run that Prefect reports final, else None.
FinalState = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True)
class RunPlan:
    """The run a flow run writes to, and the questions it already stored (skipped)."""

    run_id: str
    stored: frozenset[str]
    resumed: bool


def stale_reason(run: dict, current_flow_run_id: str | None, final_state: FinalState) -> str | None:
    """Why a run recorded `running` is not running any more, or None if it may still be (see the module)."""
    flow_run_id = run.get("flow_run_id")
    if flow_run_id and flow_run_id == current_flow_run_id:
        return f"flow run {flow_run_id} was started again while this run was recorded running (its earlier " \
               "attempt died without ending it)"
    state = final_state(flow_run_id) if flow_run_id else None
    if state is not None:
        name, message = state
        return f"flow run {flow_run_id} ended {name} while this run was recorded running" + \
            (f": {message}" if message else "")
    if run.get("process") and process_gone(run["process"]):
        return f"its process ({run['process']}) is gone; it ended without ending the run"
    return None


def reconcile(store: ForecastStore, current_flow_run_id: str | None, final_state: FinalState) -> list[str]:
    """Mark every stale `running` run `failed`, its reason recorded; the ids marked."""
    marked = []
    for run in store.running_runs():
        reason = stale_reason(run, current_flow_run_id, final_state)
        if reason is not None:
            store.finish_run(run["id"], "failed", reason)
            marked.append(run["id"])
    return marked


def plan_run(store: ForecastStore, resume: str | None, flow_run_id: str | None, method: str,
             agents: list[str], now: dt.datetime) -> RunPlan:
    """Start a new run, or take one up again: the run named by `resume`, else the run this flow run already
    recorded (Prefect's retry of it). Call after `reconcile`: a resumed run still `running` is refused."""
    run = _run_to_resume(store, resume, flow_run_id)
    if run is None:
        run_id = f"run-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        store.start_run(run_id, flow_run_id, method, agents, this_process())
        return RunPlan(run_id, frozenset(), resumed=False)
    if run["status"] == "running":
        raise InputError(f"resume: run {run['id']!r} is still running (flow run {run['flow_run_id']}); "
                         "resume a run only once it has ended")
    store.reopen_run(run["id"], flow_run_id, this_process())
    return RunPlan(run["id"], frozenset(store.stored_questions(run["id"])), resumed=True)


def stored_run(store: ForecastStore, run_id: str) -> dict:
    """The run `resume` names; an `InputError` naming the store if there is none."""
    run = store.run(run_id)
    if run is None:
        raise InputError(f"resume: no run {run_id!r} in {store.path}; give the id of a stored run (runs.id)")
    return run


def require_stored_run(path: str | Path, run_id: str) -> None:
    """Fail before anything runs when the store at `path` holds no run `run_id` (a missing store stays missing)."""
    if not Path(path).exists():
        raise InputError(f"resume: no run {run_id!r}: there is no store at {path}")
    stored_run(ForecastStore(path), run_id)


def _run_to_resume(store: ForecastStore, resume: str | None, flow_run_id: str | None) -> dict | None:
    if resume:
        return stored_run(store, resume)
    return store.run_of_flow_run(flow_run_id) if flow_run_id else None


def this_process() -> str:
    """`host:pid:start`, the process executing a run; its start time tells a reused pid from the original."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def process_gone(process: str) -> bool:
    """True only when the process is known gone: recorded on this host, and its pid absent or reused."""
    parts = process.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False  # another host's process (or an unreadable record): no evidence either way
    started = _started(int(parts[1]))
    return started is None or (started != parts[2] and "?" not in (started, parts[2]))


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc); "?" where there is no /proc."""
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self/stat").exists():
        return "?" if _pid_exists(pid) else None
    try:
        # Fields after the command name (which may hold spaces) in parentheses: state first, starttime 22nd.
        fields = stat.read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if len(fields) < 20 or fields[0] == "Z" else fields[19]  # a zombie has ended


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
