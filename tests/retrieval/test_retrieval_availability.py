"""A source that is down is skipped for the rest of the run; a slow or failing one is retried per question.

Everything here talks to real sockets on 127.0.0.1 (and the resolver, for a name that cannot resolve).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from forecaster.retrieval import SourceAvailability, SourceFailure, connection_failure, fetch_wikipedia, retrieve
from forecaster.retrieval.availability import UNAVAILABLE

from .conftest import make_settings

QUESTIONS = [
    "Will the Federal Reserve cut interest rates before July 2025?",
    "Will Ding Liren play in the World Chess Championship 2024?",
    "Will the banana harvest grow in 2025?",
]
UNRESOLVABLE = "http://nonexistent.invalid/w/api.php"


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound (so nothing else takes it) but not listening: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel completes the handshake) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def full_port() -> Iterator[int]:
    """A listening port whose accept queue is full: the kernel drops new connection attempts (a connect timeout)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)
        try:
            yield port
        finally:
            for filler in fillers:
                filler.close()


def _raised(call, *args, **kwargs) -> BaseException:
    try:
        call(*args, **kwargs)
    except Exception as exc:  # what the caller would see
        return exc
    raise AssertionError("expected the call to fail")


# --- the classifier ------------------------------------------------------------------------------------------


def test_a_refused_connection_is_a_connection_failure(refused_port):
    exc = _raised(requests.get, f"http://127.0.0.1:{refused_port}/", timeout=2)
    assert connection_failure(exc) == "connection refused"


def test_a_name_that_does_not_resolve_is_a_connection_failure():
    exc = _raised(requests.get, UNRESOLVABLE, timeout=5)
    assert connection_failure(exc) == "DNS failure"


def test_a_tls_handshake_with_a_plain_http_server_is_a_connection_failure(mediawiki):
    port = mediawiki().port
    exc = _raised(requests.get, f"https://127.0.0.1:{port}/w/api.php", timeout=2)
    assert isinstance(exc, requests.exceptions.SSLError)
    assert connection_failure(exc) == "TLS error"


def test_a_read_timeout_is_not_a_connection_failure(silent_port):
    exc = _raised(requests.get, f"http://127.0.0.1:{silent_port}/", timeout=0.3)
    assert isinstance(exc, requests.exceptions.ReadTimeout)
    assert connection_failure(exc) is None


def test_a_connect_timeout_is_not_a_connection_failure(full_port):
    exc = _raised(requests.get, f"http://127.0.0.1:{full_port}/", timeout=(0.3, 0.3))
    # requests files ConnectTimeout under ConnectionError too: the classifier must not take it for "down".
    assert isinstance(exc, requests.exceptions.ConnectTimeout)
    assert connection_failure(exc) is None


def test_an_http_500_is_not_a_connection_failure(mediawiki, store):
    exc = _raised(fetch_wikipedia, "Federal Reserve rates", make_settings(mediawiki(mode="error500").url), store)
    assert isinstance(exc, requests.HTTPError)
    assert connection_failure(exc) is None


def test_other_faults_are_not_connection_failures(mediawiki, store):
    garbage = _raised(fetch_wikipedia, "Federal Reserve rates", make_settings(mediawiki(mode="garbage").url), store)
    assert connection_failure(garbage) is None
    assert connection_failure(ValueError("no such thing")) is None


@pytest.mark.parametrize(("where", "kind"), [("stopped", "connection refused"), ("unresolvable", "DNS failure")])
def test_failures_raised_through_the_wikipedia_client_are_classified_by_their_cause(mediawiki, store, where, kind):
    if where == "stopped":
        server = mediawiki()
        server.stop()
        url = server.url
    else:
        url = UNRESOLVABLE
    exc = _raised(fetch_wikipedia, "Federal Reserve rates", make_settings(url), store)
    assert connection_failure(exc) == kind


# --- the record --------------------------------------------------------------------------------------------------


