"""Users' databases keep working: one written by an earlier main is upgraded in place when opened."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from forecaster.events.agents import ForecastFailure
from forecaster.events.questions import Question
from forecaster.events.store import ForecastStore, QuestionResult

OLD_DUMP = Path(__file__).parent / "data" / "store-before-failures.sql"


@pytest.fixture
def old_database(tmp_path) -> Path:
    path = tmp_path / "forecaster.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_DUMP.read_text())
    return path


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_opening_an_old_database_adds_the_failures_table_and_keeps_its_rows(old_database):
    assert "question_failures" not in tables(old_database)
    with sqlite3.connect(old_database) as db:
        before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("runs", "questions", "agent_forecasts", "ensemble_forecasts", "question_context")}
    store = ForecastStore(old_database)
    assert "question_failures" in tables(old_database)
    for table, count in before.items():
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count
    (qid,) = [r["id"] for r in store.db.query("SELECT id FROM questions ORDER BY id LIMIT 1")]
    assert store.ensemble_history(qid)
    assert [r["context_cut"] for r in store.agent_history(qid)] == [[]] * len(store.agent_history(qid))


def test_an_upgraded_database_records_a_failed_question_beside_the_old_runs(old_database):
    store = ForecastStore(old_database)
    store.start_run("run-new", None, "mean", ["sceptic"])
    question = Question("q-new", "Will the upgrade work by 2027-01-01?", dt.date(2027, 1, 1))
    failure = ForecastFailure("q-new", "sceptic", "prompt of 9152 tokens does not fit the model's context")
    store.save_question("run-new", QuestionResult(question, dt.date(2026, 12, 1), (), None, failures=(failure,)))
    store.finish_run("run-new", "failed")
    assert store.failures("q-new") == {"run-new": [{"agent": "sceptic", "reason": failure.reason}]}
    assert store.run("run-new")["status"] == "failed"
    assert store.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 2
