"""What `forecaster deploy` sets up on a Prefect server: the deployments file, work pools, the GPU limit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Sequence

import yaml

from forecaster.errors import ConfigError, InputError

GPU_LIMIT = "gpu"
# The automation that turns a flow run of forecaster's deployments whose heartbeats stopped (its process or its
# worker was killed) into Crashed; Prefect 3.7's server does nothing on missed heartbeats by itself.
CRASH_AUTOMATION = "forecaster: crash runs that miss heartbeats"
# The tags the automation watches: every deployment `forecaster deploy` registers carries WATCHED_TAG (its runs
# inherit it), every shard run SHARD_TAG (whichever deployment it runs). Those runs alone are sure to send
# heartbeats every HEARTBEAT_S (their job variables set it; Prefect's own default is 180 s, and 30 s its
# minimum), so other runs on the same server, which may beat every 180 s, are left alone.
WATCHED_TAG = "forecaster"
SHARD_TAG = "shard"
HEARTBEAT_S = 30
HEARTBEAT_ENV = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
# A run silent this long is crashed: two heartbeats may be lost or late on a busy machine before that happens.
CRASH_AFTER_S = 90
# The name the automation had when it watched shard runs only: a redeploy replaces it too.
_SHARDS_ONLY_AUTOMATION = "forecaster: crash shard runs that miss heartbeats"


def load_prefect_file(path: str | Path) -> dict[str, Any]:
    """The parsed deployments file; every deployment must name an entrypoint and a work pool."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: deployments file not found")
    spec = yaml.safe_load(path.read_text()) or {}
    deployments = spec.get("deployments")
    if not isinstance(deployments, list) or not deployments:
        raise InputError(f"{path}: 'deployments' must be a non-empty list")
    for i, d in enumerate(deployments):
        for field in ("name", "entrypoint"):
            if not d.get(field):
                raise InputError(f"{path}: deployments[{i}].{field} is required")
        if not (d.get("work_pool") or {}).get("name"):
            raise InputError(f"{path}: deployments[{i}].work_pool.name is required")
    return spec


def apply_cron_overrides(spec: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of `spec` whose named deployments get one cron schedule each ("NAME=EXPR")."""
    from prefect.client.schemas.schedules import CronSchedule

    spec = copy.deepcopy(spec)
    by_name = {d["name"]: d for d in spec["deployments"]}
    for item in overrides:
        name, sep, expr = item.partition("=")
        name, expr = name.strip(), expr.strip()
        if not sep or not expr:
            raise InputError(f"--cron {item!r}: expected NAME=EXPR, e.g. events-daily=0 6 * * *")
        if name not in by_name:
            raise InputError(f"--cron {item!r}: unknown deployment {name!r}; known: {sorted(by_name)}")
        try:
            CronSchedule(cron=expr)
        except ValueError as exc:
            raise InputError(f"--cron {item!r}: invalid cron expression ({exc.errors()[0]['msg']})") from None
        schedules = by_name[name].get("schedules") or [{}]
        timezone = schedules[0].get("timezone", "UTC")
        by_name[name]["schedules"] = [{"cron": expr, "timezone": timezone, "active": True}]
    return spec


def with_heartbeats(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` whose every deployment is tagged WATCHED_TAG and whose runs beat every HEARTBEAT_S (its
    job variables' `env`, which any worker type applies to the run), so the crash automation covers them."""
    spec = copy.deepcopy(spec)
    for i, d in enumerate(spec["deployments"]):
        d["tags"] = list(dict.fromkeys([*(d.get("tags") or []), WATCHED_TAG]))
        pool = d["work_pool"] = dict(d["work_pool"])
        variables = pool["job_variables"] = dict(pool.get("job_variables") or {})
        env = variables["env"] = dict(variables.get("env") or {})
        given = str(env.setdefault(HEARTBEAT_ENV, str(HEARTBEAT_S)))
        if given != str(HEARTBEAT_S):
            raise InputError(f"deployments[{i}].work_pool.job_variables.env.{HEARTBEAT_ENV}: must be "
                             f"{HEARTBEAT_S} (crash detection counts on it), got {given}")
    return spec

def ensure_work_pools(spec: dict[str, Any], pool_type: str = "process") -> list[str]:
    """Create each work pool the deployments name that the server lacks; the names, in order."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    names = list(dict.fromkeys(d["work_pool"]["name"] for d in spec["deployments"]))
    _require_api_url()  # without it the client would quietly start a throwaway local server
    with get_client(sync_client=True) as client:
        _check_reachable(client)
        for name in names:
            try:
                client.read_work_pool(name)
            except ObjectNotFound:
                client.create_work_pool(WorkPoolCreate(name=name, type=pool_type))
    return names


def ensure_gpu_limit(slots: int, name: str = GPU_LIMIT) -> None:
    """Create the global concurrency limit model tasks take, or resize it to `slots`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectNotFound

    if slots < 1:
        raise ConfigError(f"gpu slots: must be at least 1, got {slots}")
    _require_api_url()
    with get_client(sync_client=True) as client:
        _check_reachable(client)
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=slots))
        else:
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=slots, active=True))


def crash_automation(within_s: int = CRASH_AFTER_S) -> Any:
    """Prefect's documented zombie-run detection for forecaster's runs: a proactive trigger expecting, after each
    heartbeat of a run tagged WATCHED_TAG or SHARD_TAG, another heartbeat or a final state within `within_s`; when
    none comes the run is set Crashed."""
    from datetime import timedelta

    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    if within_s < 2 * HEARTBEAT_S:
        raise ConfigError(f"crash detection: within_s must be at least {2 * HEARTBEAT_S} (two heartbeats), "
                          f"got {within_s}")
    final = {f"prefect.flow-run.{s}" for s in ("Completed", "Failed", "Cancelled", "Crashed")}
    return AutomationCore(
        name=CRASH_AUTOMATION,
        description=f"Runs of forecaster's deployments (and shard runs) with no heartbeat for {within_s} s are "
                    "marked Crashed (their process is gone).",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"}, expect={"prefect.flow-run.heartbeat", *final},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification({"prefect.resource.role": "tag",
                                                 "prefect.resource.id": [f"prefect.tag.{WATCHED_TAG}",
                                                                         f"prefect.tag.{SHARD_TAG}"]}),
            for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
            within=timedelta(seconds=within_s)),
        actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                    message=f"no heartbeat for {within_s} s: the flow run's process is gone")])


def ensure_crash_detection(within_s: int = CRASH_AFTER_S) -> None:
    """Create (or replace) the automation that crashes forecaster's runs whose heartbeats stopped."""
    from prefect.client.orchestration import get_client

    automation = crash_automation(within_s)
    _require_api_url()
    with get_client(sync_client=True) as client:
        _check_reachable(client)
        for old in [*client.read_automations_by_name(CRASH_AUTOMATION),
                    *client.read_automations_by_name(_SHARDS_ONLY_AUTOMATION)]:
            client.delete_automation(old.id)
        client.create_automation(automation)


def _require_api_url() -> None:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise ConfigError("PREFECT_API_URL: not set; point it at your Prefect server, e.g. "
                          "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")


def _check_reachable(client: Any) -> None:
    from prefect.settings import PREFECT_API_URL

    error = client.api_healthcheck()
    if error is not None:
        raise ConfigError(f"PREFECT_API_URL: Prefect server at {PREFECT_API_URL.value()} unreachable ({error})")