def test_a_source_is_marked_once_and_then_skipped_with_the_first_reason(refused_port):
    availability = SourceAvailability()
    assert availability.skip("wikipedia") is None
    exc = _raised(requests.get, f"http://127.0.0.1:{refused_port}/", timeout=2)
    reason = availability.record("wikipedia", exc)
    assert reason is not None and reason.startswith("connection refused: ConnectionError")
    assert availability.record("wikipedia", exc) is None  # already marked: no second warning
    assert availability.skip("wikipedia") == SourceFailure("wikipedia", f"{UNAVAILABLE}: {reason}")
    assert availability.skip("local") is None
    assert availability.record("local", ValueError("bad file")) is None
    assert availability.unavailable() == {"wikipedia": reason}


# --- retrieve(): the domain path -----------------------------------------------------------------------------


def _warnings_marking(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and "rest of this run" in r.getMessage()]


def test_a_stopped_wikipedia_is_skipped_for_the_rest_of_the_run(mediawiki, store, docs, caplog):
    caplog.set_level(logging.INFO)
    server = mediawiki()
    server.stop()
    settings = make_settings(server.url, documents_dir=docs, min_score=-1)
    availability = SourceAvailability()

    first = retrieve(QUESTIONS[0], settings, store, availability=availability)
    assert [f.source for f in first.failures] == ["wikipedia"]
    assert first.failures[0].reason.startswith("ConnectionError")
    marked = availability.unavailable()["wikipedia"]
    assert marked.startswith("connection refused: ConnectionError")

    # The same address answers again: a skipped source must not be asked at all.
    again = mediawiki(port=server.port)
    for question in QUESTIONS[1:]:
        result = retrieve(question, settings, store, availability=availability)
        assert result.failures == [SourceFailure("wikipedia", f"source unavailable: {marked}")]
        assert [p.source for p in result.passages] == ["local"]
    assert again.requests == []
    assert len(_warnings_marking(caplog)) == 1

    # Without a record (or with a fresh one, i.e. the next run) it is asked again as before.
    assert retrieve(QUESTIONS[1], settings, store).failures == []
    assert again.queries("search")


def test_an_unresolvable_wikipedia_is_marked_as_a_dns_failure(store, docs):
    availability = SourceAvailability()
    settings = make_settings(UNRESOLVABLE, documents_dir=docs, min_score=-1)
    retrieve(QUESTIONS[0], settings, store, availability=availability)
    assert availability.unavailable()["wikipedia"].startswith("DNS failure: ")
    second = retrieve(QUESTIONS[1], settings, store, availability=availability)
    assert second.failures[0].reason.startswith("source unavailable: DNS failure: ")


@pytest.mark.parametrize(("mode", "reason"), [("error500", "500 Server Error"), ("hang", "Timeout")])
def test_a_server_error_or_timeout_is_not_marked_and_every_question_asks_again(mediawiki, store, docs, mode, reason):
    server = mediawiki(mode=mode, hang_s=2.0)
    settings = make_settings(server.url, documents_dir=docs, wikipedia_timeout_s=0.3, min_score=-1)
    availability = SourceAvailability()
    for question in QUESTIONS[:2]:
        result = retrieve(question, settings, store, availability=availability)
        assert [f.source for f in result.failures] == ["wikipedia"]
        assert reason in result.failures[0].reason
    assert availability.unavailable() == {}
    assert len(server.queries("search")) == 2


# --- retrieve_context(): the Prefect path ----------------------------------------------------------------------


def _run_questions(questions: list[str], settings, db_path: Path, availability: SourceAvailability,
                   flow_run_ids: list[str] | None = None) -> list[tuple[object, float]]:
    """Each question's retrieve_context result and seconds taken, in one flow run sharing `availability`."""
    from prefect import flow
    from prefect.runtime import flow_run

    from tasks.retrieval import retrieve_context

    @flow(name="retrieval-availability-test")
    def run_flow() -> list[tuple[object, float]]:
        if flow_run_ids is not None:
            flow_run_ids.append(flow_run.get_id())
        timed = []
        for question in questions:
            start = time.monotonic()
            result = retrieve_context(question, settings, db_path, availability=availability)
            timed.append((result, time.monotonic() - start))
        return timed

    return run_flow()


