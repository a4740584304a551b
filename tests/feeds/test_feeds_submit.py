"""`forecaster submit metaculus` against the stand-in: bodies it accepts, each once, every post recorded."""

from __future__ import annotations

import pytest

from forecaster.feeds.store import FeedStore
from tests.feeds.stored import metaculus_run, store_run


@pytest.fixture
def db(metaculus, data_dir):
    metaculus_run(data_dir / "forecaster.db")
    return data_dir / "forecaster.db"


def recorded(db):
    with FeedStore(db) as store:
        return store.submissions()


def test_each_forecast_is_posted_on_its_question_id_clipped_to_the_servers_range(metaculus, db, cli):
    result = cli("submit", "metaculus", "--run", "run-1")
    assert result.exit_code == 0, result.output
    assert metaculus.forecasts == {1001: [0.001], 1003: [0.7]}
    bodies = [r.body for r in metaculus.seen("POST", "/api/questions/forecast/")]
    assert bodies == [[{"question": 1001, "source": "api", "probability_yes": 0.001}],
                      [{"question": 1003, "source": "api", "probability_yes": 0.7}]]
    assert "2 forecast(s) accepted, 0 not submitted" in result.output


def test_every_post_is_recorded_with_body_answer_and_time(metaculus, db, cli):
    cli("submit", "metaculus", "--run", "run-1")
    rows = recorded(db)
    assert [(r.question_id, r.kind, r.status, r.answer) for r in rows] == [
        ("metaculus-1001", "forecast", "accepted", {}), ("metaculus-1003", "forecast", "accepted", {})]
    assert rows[0].body == [{"question": 1001, "source": "api", "probability_yes": 0.001}]
    assert all(r.run_id == "run-1" and r.created_at for r in rows)


def test_latest_is_the_latest_run_with_forecasts(metaculus, db, cli):
    store_run(db, "run-2", {"metaculus-1002": ("metaculus", "1002", "102", 0.4)})
    assert cli("submit", "metaculus").exit_code == 0
    assert metaculus.forecasts == {1002: [0.4]}


def test_submitting_a_run_again_posts_nothing_already_accepted(metaculus, db, cli):
    assert cli("submit", "metaculus", "--run", "run-1").exit_code == 0
    again = cli("submit", "metaculus", "--run", "run-1")
    assert again.exit_code == 0, again.output
    assert "0 forecast(s) accepted, 0 not submitted, 2 accepted earlier" in again.output
    assert len(metaculus.seen("POST", "/api/questions/forecast/")) == 2


def test_dry_run_prints_the_bodies_and_posts_nothing(metaculus, db, cli):
    result = cli("submit", "metaculus", "--run", "run-1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert '[{"question": 1001, "source": "api", "probability_yes": 0.001}]' in result.output
    assert "nothing posted" in result.output
    assert metaculus.seen("POST", "/api/questions/forecast/") == [] and recorded(db) == []


def test_comment_posts_the_context_as_a_private_comment_on_the_post(metaculus, db, cli):
    assert cli("submit", "metaculus", "--run", "run-1", "--comment").exit_code == 0
    assert [c["on_post"] for c in metaculus.comments] == [101, 103]
    first = metaculus.comments[0]
    assert first["is_private"] is True and first["included_forecast"] is True
    assert first["text"].startswith("Forecast 0.000: mean of 2 agent(s) (agent-0 0.200, agent-1 0.400).")


def test_a_refused_token_posts_nothing_and_exits_non_zero(metaculus, db, cli):
    metaculus.token = "rotated"
    result = cli("submit", "metaculus", "--run", "run-1")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: metaculus: the token was refused (HTTP 401 on POST /api/questions/forecast/); check "
        "feeds.metaculus.token; 0 post(s) made before it"]
    assert metaculus.forecasts == {} and recorded(db) == []


def test_no_token_is_refused_before_any_request(metaculus, db, cli, monkeypatch):
    monkeypatch.delenv("FORECASTER_FEEDS__METACULUS__TOKEN")
    result = cli("submit", "metaculus", "--run", "run-1")
    assert result.exit_code == 2 and "metaculus: no token set" in result.output
    assert metaculus.requests == []


def test_a_question_the_platform_stays_down_for_is_recorded_and_the_rest_go_on(metaculus, db, cli):
    metaculus.fail("POST", "/api/questions/forecast/", 503, times=3)  # every attempt of the first question
    result = cli("submit", "metaculus", "--run", "run-1")
    assert result.exit_code == 1
    assert "metaculus-1001: forecast not submitted: metaculus: POST /api/questions/forecast/ answered HTTP 503" \
        in result.output
    assert metaculus.forecasts == {1003: [0.7]}
    assert [(r.question_id, r.status) for r in recorded(db)] == [("metaculus-1001", "failed"),
                                                                  ("metaculus-1003", "accepted")]
    assert cli("submit", "metaculus", "--run", "run-1").exit_code == 0  # the next submit posts only what failed
    assert metaculus.forecasts == {1001: [0.001], 1003: [0.7]}


def test_a_body_the_platform_refuses_is_recorded_with_its_answer(metaculus, db, cli):
    metaculus.posts[103]["question"]["type"] = "multiple_choice"  # a yes/no answer to a multiple-choice question
    metaculus.posts[103]["question"]["options"] = ["a", "b"]
    result = cli("submit", "metaculus", "--run", "run-1")
    assert result.exit_code == 1
    [_, row] = recorded(db)
    assert row.status == "refused" and "HTTP 400" in row.error
    assert row.answer == {"probability_yes_per_category": ["probability_yes_per_category must give every option."]}


def test_429_on_a_post_waits_and_goes_on(metaculus, db, cli):
    metaculus.fail("POST", "/api/questions/forecast/", 429, headers={"Retry-After": "1"})
    assert cli("submit", "metaculus", "--run", "run-1").exit_code == 0
    assert metaculus.forecasts == {1001: [0.001], 1003: [0.7]}


def test_an_unknown_run_is_a_clear_error(metaculus, db, cli):
    result = cli("submit", "metaculus", "--run", "run-nope")
    assert result.exit_code == 2 and "run: 'run-nope' not found" in result.output


def test_the_token_reaches_neither_the_database_nor_the_log(metaculus, db, cli, data_dir):
    metaculus.fail("POST", "/api/questions/forecast/", 503, times=3)
    cli("-v", "submit", "metaculus", "--run", "run-1", "--comment")
    for path in [*data_dir.glob("forecaster.db*"), *data_dir.rglob("*.log")]:
        assert metaculus.token.encode() not in path.read_bytes(), path


def test_the_log_redaction_covers_the_metaculus_token(metaculus, feed_settings, data_dir):
    import logging

    from forecaster.logging_setup import configure_logging, secret_values

    assert metaculus.token in secret_values(feed_settings)
    configure_logging(feed_settings)
    logging.getLogger("forecaster.feeds").warning("header was Token %s", metaculus.token)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "baseFilename", None):  # console handlers of earlier in-process commands are closed
            handler.flush()
    text = feed_settings.log_file.read_text()
    assert "header was Token **********" in text and metaculus.token not in text
