"""Event forecasting flow: load questions, forecast per agent, pool, persist, plot, publish."""

from __future__ import annotations

import contextvars
import datetime as dt
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterator

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from forecaster import progress
from forecaster.events.agents import AgentForecast, ForecastFailure, first_model, group_by_model, select_agents
from forecaster.events.crowd import crowd_forecast
from forecaster.events.plotter import Plotter, drawing_processes
from forecaster.events.series_member import series_member
from forecaster.series.member import SeriesForecast
from forecaster.events.ensemble import LEARNED, EnsembleForecast
from forecaster.learning.combiner import Combiner
from forecaster.events.questions import Question
from forecaster.events.rendering import failure_records, passage_records, run_status, summary
from forecaster.events.store import QuestionResult
from forecaster.flow_parameters import check_forecast_parameters, default_as_of
from forecaster.llm.pool import model_pool
from forecaster.retrieval import RetrievalResult, SourceAvailability
from forecaster.runtime import bootstrap
from forecaster.settings import AgentSpec, Settings, load_settings
from tasks.gpu import gpu_slot
from tasks.series import persist_series_task, plot_series_task, series_task
from tasks.retrieval import prepare_store
from tasks.events import (
    agent_chunk_task,
    context_task,
    ensemble_task,
    finish_run_task,
    learned_combiner_task,
    load_questions_task,
    persist_task,
    plot_task,
    publish_table_task,
    reasoning_task,
    release_model_task,
    start_run_task,
    stored_summaries_task,
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
    resume: str | None = None,
) -> list[dict[str, Any]]:
    """Forecast every question with every agent; one stored, plotted result per question.

    Parameters are what a person picks in the UI; secrets never travel as parameters (they come from the
    worker's environment through the settings). Each question is forecast as of `as_of` (default `today`, or a
    ForecastBench set's due date), or its own `forecast_date` with `use_question_dates` (no later knowledge).
    `today` (default: the run's date) decides which of those days lie in the past, where sources are read as
    they stood then. `resume` (a run id) takes that ended run up again: the questions it stored are skipped,
    the rest forecast into it; Prefect's retry of a flow run resumes that flow run's run the same way.
    """
    # Parameters come from the UI and the API too: a bad one fails the run here, before anything runs or loads.
    limits = load_settings(config_file).questions
    check_forecast_parameters(questions_file, questions, agents, ensemble_method, as_of, today, resume, limits)
    settings = bootstrap(config_file)
    logger = get_run_logger()
    today = today or dt.date.today()
    as_of = as_of or default_as_of(questions_file, today)
    specs = select_agents(settings, agents)
    method, combiner = _pool(settings, specs, ensemble_method)

    qs = load_questions_task(questions_file, questions, limits)
    plan = start_run_task(settings, resume, flow_run.get_id(), method, [s.name for s in specs])
    run_id, todo = plan.run_id, [q for q in qs if q.id not in plan.stored]
    logger.info("run %s: %d question(s) x %d agent(s), ensemble %s%s", run_id, len(todo), len(specs), method,
                f"; resumed, {len(qs) - len(todo)} stored earlier skipped" if plan.resumed else "")
    try:
        fresh = _forecast_and_store(settings, run_id, todo, specs, (method, combiner), as_of, today, use_question_dates)
        earlier = stored_summaries_task(settings, run_id, [q.id for q in qs if q.id in plan.stored])
        results = [fresh.get(q.id) or earlier[q.id] for q in qs]
        publish_table_task(run_id, results)
    except BaseException as exc:
        # The task's function, not the task: a signal or a lost API may leave no Prefect machinery to run one.
        finish_run_task.fn(settings, run_id, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    failed = sum(1 for r in results if r["ensemble"] is None)
    status = run_status(results)
    finish_run_task(settings, run_id, status, f"{failed} of {len(results)} question(s) failed" if failed else None)
    if failed:
        logger.warning("run %s: %d of %d question(s) failed; see the table", run_id, failed, len(results))
    return results


def _pool(settings: Settings, specs: list[AgentSpec], ensemble_method: str | None) -> tuple[str, Combiner | None]:
    """The run's ensemble method, and for 'learned' the learned file's combiner: read (and checked against the
    agents) before anything is written, so a bad file fails the run at once."""
    method = ensemble_method or settings.ensemble.method
    return method, learned_combiner_task(settings, [s.name for s in specs]) if method == LEARNED else None


def _forecast_and_store(settings: Settings, run_id: str, qs: list[Question], specs: list[AgentSpec],
                        pool: tuple[str, Combiner | None], as_of: dt.date, today: dt.date,
                        use_question_dates: bool) -> dict[str, dict]:
    """Context and forecasts chunk by chunk; each chunk pooled (the crowd a member where a question has one),
    stored and plotted in the background while the next chunk's model work runs; summaries by question id.

    Storing as chunks finish is what lets a killed run resume from its last chunk; doing it beside the model work
    keeps the flow's own cost (store, plot, artifacts) off the run's time once model work is cheap."""
    if not qs:
        return {}  # a resumed run with everything stored: no model, no GPU slot
    day = {q.id: (q.forecast_date if use_question_dates and q.forecast_date else as_of) for q in qs}
    # Plots drawn off the engine calls of the chunks after, in processes of their own, for a run bigger than a chunk.
    drawing = Plotter(drawing_processes(len(qs), settings.forecast.batch_size, os.cpu_count() or 1))
    with drawing as plotter, ThreadPoolExecutor(1, thread_name_prefix="series") as side, \
            ThreadPoolExecutor(1, thread_name_prefix="store") as storing:
        # The series member fetches and fits its series beside the model work, once for the run.
        series = side.submit(contextvars.copy_context().run, series_task, settings, qs, day)
        finish = _ChunkFinisher(settings, run_id, day, pool, series, plotter,
                                publish_plots=len(qs) <= settings.forecast.plot_artifacts_max)
        stored: list[Future] = []
        # One slot of the GPU limit for as long as this run's models hold the device (from the engine's start
        # during retrieval to the last model), not one per call: each acquisition costs seconds.
        with gpu_slot():
            for chunk, context, outcomes in _model_work(settings, qs, specs, day, today):
                _raise_first_failure(stored)
                stored.append(storing.submit(contextvars.copy_context().run, finish, chunk, context, outcomes))
        return {qid: summary for future in stored for qid, summary in future.result().items()}


@dataclass
class _ChunkFinisher:
    """Pools, stores and plots the questions of a chunk whose model work is done (in the flow run's context)."""

    settings: Settings
    run_id: str
    day: dict[str, dt.date]
    pool: tuple[str, Combiner | None]
    series: Future
    plotter: Plotter
    publish_plots: bool
    notes: set[str] = field(default_factory=set)

    def __call__(self, chunk: list[Question], context: dict[str, Any],
                 outcomes: dict[str, list[AgentForecast | ForecastFailure]]) -> dict[str, dict]:
        """One task run each to pool, store (one transaction) and plot the chunk: a task run costs the flow more
        than a question's own work there."""
        settings, label = self.settings, _label(chunk)
        series = self.series.result()
        members = {q.id: self.members(q, outcomes[q.id], series.get(q.id)) for q in chunk}
        forecasts = {qid: [m for m in ms if isinstance(m, AgentForecast)] for qid, ms in members.items()}
        ensembles = ensemble_task(settings, chunk, [self.day[q.id] for q in chunk],
                                  [forecasts[q.id] for q in chunk], *self.pool, chunk=label)
        for ensemble in ensembles:
            _note_once(ensemble, self.notes)
        results = [self.result(q, context[q.id], forecasts[q.id], ensemble, members[q.id])
                   for q, ensemble in zip(chunk, ensembles)]
        persist_task(settings, self.run_id, results)
        forecast = [r.question.id for r in results if not r.failed]
        if forecast:
            plot_task(settings, forecast, self.plotter, self.publish_plots, chunk=label)
        self.series_steps(chunk, series, set(forecast))
        return {r.question.id: summary(r, self.run_id) for r in results}

    def result(self, q: Question, context: Any, forecasts: list[AgentForecast], ensemble: EnsembleForecast | None,
               members: list[AgentForecast | ForecastFailure]) -> QuestionResult:
        return QuestionResult(q, self.day[q.id], tuple(forecasts), ensemble, passages=passage_records(context.passages),
                              retrieval_failures=failure_records(context.failures),
                              failures=tuple(m for m in members if isinstance(m, ForecastFailure)))

    def members(self, q: Question, outcomes: list[AgentForecast | ForecastFailure],
                series: Any) -> list[AgentForecast | ForecastFailure]:
        """The agents' outcomes, the series member where the question has one, the crowd where shown."""
        if series is not None:
            outcomes = [*outcomes, series_member(series, self.settings.series.weight)]
        crowd = crowd_forecast(q, self.settings.ensemble.crowd_weight)
        return [*outcomes, crowd] if crowd else outcomes

    def series_steps(self, chunk: list[Question], series: dict[str, Any], forecast: set[str]) -> None:
        """The series member's own rows and plot, for the chunk's questions that have one."""
        for q in chunk:
            if isinstance(series.get(q.id), SeriesForecast):
                persist_series_task(self.settings, self.run_id, series[q.id])
                if q.id in forecast:
                    plot_series_task(self.settings, q.id)


def _raise_first_failure(futures: list[Future]) -> None:
    """Stop the model work at once when storing a chunk failed (after its retries)."""
    for future in futures:
        if future.done() and future.exception() is not None:
            raise future.exception()


def _model_work(settings: Settings, qs: list[Question], specs: list[AgentSpec], day: dict,
                today: dt.date) -> Iterator[tuple[list[Question], dict[str, Any], dict[str, list]]]:
    """Retrieval (the first engine starting meanwhile), reasoning, the pilot forecast, then each model's agents
    over chunks of questions; yields each chunk (its questions, contexts and outcomes) once the last model has
    forecast it."""
    groups = group_by_model(specs)
    first = first_model(settings, [s.name for s in specs])
    if qs and first:
        model_pool().warm_up(settings, first)
    context = _contexts(settings, qs, day, today)
    chunks = _chunks(qs, settings.forecast.batch_size)
    passages = {q.id: context[q.id].passages for q in qs}
    reasoning = _reasoning(settings, chunks, day, passages) if settings.logic.model else {}
    outcomes: dict[str, list[AgentForecast | ForecastFailure]] = {q.id: [] for q in qs}
    progress.begin(len(qs) * len(specs), "forecasts")
    done = _pilot(settings, specs[0].name, chunks, day, passages, reasoning, outcomes)
    for index, (model_key, group) in enumerate(groups.items()):
        last = index == len(groups) - 1
        # A model's agents back to back on each chunk: the later ones find the chunk's shared prompt blocks
        # (question and context) still in vLLM's prefix cache and pay only for their own last lines.
        for chunk in chunks:
            for spec in group:
                todo = [q for q in chunk if (spec.name, q.id) not in done]
                _forecast_into(outcomes, settings, spec.name, todo, day, passages, reasoning)
            if last:
                yield chunk, {q.id: context[q.id] for q in chunk}, {q.id: outcomes[q.id] for q in chunk}
        if not last:
            release_model_task(model_key)


def _pilot(settings: Settings, agent: str, chunks: list[list[Question]], day: dict, passages: dict,
           reasoning: dict, outcomes: dict[str, list]) -> set[tuple[str, str]]:
    """The first agent on the first question alone, ahead of the first chunk: a run's first forecast (and any
    fault of the model or its prompt) shows as soon as the engine is up, instead of after a whole batch. One agent
    only: each single call costs more than its question does in a batch. Returns the (agent, question) done."""
    if not chunks or len(chunks[0]) < 2:
        return set()  # the first chunk is a single question already
    pilot = chunks[0][:1]
    _forecast_into(outcomes, settings, agent, pilot, day, passages, reasoning)
    return {(agent, pilot[0].id)}


def _forecast_into(outcomes: dict[str, list], settings: Settings, agent: str, qs: list[Question], day: dict,
                   passages: dict, reasoning: dict) -> None:
    """One agent's outcomes on `qs` (nothing for none), added to `outcomes` and to the progress."""
    if qs:
        for outcome in _agent_chunk(settings, agent, qs, day, passages, reasoning):
            outcomes[outcome.question_id].append(outcome)
        progress.advance(len(qs), f"{agent}: {_label(qs)}")


def _contexts(settings: Settings, qs: list[Question], day: dict, today: dt.date) -> dict[str, Any]:
    """Retrieval for every question at once, bounded (it waits on I/O); each question's its own task."""
    if not settings.retrieval.enabled:
        return {q.id: RetrievalResult() for q in qs}  # no task run per question for nothing to fetch
    availability = SourceAvailability()  # a source found unreachable is skipped for the rest of this run
    prepare_store(settings.database_path)
    run = lambda q: context_task(settings, q, day[q.id], today, availability)  # noqa: E731
    with ThreadPoolExecutor(settings.retrieval.concurrency, thread_name_prefix="retrieval") as threads:
        # Each thread runs in a copy of this flow run's context, so its tasks belong to the run.
        futures = {q.id: threads.submit(contextvars.copy_context().run, run, q) for q in qs}
        return {qid: future.result() for qid, future in futures.items()}


def _agent_chunk(settings: Settings, agent: str, chunk: list[Question], day: dict, passages: dict,
                 reasoning: dict) -> list[AgentForecast | ForecastFailure]:
    """One agent's chunk; if it still fails after its retries, its questions fail alone and the run goes on."""
    try:
        return agent_chunk_task(settings, agent, chunk, [day[q.id] for q in chunk],
                                [passages[q.id] for q in chunk], [reasoning.get(q.id) for q in chunk],
                                chunk=_label(chunk))
    except Exception as exc:
        return [ForecastFailure(q.id, agent, f"{type(exc).__name__}: {exc}"[:500]) for q in chunk]


def _reasoning(settings: Settings, chunks: list[list[Question]], day: dict, passages: dict) -> dict[str, str]:
    written: dict[str, str] = {}
    for chunk in chunks:
        texts = reasoning_task(settings, chunk, [day[q.id] for q in chunk], [passages[q.id] for q in chunk],
                               chunk=_label(chunk))
        written.update(zip((q.id for q in chunk), texts))
    return written


def _chunks(qs: list[Question], size: int) -> list[list[Question]]:
    return [qs[i : i + size] for i in range(0, len(qs), size)]


def _note_once(ensemble: EnsembleForecast | None, seen: set[str]) -> None:
    """Log why the configured method did not apply, once per run and reason."""
    if ensemble is not None and ensemble.note and ensemble.note not in seen:
        seen.add(ensemble.note)
        get_run_logger().warning("ensemble: %s (said once per run)", ensemble.note)


def _label(chunk: list[Question]) -> str:
    return chunk[0].id if len(chunk) == 1 else f"{chunk[0].id} +{len(chunk) - 1}"
