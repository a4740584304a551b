"""Pulling from Metaculus against its stand-in: pages, fields, skipped types, and every fault the helper handles."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.feeds.clients import pull
from forecaster.feeds.http import MalformedAnswer, PlatformUnavailable, TokenRefused


def test_pull_follows_next_pages_to_the_end(metaculus, feed_settings):
    metaculus.page_cap = 2
    pulled = pull(feed_settings, "metaculus", "aib")
    assert [q.external_id for q in pulled.questions] == ["1001", "1002", "1003"]
    pages = metaculus.seen("GET", "/api/posts/")
    assert [r.query["offset"] for r in pages] == ["0", "2", "4"]


def test_pull_stops_at_the_limit(metaculus, feed_settings):
    metaculus.page_cap = 1
    pulled = pull(feed_settings, "metaculus", "aib", limit=2)
    assert [q.external_id for q in pulled.questions] == ["1001", "1002"]
    assert len(metaculus.seen("GET", "/api/posts/")) == 2


def test_pull_asks_for_the_tournaments_open_posts_with_the_community_prediction(metaculus, feed_settings):
    pull(feed_settings, "metaculus", "aib")
    [page] = metaculus.seen("GET", "/api/posts/")
    assert page.query["tournaments"] == "aib" and page.query["statuses"] == "open"
    assert page.query["with_cp"] == "true"
    assert page.headers["authorization"] == f"Token {metaculus.token}"


def test_a_pulled_question_carries_the_question_id_post_id_text_dates_and_community_prediction(
        metaculus, feed_settings):
    first = pull(feed_settings, "metaculus", "aib").questions[0]
    assert (first.id, first.external_id, first.post_id, first.source) == ("metaculus-1001", "1001", "101", "metaculus")
    assert first.text == "Will event 1001 happen by 2027?"
    assert first.background == "Background of question 1001."
    assert first.resolution_criteria == "Resolves yes if event 1001 happens.\n\nFine print."
    assert first.resolution_date == dt.date(2027, 6, 30)
    assert first.url == f"{metaculus.url}/questions/101/"
    assert first.market_probability == 0.3


def test_a_hidden_community_prediction_is_left_empty(metaculus, feed_settings):
    second = pull(feed_settings, "metaculus", "aib").questions[1]
    assert second.external_id == "1002" and second.market_probability is None


def test_conditionals_and_notebooks_are_skipped_and_counted(metaculus, feed_settings):
    pulled = pull(feed_settings, "metaculus", "aib")
    assert pulled.skipped == {"conditional": 1, "notebook": 1}
    assert "skipped 2 question(s) (1 conditional, 1 notebook)" in pulled.skipped_line()


def test_a_next_url_that_loops_is_refused_naming_the_field(metaculus, feed_settings):
    metaculus.page_cap, metaculus.next_loops = 1, True
    with pytest.raises(MalformedAnswer, match="metaculus: field 'next' of GET /posts/ loops back"):
        pull(feed_settings, "metaculus", "aib")
    assert len(metaculus.seen("GET", "/api/posts/")) == 2


def test_a_refused_token_is_one_clear_error(metaculus, feed_settings):
    metaculus.token = "another-token"
    with pytest.raises(TokenRefused, match=r"metaculus: the token was refused \(HTTP 401"):
        pull(feed_settings, "metaculus", "aib")
    assert len(metaculus.requests) == 1  # never retried


def test_429_waits_for_retry_after_then_goes_on(metaculus, feed_settings, sleep, waits):
    metaculus.fail("GET", "/api/posts/", 429, '{"detail": "slow down"}', headers={"Retry-After": "1"})
    pulled = pull(feed_settings, "metaculus", "aib", sleep=sleep)
    assert waits == [1.0]
    assert len(pulled.questions) == 3


def test_a_long_retry_after_is_cut_to_the_setting(metaculus, feed_settings, sleep, waits):
    metaculus.fail("GET", "/api/posts/", 429, headers={"Retry-After": "3600"})
    pull(feed_settings, "metaculus", "aib", sleep=sleep)
    assert waits == [feed_settings.feeds.metaculus.max_retry_after_s] == [2.0]


def test_5xx_is_retried_then_the_pull_goes_on(metaculus, feed_settings):
    metaculus.fail("GET", "/api/posts/", 503, "upstream down", times=2)
    assert len(pull(feed_settings, "metaculus", "aib").questions) == 3
    assert len(metaculus.seen("GET", "/api/posts/")) == 3


def test_5xx_past_the_retries_is_an_error_naming_the_platform(metaculus, feed_settings):
    metaculus.fail("GET", "/api/posts/", 502, times=3)
    with pytest.raises(PlatformUnavailable, match=r"metaculus: GET /api/posts/ answered HTTP 502 after 3 attempt"):
        pull(feed_settings, "metaculus", "aib")


def test_an_answer_that_is_not_json_is_a_clear_error(metaculus, feed_settings):
    metaculus.fail("GET", "/api/posts/", 200, "<html>maintenance</html>")
    with pytest.raises(MalformedAnswer, match=r"metaculus: the answer to GET /api/posts/ is not JSON"):
        pull(feed_settings, "metaculus", "aib")


def test_an_answer_without_results_names_the_field(metaculus, feed_settings):
    metaculus.fail("GET", "/api/posts/", 200, '{"next": null}')
    with pytest.raises(MalformedAnswer, match="metaculus: GET /posts/ lacks field 'results'"):
        pull(feed_settings, "metaculus", "aib")


def test_a_question_without_its_id_names_the_field(metaculus, feed_settings):
    del metaculus.posts[101]["question"]["id"]
    with pytest.raises(MalformedAnswer, match=r"results\[0\].question lacks field 'id'"):
        pull(feed_settings, "metaculus", "aib")


def test_a_timeout_is_retried_then_the_pull_goes_on(metaculus, feed_settings, monkeypatch):
    monkeypatch.setattr(feed_settings.feeds.metaculus, "request_timeout_s", 0.5)
    metaculus.fail("GET", "/api/posts/", 200, b"{}", delay_s=1.5)
    assert len(pull(feed_settings, "metaculus", "aib").questions) == 3
    assert len(metaculus.seen("GET", "/api/posts/")) == 2


def test_timeouts_past_the_retries_are_an_error_naming_the_platform(metaculus, feed_settings, monkeypatch):
    monkeypatch.setattr(feed_settings.feeds.metaculus, "request_timeout_s", 0.5)
    metaculus.fail("GET", "/api/posts/", 200, b"{}", delay_s=1.0, times=3)
    with pytest.raises(PlatformUnavailable, match=r"metaculus: GET /api/posts/ failed after 3 attempt\(s\) "
                                                  r"\(ReadTimeout\)"):
        pull(feed_settings, "metaculus", "aib")
