"""Prefect steps of a sharded run: start a shard as a run of the events deployment, watch the shards' states,
read what they stored, publish the merged table."""

from __future__ import annotations

from typing import Any, Sequence

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.orchestration.deployments import HEARTBEAT_ENV, HEARTBEAT_S, SHARD_TAG
from forecaster.events.rendering import forecasts_markdown
from forecaster.events.sharding import merged_summaries, stored_question_ids
from tasks.events import PERSIST_PREFIX, persisted_ids

MERGED_ARTIFACT = "event-forecasts-merged"


def start_shard(deployment: str, parameters: dict[str, Any], name: str,
                job_variables: dict[str, Any] | None) -> str:
    """Create a run of `deployment` for the shard and return its id at once (timeout=0: the parent waits for all
    shards together). Any worker of the deployment's pool, on any host, may take it."""
    from prefect.deployments import run_deployment

    run = run_deployment(deployment, parameters=parameters, flow_run_name=name, timeout=0, tags=[SHARD_TAG],
                         job_variables=shard_job_variables(job_variables))
    return str(run.id)


def shard_job_variables(job_variables: dict[str, Any] | None) -> dict[str, Any]:
    """The caller's job variables, with heartbeats every HEARTBEAT_S in the run's environment: the crash
    automation (`forecaster deploy`) counts on them, whichever worker or pool takes the run."""
    variables = dict(job_variables or {})
    env = {HEARTBEAT_ENV: str(HEARTBEAT_S), **(variables.get("env") or {})}
    return {**variables, "env": env}


def final_states(flow_run_ids: Sequence[str]) -> dict[str, Any]:
    """The state of each of these flow runs that has reached a final one (Completed, Failed, Crashed,
    Cancelled); runs still scheduled, pending or running are left out."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    if not flow_run_ids:
        return {}
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[UUID(i) for i in flow_run_ids])))
    return {str(r.id): r.state for r in runs if r.state is not None and r.state.is_final()}


@task(name="stored-questions", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)
def stored_questions_task(database: str, flow_run_ids: Sequence[str]) -> set[str]:
    """Questions any run of the set has stored: a rerun of a lost shard skips them.

    Read from our store (the parent's database: shared with workers on one host) and from Prefect's record of
    the runs' completed `persist-questions` task runs, which also covers workers storing on other hosts.
    """
    return stored_question_ids(database, list(flow_run_ids)) | persisted_per_prefect(flow_run_ids)


def persisted_per_prefect(flow_run_ids: Sequence[str]) -> set[str]:
    """Question ids of the completed `persist: <id> <id> ...` task runs of these flow runs."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterName, TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    if not flow_run_ids:
        return set()
    runs: list = []
    with get_client(sync_client=True) as client:
        while True:  # the API answers at most a page (200) at a time
            page = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(i) for i in flow_run_ids])),
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=PERSIST_PREFIX), state=TaskRunFilterState(
                    type=TaskRunFilterStateType(any_=[StateType.COMPLETED]), name=None)), limit=200, offset=len(runs))
            runs += page
            if len(page) < 200:
                break
    return {qid for r in runs for qid in persisted_ids(r.name)}


@task(name="publish-merged-table", cache_policy=NO_CACHE)
def publish_merged_task(database: str, questions: Sequence[Any], flow_run_ids: Sequence[str],
                        shards: int) -> list[dict[str, Any]]:
    """The whole set's table, read back from the store, as one artifact of the parent run."""
    summaries = merged_summaries(database, list(questions), list(flow_run_ids))
    create_markdown_artifact(key=MERGED_ARTIFACT, markdown=forecasts_markdown(summaries),
                             description=f"Forecasts of {len(summaries)} question(s) in {shards} shard(s)")
    return summaries
