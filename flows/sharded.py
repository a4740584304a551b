"""Sharded event forecasting: one question set split across the workers of the `gpu` pool.

The parent splits the set into shards, starts each as a run of the events deployment (any worker on any host
may take it), waits for all of them, reruns a shard whose run crashed or failed with only the questions not yet
stored, and publishes one merged table for the whole set.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from forecaster.flow_parameters import check_forecast_parameters, default_as_of
from forecaster.runtime import bootstrap
from forecaster.settings import load_settings
from forecaster.events.sharding import Shard, question_records, remaining, split_into_shards
from tasks.sharding import final_states, publish_merged_task, start_shard, stored_questions_task

EVENTS_DEPLOYMENT = "forecast-events/events-daily"


@flow(name="forecast-events-sharded", log_prints=True)
def forecast_events_sharded(
    questions_file: str | None = None,
    questions: list[Any] | None = None,
    shards: int = 2,
    agents: list[str] | None = None,
    ensemble_method: str | None = None,
    as_of: dt.date | None = None,
    use_question_dates: bool = False,
    config_file: str | None = None,
    today: dt.date | None = None,
    deployment: str = EVENTS_DEPLOYMENT,
    job_variables: dict[str, Any] | None = None,
    max_attempts: int = 3,
    poll_seconds: float = 5.0,
) -> list[dict[str, Any]]:
    """Forecast the set in `shards` runs of `deployment`; each question is forecast and stored once.

    `job_variables` go to every shard's run (e.g. `{"gpus": 2}` on a Kubernetes pool). A shard whose run ends
    Crashed or Failed is started again, up to `max_attempts` runs per shard, with only its unstored questions.
    The shards share `today` and `as_of`, so a set that crosses midnight is still forecast as of one day.
    """
    # The shards' own runs check again; checked here, a bad set fails before any shard run is started.
    qs = check_forecast_parameters(questions_file, questions, agents, ensemble_method, as_of, today,
                                   limits=load_settings(config_file).questions)
    plan = split_into_shards(qs, shards)
    settings = bootstrap(config_file)
    logger = get_run_logger()
    today = today or dt.date.today()
    as_of = as_of or default_as_of(questions_file, today)
    common = {"agents": agents, "ensemble_method": ensemble_method, "as_of": as_of.isoformat(),
              "use_question_dates": use_question_dates, "config_file": config_file, "today": today.isoformat(),
              "questions_file": None}
    logger.info("%d question(s) in %d shard(s) of %s", len(qs), len(plan), deployment)
    launch = lambda shard, todo: _launch(shard, todo, deployment, common, job_variables)  # noqa: E731
    for shard in plan:
        launch(shard, shard.questions)
    _wait(plan, launch, str(settings.database_path), max_attempts, poll_seconds)
    every_run = [i for shard in plan for i in shard.flow_run_ids]
    summaries = publish_merged_task(str(settings.database_path), qs, every_run, len(plan))
    missing = [s["question_id"] for s in summaries if s["run_id"] is None]
    if missing:
        raise RuntimeError(f"{len(missing)} question(s) were not stored by any shard: {missing}")
    return summaries


def _launch(shard: Shard, todo: list, deployment: str, common: dict[str, Any],
            job_variables: dict[str, Any] | None) -> None:
    shard.attempts += 1
    name = f"{flow_run.get_name() or 'sharded'}-{shard.index + 1}-try{shard.attempts}"
    run_id = start_shard(deployment, {**common, "questions": question_records(todo)}, name, job_variables)
    shard.flow_run_ids.append(run_id)
    get_run_logger().info("%s: %d question(s), attempt %d, flow run %s", shard.label, len(todo), shard.attempts,
                          run_id)


def _wait(plan: list[Shard], launch: Any, database: str, max_attempts: int, poll_seconds: float) -> None:
    """Poll the shards' runs until each shard's latest run is final; rerun lost shards' unstored questions."""
    logger = get_run_logger()
    active = {shard.flow_run_ids[-1]: shard for shard in plan}
    while active:
        time.sleep(poll_seconds)
        for run_id, state in final_states(list(active)).items():
            shard = active.pop(run_id)
            if state.is_completed() or state.is_cancelled():
                logger.info("%s: run %s ended %s", shard.label, run_id, state.type.value)
                continue
            every_run = [i for s in plan for i in s.flow_run_ids]
            todo = remaining(shard, stored_questions_task(database, every_run))
            logger.warning("%s: run %s ended %s (%s); %d question(s) not stored", shard.label, run_id,
                           state.type.value, state.message, len(todo))
            if todo and shard.attempts < max_attempts:
                launch(shard, todo)
                active[shard.flow_run_ids[-1]] = shard
            elif todo:
                logger.error("%s: gave up after %d run(s)", shard.label, shard.attempts)
