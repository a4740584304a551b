"""Prefect tasks for the `series` member: fetch and forecast each question's series, store its quantiles, plot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping, Sequence

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from forecaster.names import artifact_key
from forecaster.series.cache import SeriesCache
from forecaster.series.member import Outcome, SeriesFailure, SeriesForecast, question_inputs, series_forecasts
from forecaster.series.plots import plot_series_member
from forecaster.series.store import MemberStore
from forecaster.settings import Settings
from tasks.artifacts import publish_png


@task(name="series-member", cache_policy=NO_CACHE)
def series_task(settings: Settings, questions: Sequence, days: Mapping[str, dt.date]) -> dict[str, Outcome]:
    """The member's outcome for every question that names a series; a source that fails fails its questions'
    member only (logged once per reason), never the run."""
    inputs = question_inputs(questions, days)
    if not inputs or not settings.series.enabled:
        return {}
    with SeriesCache(settings.database_path) as cache:
        outcomes = series_forecasts(inputs, settings, cache)
    for reason in sorted({o.reason for o in outcomes.values() if isinstance(o, SeriesFailure)}):
        get_run_logger().warning("series member: %s", reason)
    return outcomes


@task(name="persist-series", task_run_name="persist series: {forecast.question_id}", cache_policy=NO_CACHE,
      retries=3, retry_delay_seconds=1)
def persist_series_task(settings: Settings, run_id: str, forecast: SeriesForecast) -> None:
    with MemberStore(settings.database_path) as store:
        store.save(run_id, forecast)


@task(name="plot-series", task_run_name="plot series: {question_id}", cache_policy=NO_CACHE, retries=1)
def plot_series_task(settings: Settings, question_id: str) -> Path | None:
    with MemberStore(settings.database_path) as store:
        row = store.latest(question_id)
    if row is None:
        return None
    path = plot_series_member(row, settings.plots_dir)
    publish_png(path, artifact_key("series", question_id), question_id,
                f"The series member of {question_id}: history, forecast fan and reference line")
    return path
