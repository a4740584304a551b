"""Prefect tasks for scoring a ForecastBench round: thin wrappers adding retries, names and the artifact."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.events.store import ForecastStore
from forecaster.feeds.forecastbench import ResolutionSet, read_resolution_set
from forecaster.feeds.forecastbench_runs import RunRound, read_run_round
from forecaster.names import artifact_key
from forecaster.learning.round_scores import RoundScore, score_round
from forecaster.learning.round_table import round_markdown, round_table
from forecaster.scoring.scores import ScoreRow, ScoringOptions
from forecaster.settings import Settings

DB_TASK = dict(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)


@task(name="read-resolution-set", cache_policy=NO_CACHE)
def resolution_set_task(resolutions_file: str) -> ResolutionSet:
    return read_resolution_set(resolutions_file)


@task(name="read-run-round", **DB_TASK)
def run_round_task(settings: Settings, run: str | None) -> RunRound:
    """The run's ForecastBench forecasts (`run` an id, or None / `latest` for the run started last)."""
    with ForecastStore(settings.database_path) as store:
        return read_run_round(store, store.resolve_run(run))


@task(name="round-scores", cache_policy=NO_CACHE)
def round_scores_task(run_round: RunRound, resolutions: ResolutionSet, method: str,
                      options: ScoringOptions) -> tuple[RoundScore, list[ScoreRow]]:
    score = score_round(run_round, resolutions)
    return score, round_table(score, method, options)


@task(name="publish-round-scores", cache_policy=NO_CACHE)
def publish_round_task(evaluation_id: str, score: RoundScore, table: list[ScoreRow], confidence: float) -> str:
    markdown = round_markdown(score, table, confidence)
    create_markdown_artifact(key=artifact_key("round-scores", evaluation_id), markdown=markdown,
                             description=f"ForecastBench scores of run {score.run_id} on {score.question_set}")
    return markdown


@task(name="round-learning-report", **DB_TASK)
def round_report_task(settings: Settings, score: RoundScore, due_date: date, learned_file: str | None) -> str:
    """Brier per source and horizon band: the run, its agents' mean, 0.5, naive and the learned-priors reference."""
    from forecaster.learning.evaluation_report import learning_report, rows_from_round
    from forecaster.learning.learned_file import read_combiner
    from forecaster.learning.rounds import stored_run_members

    path = learned_file or settings.ensemble.learned_file
    combiner = read_combiner(path) if path else None
    with ForecastStore(settings.database_path) as store:
        members = stored_run_members(store, score.run_id)
        method = (store.run(score.run_id) or {}).get("ensemble_method") or settings.ensemble.method
    return learning_report(*rows_from_round(score, due_date, members, method), combiner)
