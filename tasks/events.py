"""Prefect tasks for event forecasting: thin wrappers adding retries, names and artifacts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.events.agents import AgentForecast, ForecastFailure, pool_agent, pool_logic
from forecaster.errors import ConfigError, ForecasterError
from forecaster.events.crowd import pooled
from forecaster.events.ensemble import EnsembleForecast
from forecaster.learning.combiner import Combiner
from forecaster.learning.learned_file import load_for_agents
from forecaster.events.plotter import PlotJob, Plotter
from forecaster.events.typed_store import question_from_row, typed_history
from forecaster.events.questions import DEFAULT_LIMITS, Question
from forecaster.question_files import load_all_questions
from forecaster.events.rendering import forecasts_markdown, stored_summary
from forecaster.settings import QuestionSettings, Settings
from forecaster.events.resume import RunPlan, plan_run, reconcile
from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.retrieval import RetrievalResult, SourceAvailability
from forecaster.llm.pool import model_pool
from forecaster.names import artifact_key
from tasks.artifacts import publish_png
from tasks.retrieval import retrieve_context

# Settings and model objects are not cache keys: the logprob cache does the reuse.
MODEL_TASK = dict(retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)


@task(name="load-questions", cache_policy=NO_CACHE)
def load_questions_task(questions_file: str | None, inline: Sequence[Any] | None,
                        limits: QuestionSettings = DEFAULT_LIMITS) -> list[Question]:
    """Questions from a file and/or inline records (plain strings are question texts)."""
    return load_all_questions(questions_file, inline, limits)


@task(name="retrieve-context", task_run_name="context: {question.id}", cache_policy=NO_CACHE)
def context_task(settings: Settings, question: Question, day: dt.date, today: dt.date,
                 availability: SourceAvailability | None = None) -> RetrievalResult:
    """Ranked passages for the question; never fails the run (failed sources are recorded instead).

    `availability` is the run's record of unreachable sources, shared by all its questions. The flow starts no
    such task when retrieval is off.
    """
    # A day before `today` reads sources as they stood then (evaluation); today or later reads them as they are.
    as_of = day if day < today else None
    return retrieve_context(question.text, settings.retrieval, settings.database_path, as_of=as_of,
                            availability=availability)


def _worth_retrying(task, task_run, state) -> bool:
    # A configuration or input error fails the same way every time; an engine fault may not.
    return not isinstance(state.result(raise_on_failure=False), ForecasterError)


@task(name="write-reasoning", task_run_name="reasoning: {chunk}", retry_condition_fn=_worth_retrying, **MODEL_TASK)
def reasoning_task(settings: Settings, questions: Sequence[Question], days: Sequence[dt.date],
                   passages: Sequence[Sequence[Any]], chunk: str = "") -> list[str]:
    """The logic model's reasoning for a chunk of questions, written in one batch."""
    writer = pool_logic(model_pool(), settings)
    if writer is None:
        return [""] * len(questions)
    return writer.reason_many(questions, days, passages)


@task(name="agent-forecasts", task_run_name="{agent_name}: {chunk}", retry_condition_fn=_worth_retrying,
      **MODEL_TASK)
def agent_chunk_task(settings: Settings, agent_name: str, questions: Sequence[Question], days: Sequence[dt.date],
                     passages: Sequence[Sequence[Any]], reasonings: Sequence[str | None],
                     chunk: str = "") -> list[AgentForecast | ForecastFailure]:
    """One agent's forecasts for a chunk of questions, read in one batch; a question that cannot be scored
    comes back as a `ForecastFailure` and the rest of the chunk goes on."""
    # A dead engine makes this raise; on Prefect's retry the pool finds it dead and starts a new one.
    results = pool_agent(model_pool(), settings, agent_name).forecast_many(questions, days, passages, reasonings)
    logger = get_run_logger()
    for r in results:
        if isinstance(r, ForecastFailure):
            logger.warning("%s could not forecast %s: %s", agent_name, r.question_id, r.reason)
        else:
            logger.info("%s on %s: P(YES)=%.3f (mass on numbers %.3g%s)", agent_name, r.question_id,
                        r.probability, r.mass, ", LOW" if r.low_mass else "")
    return results


@task(name="release-model", cache_policy=NO_CACHE)
def release_model_task(model_key: str) -> None:
    model_pool().release(model_key)


@task(name="ensemble", task_run_name="ensemble: {chunk}", cache_policy=NO_CACHE)
def ensemble_task(settings: Settings, questions: Sequence[Question], days: Sequence[dt.date],
                  forecasts: Sequence[Sequence[AgentForecast]], method: str | None = None,
                  combiner: Combiner | None = None, chunk: str = "") -> list[EnsembleForecast | None]:
    """Each question's pooled forecast (the crowd a member where the question has one), None where no agent could
    forecast it; `combiner` is the learned file's, for method 'learned'."""
    method = method or settings.ensemble.method
    return [pooled(q, day, members, settings.ensemble, method, combiner)
            for q, day, members in zip(questions, days, forecasts, strict=True)]


