"""Thin Prefect tasks over forecaster.retrieval: one retried task per source, then ranking.

`retrieve_context` is what a flow calls: a source that still fails after its retries is recorded in
the result's `failures` (and logged), and the question goes on without it; it never raises. Given the run's
`SourceAvailability`, a source that failed at the connection level (DNS, refused, TLS) is marked there
(one warning) and later questions skip it without a task, recording "source unavailable".
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.exceptions import MissingContextError
from prefect.cache_policies import NO_CACHE

from forecaster.errors import ForecasterError
from forecaster.retrieval import RetrievalResult, SourceAvailability, SourceResult, enabled_sources
from forecaster.retrieval.passage import SourceFailure, describe_failure
from forecaster.retrieval.retrieve import SOURCES, combine, warn_failures
from forecaster.retrieval.store import RetrievalStore
from forecaster.settings import RetrievalSettings


def _logger():
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a flow or task run
        return logging.getLogger(__name__)


def _transient(task, task_run, state) -> bool:
    # A user error (a missing documents folder) fails the same way every time: never retry it.
    return not isinstance(state.result(raise_on_failure=False), ForecasterError)


def retry_delays(settings: RetrievalSettings) -> list[float]:
    """Seconds to wait before each retry: `retry_backoff_s`, doubled each time."""
    return [settings.retry_backoff_s * 2**i for i in range(settings.retries)]


def _fetch(source: str, question_text: str, settings: RetrievalSettings, db_path: str,
           as_of: date | None) -> SourceResult:
    with RetrievalStore(db_path) as store:
        return SOURCES[source](question_text, settings, store, as_of=as_of)


@task(name="retrieve-wikipedia", cache_policy=NO_CACHE, retry_condition_fn=_transient)
def wikipedia_passages(question_text: str, settings: RetrievalSettings, db_path: str,
                       as_of: date | None = None) -> SourceResult:
    """Unranked passages from Wikipedia for the question (raises on a fault, so Prefect retries it)."""
    return _fetch("wikipedia", question_text, settings, db_path, as_of)


@task(name="retrieve-local-documents", cache_policy=NO_CACHE, retry_condition_fn=_transient)
def local_passages(question_text: str, settings: RetrievalSettings, db_path: str,
                   as_of: date | None = None) -> SourceResult:
    """Unranked passages from the local documents folder (raises on a fault, so Prefect retries it)."""
    return _fetch("local", question_text, settings, db_path, as_of)


SOURCE_TASKS = {"wikipedia": wikipedia_passages, "local": local_passages}


@task(name="rank-passages", cache_policy=NO_CACHE)
def rank_context(question_text: str, outcomes: dict, settings: RetrievalSettings,
                 db_path: str) -> RetrievalResult:
    """The top passages over what the sources gave; failed sources (exceptions in `outcomes`) are recorded."""
    with RetrievalStore(db_path) as store:
        return combine(question_text, outcomes, settings, store)


def prepare_store(db_path: str | Path) -> None:
    """Create the retrieval tables now, before questions are retrieved side by side.

    Switching to WAL and creating tables take exclusive locks, which concurrent first writers fail to get.
    """
    RetrievalStore(db_path).close()


def retrieve_context(question_text: str, settings: RetrievalSettings, db_path: str | Path, *,
                     as_of: date | None = None, availability: SourceAvailability | None = None) -> RetrievalResult:
    """Inside a flow: every enabled source as its own retried task, then ranking. Never raises.

    `availability` is the run's record of unreachable sources (None: every source is asked every time).
    """
    prepare_store(db_path)
    delays = retry_delays(settings)
    names = enabled_sources(settings)
    skipped = {name: availability.skip(name) for name in names} if availability is not None else {}
    futures = {
        name: SOURCE_TASKS[name]
        .with_options(retries=settings.retries, retry_delay_seconds=delays or 0)
        .submit(question_text, settings, str(db_path), as_of)
        for name in names if skipped.get(name) is None
    }
    outcomes: dict[str, SourceResult | SourceFailure | BaseException] = {}
    warned: set[str] = set()
    for name in names:
        if name not in futures:
            outcomes[name] = skipped[name]
            continue
        try:
            outcomes[name] = futures[name].result()
        except Exception as exc:  # the source failed after its retries: go on without it
            outcomes[name] = exc
            marked = availability.record(name, exc) if availability is not None else None
            if marked is not None:
                _logger().warning("retrieval: %s is unavailable for the rest of this run (%s)", name, marked)
            if availability is not None and availability.skip(name) is not None:
                warned.add(name)  # down for the run: said once, by whichever question found it first
    try:
        result = rank_context(question_text, outcomes, settings, str(db_path))
    except Exception as exc:  # ranking guards itself; this is the last line of defence
        _logger().warning("retrieval failed entirely: %s", exc)
        return RetrievalResult(failures=[SourceFailure("retrieval", describe_failure(exc))])
    warn_failures(result, outcomes, warned, _logger())
    return result
