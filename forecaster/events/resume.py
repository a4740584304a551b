"""Runs that died, and runs taken up again: which `running` records are stale, and what a resume continues.

A run's record says `running` from its start to its end. A process killed with SIGKILL (OOM killer, a node
lost, `kill -9`) never reaches its `except` block, so its record stays `running`. The rule deciding it is
stale, in order:

1. its flow run is the one now starting again: Prefect retries a flow run under the same id, and one flow run
   never executes twice at once, so the earlier attempt is gone;
2. Prefect reports its flow run in a final state (Crashed, Failed, Cancelled, Completed): nothing executes it
   any more.

Anything else (the flow run still Running or Pending, unknown to this Prefect server, or the server unreachable)
leaves the record alone: a run on another server or a slow one must not be marked failed under it.
"""

from __future__ import annotations

import datetime as dt
import uuid
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
    if not flow_run_id:
        return None
    if flow_run_id == current_flow_run_id:
        return f"flow run {flow_run_id} was started again while this run was recorded running (its earlier " \
               "attempt died without ending it)"
    state = final_state(flow_run_id)
    if state is None:
        return None
    name, message = state
    return f"flow run {flow_run_id} ended {name} while this run was recorded running" + \
        (f": {message}" if message else "")


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
        store.start_run(run_id, flow_run_id, method, agents)
        return RunPlan(run_id, frozenset(), resumed=False)
    if run["status"] == "running":
        raise InputError(f"resume: run {run['id']!r} is still running (flow run {run['flow_run_id']}); "
                         "resume a run only once it has ended")
    store.reopen_run(run["id"], flow_run_id)
    return RunPlan(run["id"], frozenset(store.stored_questions(run["id"])), resumed=True)


def _run_to_resume(store: ForecastStore, resume: str | None, flow_run_id: str | None) -> dict | None:
    if resume:
        run = store.run(resume)
        if run is None:
            raise InputError(f"resume: no run {resume!r} in {store.path}; give the id of a stored run (runs.id)")
        return run
    return store.run_of_flow_run(flow_run_id) if flow_run_id else None
