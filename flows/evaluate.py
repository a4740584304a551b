"""Evaluation flow: record a file's outcomes, forecast its questions as of their own dates, score and publish."""

from __future__ import annotations

from typing import Any, Literal

from prefect import flow, get_run_logger

from flows.events import forecast_events
from forecaster.errors import InputError
from forecaster.learning.evaluation_rows import ResolvedSet
from forecaster.events.agents import select_agents
from forecaster.events.ensemble import plain_method
from forecaster.events.rendering import run_status
from forecaster.flow_parameters import check_evaluate_parameters
from forecaster.scoring.resolutions import Resolution
from forecaster.runtime import bootstrap
from forecaster.learning.learned_rows import WEIGHTED_NAME
from forecaster.scoring.scores import BASE_RATE_NAME, CONSTANT_NAME, MARKET_NAME, ScoringOptions
from forecaster.settings import Settings
from tasks.evaluate import (
    import_outcomes_task,
    learning_report_task,
    market_task,
    plots_task,
    publish_scores_task,
    resolved_questions_task,
    rows_task,
    run_forecasts_task,
    store_scores_task,
    summarise_task,
)
from tasks.events import load_questions_task


def _resolved_questions(settings: Settings, questions_file: str) -> tuple[ResolvedSet, dict[str, Resolution]]:
    """Load the file, record its outcomes and market probabilities, split off the questions without an outcome."""
    logger = get_run_logger()
    questions = load_questions_task(questions_file, None)
    n_outcomes, n_market = import_outcomes_task(settings, questions_file)
    logger.info("recorded %d outcome(s) and %d market probability(ies) from %s", n_outcomes, n_market,
                questions_file)
    split, resolutions = resolved_questions_task(settings, questions)
    if split.unresolved:
        logger.warning("%d question(s) have no recorded outcome and are not evaluated: %s",
                       len(split.unresolved), ", ".join(split.unresolved[:10]))
    if not split.resolved:
        raise InputError(f"{questions_file}: no question has a recorded outcome (give outcomes in the file "
                         "or record them with `forecaster resolve`)")
    return split, resolutions


@flow(name="evaluate", log_prints=True)
def evaluate(
    questions_file: str,
    agents: list[str] | None = None,
    run_id: str | None = None,
    learned_split: Literal["kfold", "time"] = "kfold",
    n_folds: int = 5,
    n_resamples: int = 2000,
    config_file: str | None = None,
    learned_file: str | None = None,
) -> dict[str, Any]:
    """Score every agent, ensemble method and baseline on the file's resolved questions.

    Each question is forecast (in a forecast-events subflow) as of its own `forecast_date`, unless `run_id`
    names an earlier run whose stored forecasts are scored instead. The scores table is stored under the run's id.
    `learned_file` (default: `[ensemble] learned_file`) gives the learned-priors reference per source and band.
    """
    # Parameters come from the UI and the API too: a bad one fails the run here, before anything runs or loads.
    check_evaluate_parameters(questions_file, agents, run_id, learned_split, n_folds, n_resamples)
    settings = bootstrap(config_file)
    select_agents(settings, agents)  # an unknown agent fails here, before the file's outcomes are recorded
    split, resolutions = _resolved_questions(settings, questions_file)
    status = "completed"  # an earlier run's forecasts, scored again
    if run_id is None:
        summaries = forecast_events(
            questions=[q.to_record() for q in split.resolved], agents=agents, use_question_dates=True,
            config_file=config_file)
        run_id, status = summaries[0]["run_id"], run_status(summaries)
    forecasts = run_forecasts_task(settings, run_id)
    rows = rows_task(settings, forecasts, split.resolved, resolutions, learned_split, n_folds)
    market = market_task(settings, split.resolved)

    options = ScoringOptions(n_resamples=n_resamples)
    summary = summarise_task(rows, market, options)
    store_scores_task(settings, run_id, summary.table)
    publish_scores_task(run_id, summary.table, options.confidence)
    plots = plots_task(settings, run_id, rows, market, _plotted(settings, rows), options.base_rate)
    text = f"{summary.text}\n\n{learning_report_task(settings, rows, market, learned_file)}"
    print(text)
    return {
        "evaluation_id": run_id,
        "run_id": run_id,
        "status": status,
        "questions": len({r.question_id for r in rows}),
        "unresolved": split.unresolved,
        "text": text,
        "scores": [row.as_record() for row in summary.table],
        "plots": {"calibration": str(plots.calibration), "brier_over_time": str(plots.brier_over_time)},
    }


def _plotted(settings: Settings, rows: list) -> list[str]:
    """What the plots show: each agent, the plain ensemble with its learned variants, and the baselines."""
    agent_names = sorted({r.agent_or_method for r in rows if r.kind == "agent"})
    method = plain_method(settings.ensemble)
    return [*agent_names, method, f"{method}+platt", f"{method}+extremize", WEIGHTED_NAME,
            MARKET_NAME, CONSTANT_NAME, BASE_RATE_NAME]
