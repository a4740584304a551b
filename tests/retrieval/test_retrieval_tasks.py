"""The Prefect tasks: each source retried with backoff; one that keeps failing is recorded, the flow goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from forecaster.retrieval import RetrievalResult
from tasks.retrieval import retrieve_context, retry_delays

from .conftest import make_settings

QUESTION = "Will the Federal Reserve cut interest rates before July 2025?"


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _run(settings, db_path: Path) -> RetrievalResult:
    from prefect import flow

    @flow(name="retrieval-test")
    def question_flow() -> RetrievalResult:
        return retrieve_context(QUESTION, settings, db_path)

    return question_flow()


def test_retry_delays_double_from_the_configured_backoff():
    assert retry_delays(make_settings(retries=3, retry_backoff_s=1.5)) == [1.5, 3.0, 6.0]


@pytest.mark.slow
def test_a_source_that_fails_once_is_retried_and_then_used(prefect_server, mediawiki, tmp_path, docs):
    server = mediawiki(mode="error500", fail_first=1)
    result = _run(make_settings(server.url, documents_dir=docs, retries=2), tmp_path / "f.db")
    assert result.failures == []
    assert "wikipedia" in {p.source for p in result.passages}
    assert server.requests[0]["list"] == "search"
    assert server.queries("extracts"), "the retry went on to read pages"


@pytest.mark.slow
def test_a_source_that_keeps_failing_is_recorded_and_the_flow_completes(prefect_server, mediawiki, tmp_path, docs):
    server = mediawiki(mode="error500")
    result = _run(make_settings(server.url, documents_dir=docs, retries=2), tmp_path / "f.db")
    assert [f.source for f in result.failures] == ["wikipedia"]
    assert "500 Server Error" in result.failures[0].reason
    assert len(server.queries("search")) == 3
    assert [p.source for p in result.passages] == ["local"]


@pytest.mark.slow
def test_a_user_error_is_not_retried(prefect_server, mediawiki, tmp_path):
    server = mediawiki()
    missing = tmp_path / "missing"
    result = _run(make_settings(server.url, documents_dir=missing, retries=2, retry_backoff_s=30), tmp_path / "f.db")
    assert [f.source for f in result.failures] == ["local"]
    assert "retrieval.documents_dir" in result.failures[0].reason
    assert {p.source for p in result.passages} == {"wikipedia"}
