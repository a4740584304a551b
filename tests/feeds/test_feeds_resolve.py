"""`forecaster resolve --from PLATFORM`: stored questions read back, yes/no recorded, annulled ones void."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from forecaster.scoring.resolutions import Resolution, Void
from forecaster.scoring.store import ScoringStore
from tests.feeds.stored import store_run


def outcomes(db):
    with ScoringStore(db) as store:
        return ({q: (r.outcome, r.resolution_date.isoformat(), r.source) for q, r in store.resolutions().items()},
                {q: v.reason for q, v in store.voids().items()})


@pytest.fixture
def metaculus_db(metaculus, data_dir):
    db = data_dir / "forecaster.db"
    store_run(db, "run-1", {f"metaculus-{q}": ("metaculus", str(q), str(q - 900), 0.5) for q in (1001, 1002, 1003)})
    return db


def test_metaculus_yes_and_no_are_recorded_and_open_questions_left(metaculus, metaculus_db, cli):
    metaculus.resolve(101, "yes")
    metaculus.resolve(102, "no", when="2027-07-02T00:00:00Z")
    result = cli("resolve", "--from", "metaculus")
    assert result.exit_code == 0, result.output
    assert "checked 3 question(s): 2 resolved, 0 void (never scored), 1 still open" in result.output
    assert outcomes(metaculus_db) == ({"metaculus-1001": (1, "2027-07-01", "metaculus"),
                                       "metaculus-1002": (0, "2027-07-02", "metaculus")}, {})
    assert {r.path for r in metaculus.requests} == {"/api/posts/101/", "/api/posts/102/", "/api/posts/103/"}


@pytest.mark.parametrize("resolution", ["annulled", "ambiguous"])
def test_metaculus_annulled_and_ambiguous_are_void(metaculus, metaculus_db, cli, resolution):
    metaculus.resolve(101, resolution)
    assert cli("resolve", "--from", "metaculus").exit_code == 0
    assert outcomes(metaculus_db) == ({}, {"metaculus-1001": resolution})


def test_a_platform_down_for_one_question_leaves_it_for_next_time(metaculus, metaculus_db, cli):
    metaculus.resolve(101, "yes")
    metaculus.resolve(102, "yes")
    metaculus.fail("GET", "/api/posts/101/", 500, times=3)
    result = cli("resolve", "--from", "metaculus")
    assert result.exit_code == 0, result.output
    assert "1 not reachable" in result.output
    assert list(outcomes(metaculus_db)[0]) == ["metaculus-1002"]


def test_a_malformed_answer_records_nothing(metaculus, metaculus_db, cli):
    metaculus.resolve(101, "yes")
    metaculus.fail("GET", "/api/posts/102/", 200, '{"id": 102}')
    result = cli("resolve", "--from", "metaculus")
    assert result.exit_code == 2
    assert "error: metaculus: GET /posts/102/ lacks field 'question'" in result.output
    assert outcomes(metaculus_db) == ({}, {})


def test_no_stored_questions_from_the_platform_is_a_clear_error(manifold, data_dir, cli):
    result = cli("resolve", "--from", "manifold")
    assert result.exit_code == 2 and "no stored questions from manifold" in result.output


@pytest.mark.parametrize("resolution,expected", [("YES", (1, None)), ("NO", (0, None)), ("MKT", (None, "MKT")),
                                                 ("CANCEL", (None, "CANCEL"))])
def test_manifold_resolutions(manifold, data_dir, cli, resolution, expected):
    db = data_dir / "forecaster.db"
    store_run(db, "run-1", {"manifold-m1": ("manifold", "m1", "", 0.4)})
    manifold.resolve("m1", resolution)
    assert cli("resolve", "--from", "manifold").exit_code == 0
    resolved, voids = outcomes(db)
    outcome, void = expected
    assert (resolved["manifold-m1"][0] if resolved else None, voids.get("manifold-m1")) == (outcome, void)


@pytest.mark.parametrize("price,outcome", [("1", 1), ("0", 0)])
def test_polymarket_resolutions_read_the_final_yes_price(polymarket, data_dir, cli, price, outcome):
    db = data_dir / "forecaster.db"
    store_run(db, "run-1", {"polymarket-8": ("polymarket", "8", "", 0.2)})
    polymarket.resolve("8", price)
    assert cli("resolve", "--from", "polymarket").exit_code == 0
    assert outcomes(db) == ({"polymarket-8": (outcome, "2027-04-01", "polymarket")}, {})


def test_a_void_replaces_an_earlier_resolution_and_is_never_returned_for_scoring(tmp_path):
    with ScoringStore(tmp_path / "f.db") as store:
        store.save([Resolution("q-1", 1, dt.date(2027, 1, 1), "cli")])
        store.save([], voids=[Void("q-1", "annulled", dt.date(2027, 1, 2), "metaculus")])
        assert store.resolutions() == {} and list(store.voids()) == ["q-1"]
        store.save([Resolution("q-1", 0, dt.date(2027, 1, 3), "cli")])  # a correction the other way
        assert list(store.resolutions()) == ["q-1"] and store.voids() == {}


def test_a_database_from_before_voids_opens_and_keeps_its_resolutions(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE resolutions (question_id TEXT PRIMARY KEY, outcome INTEGER NOT NULL CHECK "
                     "(outcome IN (0, 1)), resolution_date TEXT NOT NULL, source TEXT NOT NULL)")
        conn.execute("INSERT INTO resolutions VALUES ('q-old', 1, '2026-01-01', 'cli')")
    with ScoringStore(db) as store:
        store.save([], voids=[Void("q-new", "CANCEL", dt.date(2027, 1, 2), "manifold")])
        assert list(store.resolutions()) == ["q-old"] and list(store.voids()) == ["q-new"]


def test_scoring_leaves_a_void_question_out(metaculus, metaculus_db, cli):
    from forecaster.events.questions import Question
    from forecaster.learning.evaluation_rows import split_resolved

    metaculus.resolve(101, "annulled")
    metaculus.resolve(102, "yes")
    assert cli("resolve", "--from", "metaculus").exit_code == 0
    questions = [Question(f"metaculus-{q}", "?", forecast_date=dt.date(2026, 12, 1)) for q in (1001, 1002)]
    with ScoringStore(metaculus_db) as store:
        split = split_resolved(questions, store.resolutions())
    assert [q.id for q in split.resolved] == ["metaculus-1002"] and split.unresolved == ["metaculus-1001"]
