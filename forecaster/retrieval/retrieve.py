"""Retrieval for one question: every enabled source, then ranking; a failing source is recorded, not raised."""

from __future__ import annotations

import logging
from datetime import date
from typing import Callable

from forecaster.retrieval.availability import SourceAvailability
from forecaster.retrieval.local_source import fetch_local
from forecaster.retrieval.passage import Passage, RetrievalResult, SourceFailure, SourceResult, describe_failure
from forecaster.retrieval.ranking import RankedPassages, rank_passages
from forecaster.retrieval.store import RetrievalStore
from forecaster.retrieval.wikipedia_source import fetch_wikipedia
from forecaster.settings import RetrievalSettings

log = logging.getLogger(__name__)

SourceFetcher = Callable[..., SourceResult]
SOURCES: dict[str, SourceFetcher] = {"wikipedia": fetch_wikipedia, "local": fetch_local}


def enabled_sources(settings: RetrievalSettings) -> list[str]:
    """Names of the sources this configuration asks for, in a fixed order."""
    if not settings.enabled:
        return []
    names = []
    if settings.wikipedia_enabled and settings.wikipedia_max_pages > 0:
        names.append("wikipedia")
    if settings.documents_dir is not None:
        names.append("local")
    return names


def retrieve(question_text: str, settings: RetrievalSettings, store: RetrievalStore, *,
             as_of: date | None = None, availability: SourceAvailability | None = None) -> RetrievalResult:
    """The best passages for a question from every enabled source; failures are listed, never raised.

    With `availability` (one per run), a source found unreachable (DNS, refused, TLS) is marked there and
    not asked again: later questions record it as "source unavailable" at once.
    """
    outcomes: dict[str, SourceResult | SourceFailure | BaseException] = {}
    warned: set[str] = set()
    for name in enabled_sources(settings):
        skipped = availability.skip(name) if availability is not None else None
        if skipped is not None:
            outcomes[name] = skipped
            continue
        try:
            outcomes[name] = SOURCES[name](question_text, settings, store, as_of=as_of)
        except Exception as exc:  # the question goes on without this source
            outcomes[name] = exc
            marked = availability.record(name, exc) if availability is not None else None
            if marked is not None:
                log.warning("retrieval: %s is unavailable for the rest of this run (%s)", name, marked)
            if availability is not None and availability.skip(name) is not None:
                warned.add(name)  # down for the run: said once, by whichever question found it first
    result = combine(question_text, outcomes, settings, store)
    warn_failures(result, outcomes, warned, log)
    return result


def warn_failures(result: RetrievalResult, outcomes: dict, warned: set[str], logger) -> None:
    """One warning per source that failed this question, unless it was skipped or already warned about."""
    for failure in result.failures:
        if failure.source not in warned and not isinstance(outcomes.get(failure.source), SourceFailure):
            logger.warning("retrieval: %s gave no context: %s", failure.source, failure.reason)


def combine(question_text: str, outcomes: dict[str, SourceResult | SourceFailure | BaseException],
            settings: RetrievalSettings, store: RetrievalStore) -> RetrievalResult:
    """Rank what the sources gave; sources that raised (and a ranking fault) become failures.

    A `SourceFailure` among the outcomes is a source skipped without asking (marked unavailable for the
    run): recorded as it is, and not warned about again.
    """
    candidates: list[Passage] = []
    failures: list[SourceFailure] = []
    warnings: list[str] = []
    for name, outcome in outcomes.items():
        if isinstance(outcome, SourceFailure):
            failures.append(outcome)
            log.debug("retrieval: %s skipped: %s", name, outcome.reason)
        elif isinstance(outcome, BaseException):
            failures.append(SourceFailure(name, describe_failure(outcome)))
            log.info("retrieval: %s gave no context: %s", name, failures[-1].reason)  # callers warn
        else:
            candidates.extend(outcome.passages)
            warnings.extend(outcome.warnings)
    ranked = rank_or_fail(question_text, candidates, settings, store, failures)
    return RetrievalResult(ranked.passages, failures, warnings, ranked.embedded)


def rank_or_fail(question_text: str, candidates: list[Passage], settings: RetrievalSettings,
                 store: RetrievalStore, failures: list[SourceFailure]) -> RankedPassages:
    """Rank the candidates; if ranking itself fails, record it and give no passages."""
    if not candidates:
        return RankedPassages()
    try:
        return rank_passages(question_text, candidates, settings, store)
    except Exception as exc:  # e.g. the embedding model cannot load: forecast without context
        failures.append(SourceFailure("ranking", describe_failure(exc)))
        log.info("retrieval: ranking failed: %s", failures[-1].reason)  # callers warn
        return RankedPassages()
