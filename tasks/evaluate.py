"""Prefect tasks for the evaluate flow: thin wrappers adding retries, names and artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Mapping, Sequence

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.scoring.markdown import scores_markdown
from forecaster.learning.evaluation_rows import (
    ResolvedSet,
    StoredForecast,
    evaluation_rows,
    file_has_outcomes,
    market_as_of,
    run_forecasts,
    split_resolved,
)
from forecaster.events.questions import Question
from forecaster.events.store import ForecastStore
from forecaster.scoring.resolutions import Resolution
from forecaster.scoring.plots import PlotPaths, write_plots
from forecaster.scoring.scores import ForecastRow, ScoreRow, ScoringOptions
from forecaster.scoring.store import ScoringStore
from forecaster.scoring.summary import ScoringSummary, summarise
from forecaster.settings import Settings
from forecaster.names import artifact_key, file_stem
from tasks.artifacts import publish_png

DB_TASK = dict(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)


@task(name="import-outcomes", **DB_TASK)
def import_outcomes_task(settings: Settings, questions_file: str) -> tuple[int, int]:
    """Record the file's outcomes and market probabilities, if it carries them (all or nothing)."""
    if not file_has_outcomes(questions_file):
        return 0, 0
    with ScoringStore(settings.database_path) as store:
        return store.import_file(questions_file)


@task(name="resolved-questions", **DB_TASK)
def resolved_questions_task(settings: Settings,
                            questions: Sequence[Question]) -> tuple[ResolvedSet, dict[str, Resolution]]:
    """The questions with a recorded outcome, and those outcomes."""
    with ScoringStore(settings.database_path) as store:
        resolutions = store.resolutions()
    split = split_resolved(questions, resolutions)
    return split, {q.id: resolutions[q.id] for q in split.resolved}


@task(name="read-run-forecasts", **DB_TASK)
def run_forecasts_task(settings: Settings, run_id: str) -> list[StoredForecast]:
    with ForecastStore(settings.database_path) as store:
        return run_forecasts(store, run_id)


@task(name="market-probabilities", **DB_TASK)
def market_task(settings: Settings, questions: Sequence[Question]) -> dict[str, float]:
    with ScoringStore(settings.database_path) as store:
        return market_as_of(store, questions)


@task(name="scoring-rows", cache_policy=NO_CACHE)
def rows_task(settings: Settings, forecasts: Sequence[StoredForecast], questions: Sequence[Question],
              resolutions: Mapping[str, Resolution], learned_split: Literal["kfold", "time"],
              n_folds: int) -> list[ForecastRow]:
    return evaluation_rows(forecasts, questions, resolutions, settings.ensemble, learned_split, n_folds)


@task(name="score-table", cache_policy=NO_CACHE)
def summarise_task(rows: Sequence[ForecastRow], market: Mapping[str, float],
                   options: ScoringOptions) -> ScoringSummary:
    return summarise(rows, market, None, options)


@task(name="store-scores", **DB_TASK)
def store_scores_task(settings: Settings, evaluation_id: str, table: Sequence[ScoreRow]) -> int:
    with ScoringStore(settings.database_path) as store:
        return store.save_scores(evaluation_id, table)


@task(name="evaluation-plots", cache_policy=NO_CACHE, retries=1)
def plots_task(settings: Settings, evaluation_id: str, rows: Sequence[ForecastRow], market: Mapping[str, float],
               names: Sequence[str], base_rate: str) -> PlotPaths:
    """Calibration and Brier-over-time PNGs under plots/evaluations/, also as markdown artifacts."""
    paths = write_plots(rows, evaluations_dir(settings), market, names, base_rate,
                        prefix=f"{file_stem(evaluation_id)}-")
    for kind, path in (("calibration", paths.calibration), ("brier-over-time", paths.brier_over_time)):
        publish_png(path, artifact_key(f"evaluation-{kind}", evaluation_id), f"{kind} of {evaluation_id}",
                    f"{kind.replace('-', ' ').capitalize()} of evaluation {evaluation_id}")
    return paths


@task(name="publish-scores", cache_policy=NO_CACHE)
def publish_scores_task(evaluation_id: str, table: Sequence[ScoreRow], confidence: float) -> str:
    markdown = scores_markdown(table, confidence)
    create_markdown_artifact(key=artifact_key("evaluation-scores", evaluation_id), markdown=markdown,
                             description=f"Scores of evaluation {evaluation_id}")
    return markdown


def evaluations_dir(settings: Settings) -> Path:
    """Where evaluation plots go."""
    return Path(settings.plots_dir) / "evaluations"


@task(name="learning-report", cache_policy=NO_CACHE)
def learning_report_task(settings: Settings, rows: Sequence[ForecastRow], market: Mapping[str, float],
                         learned_file: str | None = None) -> str:
    """Brier per source and horizon band beside the baselines and the learned-priors reference (with a file)."""
    from forecaster.events.ensemble import plain_method
    from forecaster.learning.evaluation_report import learning_report, rows_from_scores
    from forecaster.learning.learned_file import read_combiner

    path = learned_file or settings.ensemble.learned_file
    combiner = read_combiner(path) if path else None
    learning_rows, members = rows_from_scores(rows, market, plain_method(settings.ensemble))
    return "Brier per source and horizon band:\n\n" + learning_report(learning_rows, members, combiner)
