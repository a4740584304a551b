"""Prefect tasks for question platforms: thin wrappers around `forecaster.feeds` (pull, submit, the counts)."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.feeds.clients import pull_to_file
from forecaster.feeds.records import ACCEPTED
from forecaster.feeds.submitting import FORECAST, plan_submission, submit
from forecaster.settings import Settings


@task(name="pull-questions", task_run_name="pull: {source}", cache_policy=NO_CACHE)
def pull_task(settings: Settings, source: str, query: str | None, limit: int | None, out: str) -> int:
    """Pull the platform's open binary questions into `out`; how many."""
    pulled = pull_to_file(settings, source, out, query, limit)
    if pulled.skipped_line():
        get_run_logger().info(pulled.skipped_line())
    return len(pulled.questions)


@task(name="submit-forecasts", task_run_name="submit: {run_id}", cache_policy=NO_CACHE)
def submit_task(settings: Settings, run_id: str) -> tuple[int, int]:
    """Post the run's Metaculus forecasts (each once): how many the platform holds (accepted now or earlier),
    and how many it refused or could not take (recorded; the next submit tries them again)."""
    logger = get_run_logger()
    report = submit(settings, plan_submission(settings, run_id, comment=False), echo=logger.warning)
    missed = sum(1 for s in report.posted if s.kind == FORECAST and s.status != ACCEPTED)
    return report.count(FORECAST, ACCEPTED) + len(report.already), missed + len(report.skipped)


@task(name="publish-feed-counts", cache_policy=NO_CACHE)
def publish_counts_task(counts: dict[str, Any]) -> None:
    """The run's counts as a markdown artifact (no secrets: only the source, the query and numbers)."""
    rows = "\n".join(f"| {name} | {value} |" for name, value in counts.items())
    create_markdown_artifact(key=f"forecast-feed-{counts['source']}", markdown=f"| | |\n|---|---|\n{rows}",
                             description=f"forecast-feed: pulled, forecast and submitted from {counts['source']}")
