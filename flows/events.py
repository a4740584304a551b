"""Event forecasting flow: load questions, forecast per agent, pool, persist, plot, publish."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from forecaster import progress
from forecaster.report import failure_records, passage_records, summary
from forecaster.retrieval import SourceAvailability
from forecaster.runtime import bootstrap
from forecaster.store import QuestionResult
from forecaster.workbench import group_by_model, select_agents
from tasks.events import (
    agent_forecast_task,
    context_task,
    ensemble_task,
    finish_run_task,
    load_questions_task,
    persist_task,
    plot_task,
    publish_table_task,
    reasoning_task,
    release_model_task,
    start_run_task,
)


@flow(name="forecast-events", log_prints=True)
def forecast_events(
    questions_file: str | None = None,
    questions: list[Any] | None = None,
    agents: list[str] | None = None,
    ensemble_method: str | None = None,
    as_of: dt.date | None = None,
    use_question_dates: bool = False,
    config_file: str | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Forecast every question with every agent; one stored, plotted result per question.

    Parameters are what a person picks in the UI; secrets never travel as parameters (they come from the
    worker's environment through the settings). Each question is forecast as of `as_of` (default `today`), or
    as of its own `forecast_date` when `use_question_dates` is set (evaluation: no later knowledge leaks in).
    `today` (default: the run's date) decides which of those days lie in the past, where sources are read as
    they stood then.
    """
    settings = bootstrap(config_file)
    logger = get_run_logger()
    today = today or dt.date.today()
    as_of = as_of or today
    specs = select_agents(settings, agents)
    method = ensemble_method or settings.ensemble.method

    qs = load_questions_task(questions_file, questions)
    run_id = f"run-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    start_run_task(settings, run_id, flow_run.get_id(), method, [s.name for s in specs])
    logger.info("run %s: %d question(s) x %d agent(s), ensemble %s", run_id, len(qs), len(specs), method)

    day = {q.id: (q.forecast_date if use_question_dates and q.forecast_date else as_of) for q in qs}
    availability = SourceAvailability()  # a source found unreachable is skipped for the rest of this run
    context = {q.id: context_task(settings, q, day[q.id], today, availability) for q in qs}
    reasoning = ({q.id: reasoning_task(settings, q, day[q.id], context[q.id].passages) for q in qs}
                 if settings.logic.model else {})
    forecasts: dict[str, list] = {q.id: [] for q in qs}
    groups = group_by_model(specs)
    progress.begin(len(qs) * len(specs), "forecasts")
    for index, (model_key, group) in enumerate(groups.items()):
        for n, q in enumerate(qs, start=1):
            logger.info("model %s: question %d/%d", model_key, n, len(qs))
            for spec in group:
                forecasts[q.id].append(
                    agent_forecast_task(settings, spec.name, q, day[q.id], context[q.id].passages,
                                        reasoning.get(q.id)))
                progress.advance(1, f"{spec.name}: {q.id}")
        if index < len(groups) - 1:
            release_model_task(model_key)

    results = []
    for q in qs:
        ensemble = ensemble_task(settings, q.id, forecasts[q.id], method)
        result = QuestionResult(q, day[q.id], tuple(forecasts[q.id]), ensemble,
                                passages=passage_records(context[q.id].passages),
                                retrieval_failures=failure_records(context[q.id].failures))
        persist_task(settings, run_id, result)
        plot_task(settings, q.id)
        results.append(summary(result, run_id))
    publish_table_task(run_id, results)
    finish_run_task(settings, run_id, "completed")
    return results
