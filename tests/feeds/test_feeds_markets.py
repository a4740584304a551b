"""Pulling from Manifold and Polymarket against their stand-ins: pages, fields, outcomes, faults."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.feeds.clients import pull
from forecaster.feeds.http import MalformedAnswer


def test_manifold_pages_by_offset_until_an_empty_page(manifold, feed_settings):
    manifold.page_cap = 2
    pulled = pull(feed_settings, "manifold")
    assert [q.external_id for q in pulled.questions] == ["m1", "m2", "m3", "m4"]
    assert [r.query["offset"] for r in manifold.seen("GET", "/v0/search-markets")] == ["0", "2", "4"]


def test_manifold_asks_for_open_binary_markets_matching_the_term(manifold, feed_settings):
    pulled = pull(feed_settings, "manifold", "market m3")
    [search] = [r for r in manifold.seen("GET", "/v0/search-markets") if r.query["offset"] == "0"]
    assert (search.query["term"], search.query["filter"], search.query["contractType"]) == (
        "market m3", "open", "BINARY")
    assert [q.external_id for q in pulled.questions] == ["m3"]


def test_manifold_stops_at_the_limit(manifold, feed_settings):
    manifold.page_cap = 1
    assert [q.external_id for q in pull(feed_settings, "manifold", limit=3).questions] == ["m1", "m2", "m3"]
    assert len(manifold.seen("GET", "/v0/search-markets")) == 3


def test_a_manifold_question_carries_the_market_price_description_and_close_date(manifold, feed_settings):
    first = pull(feed_settings, "manifold", limit=1).questions[0]
    assert (first.id, first.external_id, first.source) == ("manifold-m1", "m1", "manifold")
    assert first.market_probability == pytest.approx(0.1)
    assert first.background == "Description of m1."
    assert first.url == "https://manifold.markets/someone/m1"
    assert first.resolution_date == dt.date(2027, 7, 1)  # closeTime 1_814_400_000_000 ms


def test_a_manifold_market_without_a_probability_names_the_field(manifold, feed_settings):
    del manifold.markets["m1"]["probability"]
    with pytest.raises(MalformedAnswer, match="manifold: GET /market/m1 lacks field 'probability'"):
        pull(feed_settings, "manifold")


def test_polymarket_pages_by_offset_until_an_empty_page(polymarket, feed_settings):
    polymarket.page_cap = 2
    pulled = pull(feed_settings, "polymarket")
    assert [q.external_id for q in pulled.questions] == ["1", "2", "3", "4", "8"]
    assert [r.query["offset"] for r in polymarket.seen("GET", "/markets")] == ["0", "2", "4", "6"]


def test_polymarket_asks_for_active_open_markets(polymarket, feed_settings):
    pull(feed_settings, "polymarket")
    first = polymarket.seen("GET", "/markets")[0]
    assert (first.query["active"], first.query["closed"], first.query["archived"]) == ("true", "false", "false")


def test_polymarket_reads_the_json_encoded_outcomes_and_takes_the_yes_price(polymarket, feed_settings):
    questions = {q.external_id: q for q in pull(feed_settings, "polymarket").questions}
    assert questions["1"].market_probability == pytest.approx(0.15)
    assert questions["8"].market_probability == pytest.approx(0.2)  # outcomes listed ["No", "Yes"]
    assert questions["1"].url == "https://polymarket.com/market/market-1"
    assert questions["1"].resolution_date == dt.date(2027, 3, 31)


def test_polymarket_markets_without_yes_and_no_are_skipped_and_counted(polymarket, feed_settings):
    pulled = pull(feed_settings, "polymarket")
    assert "7" not in {q.external_id for q in pulled.questions}
    assert pulled.skipped == {"not Yes/No": 1}


def test_polymarket_outcomes_that_are_not_json_name_the_field(polymarket, feed_settings):
    polymarket.markets["2"]["outcomePrices"] = "0.5, 0.5"
    with pytest.raises(MalformedAnswer, match="polymarket: GET /markets item 1 field 'outcomePrices' is not a JSON"):
        pull(feed_settings, "polymarket")


def test_polymarket_answer_that_is_not_a_list_is_refused(polymarket, feed_settings):
    polymarket.fail("GET", "/markets", 200, '{"error": "moved"}')
    with pytest.raises(MalformedAnswer, match="polymarket: the answer to GET /markets must be a JSON list"):
        pull(feed_settings, "polymarket")


def test_a_refused_read_without_a_token_says_so(manifold, feed_settings):
    from forecaster.feeds.http import TokenRefused

    manifold.fail("GET", "/v0/search-markets", 403, '{"message": "blocked"}')
    with pytest.raises(TokenRefused, match=r"manifold: access refused \(HTTP 403 on GET /v0/search-markets; no token"):
        pull(feed_settings, "manifold")
