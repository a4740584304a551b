"""retrieve(): every enabled source, ranked together; a failing source is recorded and the rest still used."""

from datetime import date
from pathlib import Path

import pytest

from forecaster.retrieval import SourceFailure, retrieve

from .conftest import make_settings

QUESTION = "Will the Federal Reserve cut interest rates before July 2025?"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "fomc.md").write_text("---\ndate: 2024-05-02\n---\n# FOMC minutes\n"
                                    "Members discussed when to cut the federal funds rate.")
    (folder / "fruit.txt").write_text("Bananas are rich in potassium and grow in tropical climates.")
    return folder


def test_passages_from_both_sources_are_ranked_together_best_first(mediawiki, store, docs):
    server = mediawiki()
    result = retrieve(QUESTION, make_settings(server.url, documents_dir=docs, top_k=10, min_score=-1), store)
    assert result.failures == []
    assert {p.source for p in result.passages} == {"wikipedia", "local"}
    assert [p.score for p in result.passages] == sorted((p.score for p in result.passages), reverse=True)
    assert result.passages[-1].title == "fruit"
    assert result.embedded == len(result.passages) + 1


def test_a_second_run_of_the_same_question_fetches_and_embeds_nothing(mediawiki, store, docs):
    server = mediawiki()
    settings = make_settings(server.url, documents_dir=docs)
    first = retrieve(QUESTION, settings, store)
    requests_seen = len(server.requests)
    second = retrieve(QUESTION, settings, store)
    assert first.embedded > 0
    assert second.embedded == 0
    assert len(server.requests) == requests_seen
    assert second.passages == first.passages


@pytest.mark.parametrize(("mode", "reason"), [
    ("error500", "HTTPError: 500 Server Error"),
    ("hang", "Timeout"),
    ("garbage", "JSONDecodeError"),
])
def test_a_failing_wikipedia_is_recorded_and_local_documents_still_used(mediawiki, store, docs, mode, reason):
    server = mediawiki(mode=mode, hang_s=3.0)
    settings = make_settings(server.url, documents_dir=docs, wikipedia_timeout_s=0.3, min_score=-1)
    result = retrieve(QUESTION, settings, store)
    assert [f.source for f in result.failures] == ["wikipedia"]
    assert reason in result.failures[0].reason
    assert {p.source for p in result.passages} == {"local"}
    assert len(result.passages) == 2


def test_a_missing_documents_folder_is_recorded_as_a_local_failure(mediawiki, store, tmp_path):
    server = mediawiki()
    result = retrieve(QUESTION, make_settings(server.url, documents_dir=tmp_path / "missing"), store)
    assert result.failures == [SourceFailure(
        "local", f"ConfigError: retrieval.documents_dir: {tmp_path / 'missing'} is not a folder")]
    assert {p.source for p in result.passages} == {"wikipedia"}


def test_an_embedding_model_that_cannot_load_gives_no_passages_and_says_why(mediawiki, store, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    result = retrieve(QUESTION, make_settings(mediawiki().url, embedding_model=str(broken)), store)
    assert result.passages == []
    assert [f.source for f in result.failures] == ["ranking"]


def test_as_of_reaches_every_source(mediawiki, store, docs):
    server = mediawiki()
    result = retrieve(QUESTION, make_settings(server.url, documents_dir=docs, top_k=10), store, as_of=date(2020, 1, 1))
    texts = " ".join(p.text for p in result.passages)
    assert "held the federal funds rate steady" in texts
    assert "2024" not in texts
    # fomc.md is dated 2024-05-02 by its front matter; fruit.txt has its (recent) mtime: both after 2020.
    assert {p.source for p in result.passages} == {"wikipedia"}


def test_disabled_retrieval_returns_nothing_and_asks_no_server(mediawiki, store, docs):
    server = mediawiki()
    result = retrieve(QUESTION, make_settings(server.url, documents_dir=docs, enabled=False), store)
    assert result.passages == [] and result.failures == []
    assert server.requests == []
