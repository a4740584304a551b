"""`forecaster resolve` through the real typer app on a temporary database."""

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from tests.shared_data import DEV_FILE, dev_market_probabilities, dev_records


@pytest.fixture
def run(tmp_path):
    data = tmp_path / "data"
    # Every variable the command may set is given here, so CliRunner restores them all afterwards.
    env = {
        "FORECASTER_DATA_DIR": str(data),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "TOKENIZERS_PARALLELISM": "false",
        "VLLM_CPU_OMP_THREADS_BIND": "nobind",
    }

    def invoke(*args: str):
        return CliRunner().invoke(app, ["resolve", *args], env=env)

    invoke.db = data / "forecaster.db"
    return invoke


def rows(db: Path, sql: str):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def resolutions_recorded(db: Path) -> int:
    """Rows in the resolutions table; 0 when neither the database nor the table exists."""
    if not db.exists() or not rows(db, "SELECT name FROM sqlite_master WHERE name = 'resolutions'"):
        return 0
    return rows(db, "SELECT count(*) FROM resolutions")[0][0]


def test_resolve_one_question_with_a_date(run):
    result = run("q-1", "yes", "--date", "2024-08-01")
    assert result.exit_code == 0, result.output
    assert "q-1 resolved yes on 2024-08-01" in result.output
    assert rows(run.db, "SELECT * FROM resolutions") == [("q-1", 1, "2024-08-01", "cli")]


def test_resolve_without_a_date_uses_today(run):
    # The command's "today" is the clock's; read before and after so a run across midnight passes too.
    before = date.today()
    assert run("q-2", "no").exit_code == 0
    after = date.today()
    [(outcome, day)] = rows(run.db, "SELECT outcome, resolution_date FROM resolutions")
    assert outcome == 0 and day in {before.isoformat(), after.isoformat()}


def test_an_unknown_outcome_is_refused_and_nothing_is_stored(run):
    result = run("q-3", "maybe")
    assert result.exit_code == 2
    assert 'OUTCOME must be "yes", "no", 1 or 0' in result.output
    assert resolutions_recorded(run.db) == 0


def test_a_bad_date_is_refused(run):
    result = run("q-4", "yes", "--date", "tomorrow")
    assert result.exit_code == 2
    assert "--date must be a date written YYYY-MM-DD" in result.output


def test_resolve_a_file_records_outcomes_and_market_probabilities(run):
    result = run("--file", str(DEV_FILE))
    assert result.exit_code == 0, result.output
    n_questions, n_markets = len(dev_records()), len(dev_market_probabilities())
    assert f"recorded {n_questions} resolutions and {n_markets} market probabilities" in result.output
    assert rows(run.db, "SELECT count(*) FROM resolutions") == [(n_questions,)]
    assert rows(run.db, "SELECT count(*) FROM market_probabilities") == [(n_markets,)]


def test_a_file_with_an_error_names_the_line_and_stores_nothing(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "outcome": "yes", "resolution_date": "2024-08-01"}\n{"id": "b"}\n')
    result = run("--file", str(bad))
    assert result.exit_code == 2
    assert "bad.jsonl:2: field 'outcome' is missing" in result.output
    assert resolutions_recorded(run.db) == 0


def test_file_and_question_together_are_refused(run):
    result = run("q-5", "yes", "--file", str(DEV_FILE))
    assert result.exit_code == 2
    assert "give no QUESTION_ID" in result.output


def test_nothing_to_resolve_is_refused(run):
    result = run()
    assert result.exit_code == 2
    assert "give QUESTION_ID and OUTCOME" in result.output


@pytest.mark.parametrize("question_id, problem", [(" ", "must not be empty"), ("../x", "must not contain a path")])
def test_a_question_id_outside_the_id_rule_is_refused_and_nothing_is_stored(run, question_id, problem):
    result = run(question_id, "yes")
    assert result.exit_code == 2
    assert f"QUESTION_ID {problem}" in result.output
    assert resolutions_recorded(run.db) == 0
