"""Resolutions, market probabilities and scores tables in a real SQLite file."""

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from forecaster.errors import InputError
from forecaster.scoring.resolutions import MarketProbability, Resolution
from forecaster.scoring.bootstrap import Interval
from forecaster.scoring.scores import ScoreRow
from forecaster.scoring.store import ScoringStore

from tests.shared_data import DEV_FILE, dev_market_probabilities, dev_records


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_importing_the_dev_file_records_outcomes_and_market_probabilities(tmp_path):
    path = tmp_path / "store" / "forecaster.db"
    records = {r["id"]: r for r in dev_records()}
    n_markets = len(dev_market_probabilities())
    assert ScoringStore(path).import_file(DEV_FILE) == (len(records), n_markets)
    # Read back through a fresh connection: it is on disk.
    assert count(path, "resolutions") == len(records) and count(path, "market_probabilities") == n_markets
    stored = ScoringStore(path).resolutions()
    assert {q: r.outcome for q, r in stored.items()} == {q: r["outcome"] for q, r in records.items()}
    assert {r.source for r in stored.values()} == {f"file:{DEV_FILE.name}"}
    market = ScoringStore(path).market_probabilities()
    assert market == {q: r["market_probability"] for q, r in records.items() if r["market_probability"] is not None}


def test_a_bad_file_writes_nothing(tmp_path):
    path = tmp_path / "forecaster.db"
    store = ScoringStore(path)
    store.save([Resolution("kept", 1, date(2024, 1, 1), "cli")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"id": "new", "outcome": "yes", "resolution_date": "2024-08-01"}) + "\n"
        + json.dumps({"id": "kept", "outcome": "later", "resolution_date": "2024-08-01"}) + "\n"
    )
    with pytest.raises(InputError, match="bad.jsonl:2: field 'outcome'"):
        store.import_file(bad)
    assert list(ScoringStore(path).resolutions()) == ["kept"]
    assert ScoringStore(path).resolutions()["kept"].outcome == 1


def test_resolving_again_replaces_the_earlier_resolution(tmp_path):
    store = ScoringStore(tmp_path / "forecaster.db")
    store.save([Resolution("q", 1, date(2024, 1, 1), "cli")])
    store.save([Resolution("q", 0, date(2024, 1, 5), "file:fix.jsonl")])
    assert store.resolutions()["q"] == Resolution("q", 0, date(2024, 1, 5), "file:fix.jsonl")


def test_market_probability_is_the_latest_on_or_before_the_date_asked(tmp_path):
    store = ScoringStore(tmp_path / "forecaster.db")
    store.save([], [
        MarketProbability("q", 0.3, date(2024, 7, 1)),
        MarketProbability("q", 0.6, date(2024, 7, 20)),
    ])
    assert store.market_probabilities() == {"q": 0.6}
    assert store.market_probabilities(as_of=date(2024, 7, 10)) == {"q": 0.3}
    assert store.market_probabilities(as_of=date(2024, 6, 1)) == {}


def test_a_write_that_fails_half_way_leaves_nothing(tmp_path):
    store = ScoringStore(tmp_path / "forecaster.db")
    good = Resolution("good", 1, date(2024, 1, 1), "cli")
    broken = Resolution("broken", 2, date(2024, 1, 1), "cli")  # the table's CHECK refuses outcome 2
    with pytest.raises(sqlite3.IntegrityError):
        store.save([good, broken])
    assert store.resolutions() == {}


def score_row(name: str, brier: float) -> ScoreRow:
    return ScoreRow("all", "agent", name, 10, brier, Interval(brier / 2, brier * 2), 0.6, Interval(0.5, 0.7),
                    0.01, 0.02, 0.25, 0.03, 0.04, 0.69)


def test_scores_round_trip_and_a_rerun_replaces_them(tmp_path):
    path = tmp_path / "forecaster.db"
    table = [score_row("a", 0.2), score_row("b", 0.3), score_row("mean", 0.25)]
    assert ScoringStore(path).save_scores("dev-run", table) == 3
    assert ScoringStore(path).scores("dev-run") == table
    ScoringStore(path).save_scores("dev-run", table[:1])
    assert ScoringStore(path).scores("dev-run") == table[:1]
    assert ScoringStore(path).scores("other-run") == []


# The three tables as `ensure_tables` and `ensure_table` created them before ScoringStore, with a few rows.
OLD_TABLES = """
CREATE TABLE resolutions (question_id TEXT PRIMARY KEY, outcome INTEGER NOT NULL CHECK (outcome IN (0, 1)),
    resolution_date TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE market_probabilities (question_id TEXT NOT NULL,
    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1), as_of TEXT NOT NULL,
    PRIMARY KEY (question_id, as_of));
CREATE TABLE scores (evaluation_id TEXT NOT NULL, scope TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    n INTEGER NOT NULL, brier REAL NOT NULL, brier_ci_low REAL NOT NULL, brier_ci_high REAL NOT NULL,
    log REAL NOT NULL, log_ci_low REAL NOT NULL, log_ci_high REAL NOT NULL, brier_reliability REAL NOT NULL,
    brier_resolution REAL NOT NULL, brier_uncertainty REAL NOT NULL, log_reliability REAL NOT NULL,
    log_resolution REAL NOT NULL, log_uncertainty REAL NOT NULL, PRIMARY KEY (evaluation_id, scope, name));
INSERT INTO resolutions VALUES ('q1', 1, '2024-08-01', 'cli'), ('q2', 0, '2024-09-01', 'file:dev.jsonl');
INSERT INTO market_probabilities VALUES ('q1', 0.3, '2024-07-01'), ('q1', 0.6, '2024-07-20');
INSERT INTO scores VALUES ('old-run', 'all', 'agent', 'a', 10, 0.2, 0.1, 0.4, 0.6, 0.5, 0.7,
    0.01, 0.02, 0.25, 0.03, 0.04, 0.69);
"""


def test_a_database_written_before_the_store_opens_and_reads_back(tmp_path):
    path = tmp_path / "forecaster.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TABLES)
    store = ScoringStore(path)
    assert store.resolutions() == {"q1": Resolution("q1", 1, date(2024, 8, 1), "cli"),
                                   "q2": Resolution("q2", 0, date(2024, 9, 1), "file:dev.jsonl")}
    assert store.market_probabilities() == {"q1": 0.6}
    assert store.scores("old-run") == [score_row("a", 0.2)]