@task(name="load-learned-file", cache_policy=NO_CACHE)
def learned_combiner_task(settings: Settings, agents: Sequence[str]) -> Combiner:
    """The learned file of `[ensemble] learned_file`, refused when it weighs agents the config lacks."""
    if settings.ensemble.learned_file is None:
        raise ConfigError("ensemble.learned_file: required when the ensemble method is 'learned' "
                          "(write one with `forecaster calibrate ... --out FILE`)")
    return load_for_agents(settings.ensemble.learned_file, agents)


@task(name="start-run", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1,
      retry_condition_fn=_worth_retrying)
def start_run_task(settings: Settings, resume: str | None, flow_run_id: str | None, method: str,
                   agents: Sequence[str]) -> RunPlan:
    """Mark runs left `running` by dead processes `failed`, then start a run or take one up again."""
    store = ForecastStore(settings.database_path)
    marked = reconcile(store, flow_run_id, flow_run_final_state)
    if marked:
        get_run_logger().warning("marked failed, their processes gone: %s", ", ".join(marked))
    return plan_run(store, resume, flow_run_id, method, list(agents), dt.datetime.now(dt.timezone.utc))


def flow_run_final_state(flow_run_id: str) -> tuple[str, str] | None:
    """(name, message) of the flow run's state if Prefect reports it final; None if not, unknown or unreachable."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(flow_run_id)).state
    except Exception:  # not on this server, or the server down: no evidence the run died
        return None
    return (state.name, state.message or "") if state is not None and state.is_final() else None


# A completed store task run is named for the questions it stored: a sharded run reads them back from Prefect
# (tasks.sharding) when the store is on another host.
PERSIST_PREFIX = "persist: "


def _persist_name(parameters: dict[str, Any]) -> str:
    return PERSIST_PREFIX + " ".join(r.question.id for r in parameters["results"])


def persisted_ids(task_run_name: str) -> set[str]:
    """The question ids a `persist-questions` task run's name lists (ids never hold a space)."""
    if not task_run_name.startswith(PERSIST_PREFIX):
        return set()
    return set(task_run_name.removeprefix(PERSIST_PREFIX).split())


@task(name="persist-questions", task_run_name=_persist_name, cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)
def persist_task(settings: Settings, run_id: str, results: Sequence[QuestionResult]) -> None:
    """A chunk's questions stored in one transaction: all of them or none."""
    with ForecastStore(settings.database_path) as store:
        store.save_questions(run_id, results)


@task(name="finish-run", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1)
def finish_run_task(settings: Settings, run_id: str, status: str, reason: str | None = None) -> None:
    ForecastStore(settings.database_path).finish_run(run_id, status, reason)


@task(name="plot-questions", task_run_name="plot: {chunk}", cache_policy=NO_CACHE, retries=1)
def plot_task(settings: Settings, question_ids: Sequence[str], plotter: Plotter, publish: bool = True,
              chunk: str = "") -> list[Path]:
    """Each question's plot of its stored history, drawn by `plotter`; with `publish`, each also a `plot-<id>`
    artifact, published as soon as it is drawn (while a drawing process draws the next)."""
    with ForecastStore(settings.database_path) as store:
        jobs = [_plot_job(store, qid, settings.plots_dir) for qid in question_ids]
    paths = []
    for qid, path in zip(question_ids, plotter.draw(jobs)):
        paths.append(path)
        if publish:
            publish_png(path, artifact_key("plot", qid), qid, f"Forecast history and latest distributions for {qid}")
    return paths


def _plot_job(store: ForecastStore, question_id: str, plots_dir: Path) -> PlotJob:
    row = store.question(question_id)
    question = question_from_row(row)
    if question.type != "binary":
        return PlotJob(question, tuple(typed_history(store.db, question_id)), None, plots_dir)
    return PlotJob(row, tuple(store.ensemble_history(question_id)), tuple(store.agent_history(question_id)),
                   plots_dir)


@task(name="stored-summaries", cache_policy=NO_CACHE)
def stored_summaries_task(settings: Settings, run_id: str, question_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The table rows of questions a resumed run stored before, read back from the store."""
    store = ForecastStore(settings.database_path)
    return {qid: stored_summary(store, run_id, qid) for qid in question_ids}


@task(name="publish-table", cache_policy=NO_CACHE)
def publish_table_task(run_id: str, summaries: Sequence[dict[str, Any]]) -> str:
    markdown = forecasts_markdown(summaries)
    create_markdown_artifact(key="event-forecasts", markdown=markdown, description=f"Forecasts of run {run_id}")
    return markdown
