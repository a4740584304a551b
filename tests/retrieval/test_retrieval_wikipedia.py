"""Wikipedia through the real `wikipedia` client, pointed at a real MediaWiki server on 127.0.0.1."""

from datetime import date

import pytest
import requests

from forecaster.retrieval import fetch_wikipedia

from .conftest import make_settings

QUESTION = "Will the Federal Reserve cut interest rates before July 2025?"
CHESS_QUESTION = "Will Ding Liren repeat as World Chess Champion?"


def test_passages_come_from_the_top_search_hits_with_title_and_address(mediawiki, store):
    server = mediawiki()
    result = fetch_wikipedia(QUESTION, make_settings(server.url), store)
    assert result.source == "wikipedia"
    assert {p.title for p in result.passages} == {"Federal Reserve"}
    passage = result.passages[0]
    assert "cut interest rates in 2024" in " ".join(p.text for p in result.passages)
    assert passage.location == "https://wiki.example/wiki/Federal_Reserve"
    assert passage.source == "wikipedia"
    assert server.queries("search")[0]["srsearch"] == "Federal Reserve cut interest rates July 2025"


def test_at_most_the_configured_number_of_pages_is_read(mediawiki, store):
    server = mediawiki()
    result = fetch_wikipedia(CHESS_QUESTION, make_settings(server.url, wikipedia_max_pages=1), store)
    assert len({p.title for p in result.passages}) == 1
    assert len(server.queries("extracts")) == 1


def test_a_second_fetch_is_served_from_the_store_without_requests(mediawiki, store):
    server = mediawiki()
    settings = make_settings(server.url)
    first = fetch_wikipedia(CHESS_QUESTION, settings, store)
    seen = len(server.requests)
    second = fetch_wikipedia(CHESS_QUESTION, settings, store)
    assert second.passages == first.passages
    assert len(server.requests) == seen


def test_as_of_gives_the_text_that_stood_on_that_date(mediawiki, store):
    server = mediawiki()
    result = fetch_wikipedia(CHESS_QUESTION, make_settings(server.url), store, as_of=date(2023, 7, 21))
    ding = [p for p in result.passages if p.title == "Ding Liren"]
    assert [p.text for p in ding] == ["Ding Liren is a Chinese chess grandmaster and the World Chess Champion "
                                      "since 2023."]
    assert ding[0].location.endswith("?oldid=702")
    assert server.queries("revisions")[0]["rvstart"] == "2023-07-21T23:59:59Z"
    assert server.queries("revisions")[0]["rvdir"] == "older"


def test_as_of_skips_pages_that_did_not_exist_yet(mediawiki, store):
    server = mediawiki()
    result = fetch_wikipedia(CHESS_QUESTION, make_settings(server.url), store, as_of=date(2023, 1, 1))
    assert "World Chess Championship 2024" not in {p.title for p in result.passages}
    assert any("World Chess Championship 2024" in w and "2023-01-01" in w for w in result.warnings)
    assert "Gukesh" not in " ".join(p.text for p in result.passages)


@pytest.mark.parametrize(("mode", "error"), [
    ("error500", requests.HTTPError),
    ("hang", requests.Timeout),
    ("garbage", ValueError),
])
def test_a_faulty_server_raises_so_the_caller_can_retry(mediawiki, store, mode, error):
    server = mediawiki(mode=mode, hang_s=3.0)
    with pytest.raises(error):
        fetch_wikipedia(QUESTION, make_settings(server.url, wikipedia_timeout_s=0.3), store)