def _flow_run_warnings(flow_run_ids: list[str], text: str) -> list[str]:
    """Warnings containing `text` that these flow runs sent to the Prefect server."""
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=flow_run_ids)))
    return [entry.message for entry in logs if entry.level == logging.WARNING and text in entry.message]


@pytest.mark.slow
def test_in_a_flow_a_refused_source_is_retried_then_skipped_for_later_questions(prefect_server, mediawiki,
                                                                                  tmp_path, docs):
    server = mediawiki()
    server.stop()
    backoff = 0.5
    settings = make_settings(server.url, documents_dir=docs, retries=2, retry_backoff_s=backoff, min_score=-1)
    availability = SourceAvailability()

    flow_run_ids: list[str] = []
    [(first, first_s)] = _run_questions(QUESTIONS[:1], settings, tmp_path / "f.db", availability, flow_run_ids)
    assert first_s >= backoff * 3  # both retries waited (0.5 s, then 1 s) before it was given up
    assert first.failures[0].reason.startswith("ConnectionError")
    marked = availability.unavailable()["wikipedia"]
    assert marked.startswith("connection refused: ")

    again = mediawiki(port=server.port)
    later = _run_questions(QUESTIONS[1:], settings, tmp_path / "f.db", availability, flow_run_ids)
    for result, _ in later:
        assert result.failures == [SourceFailure("wikipedia", f"source unavailable: {marked}")]
        assert [p.source for p in result.passages] == ["local"]
    assert again.requests == []  # no task asked it, so no retry and no backoff either
    # One warning for the run, when it was marked; the later questions record the skip quietly.
    assert len(_flow_run_warnings(flow_run_ids, "unavailable for the rest of this run")) == 1
    assert _flow_run_warnings(flow_run_ids[1:], "wikipedia") == []


@pytest.mark.slow
def test_in_a_flow_a_500_is_retried_on_every_question_and_never_marked(prefect_server, mediawiki, tmp_path, docs):
    server = mediawiki(mode="error500")
    settings = make_settings(server.url, documents_dir=docs, retries=2, min_score=-1)
    availability = SourceAvailability()
    results = _run_questions(QUESTIONS[:2], settings, tmp_path / "f.db", availability)
    for result, _ in results:
        assert [f.source for f in result.failures] == ["wikipedia"]
        assert "500 Server Error" in result.failures[0].reason
    assert availability.unavailable() == {}
    assert len(server.queries("search")) == 2 * 3  # each question: the first try and two retries


@pytest.mark.slow
def test_the_events_context_task_shares_one_record_across_questions(prefect_server, mediawiki, settings, docs):
    from prefect import flow

    from forecaster.events.questions import question_from_mapping
    from tasks.events import context_task

    server = mediawiki()
    server.stop()
    settings = settings.model_copy(update={"retrieval": make_settings(server.url, documents_dir=docs, retries=0,
                                                                      min_score=-1)})
    questions = [question_from_mapping({"question": text}, f"questions[{i}]") for i, text in enumerate(QUESTIONS)]
    today = dt.date.today()

    @flow(name="context-availability-test")
    def run_flow():
        availability = SourceAvailability()  # as forecast_events does: one per run, created in the flow
        return [context_task(settings, q, today, today, availability) for q in questions], availability.unavailable()

    results, unavailable = run_flow()
    assert results[0].failures[0].reason.startswith("ConnectionError")
    for result in results[1:]:
        assert result.failures[0].reason.startswith("source unavailable: connection refused: ")
    assert list(unavailable) == ["wikipedia"]
