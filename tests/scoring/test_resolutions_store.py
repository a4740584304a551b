"""Resolutions and market probabilities in a real SQLite file."""

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from forecaster.db import open_database
from forecaster.errors import InputError
from forecaster.resolutions import MarketProbability, Resolution
from forecaster.resolutions_store import import_file, load_market_probabilities, load_resolutions, save

from tests.shared_data import DEV_FILE, dev_market_probabilities, dev_records


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_importing_the_dev_file_records_outcomes_and_market_probabilities(tmp_path):
    path = tmp_path / "store" / "forecaster.db"
    records = {r["id"]: r for r in dev_records()}
    n_markets = len(dev_market_probabilities())
    assert import_file(open_database(path), DEV_FILE) == (len(records), n_markets)
    # Read back through a fresh connection: it is on disk.
    assert count(path, "resolutions") == len(records) and count(path, "market_probabilities") == n_markets
    stored = load_resolutions(open_database(path))
    assert {q: r.outcome for q, r in stored.items()} == {q: r["outcome"] for q, r in records.items()}
    assert {r.source for r in stored.values()} == {f"file:{DEV_FILE.name}"}
    market = load_market_probabilities(open_database(path))
    assert market == {q: r["market_probability"] for q, r in records.items() if r["market_probability"] is not None}


def test_a_bad_file_writes_nothing(tmp_path):
    path = tmp_path / "forecaster.db"
    db = open_database(path)
    save(db, [Resolution("kept", 1, date(2024, 1, 1), "cli")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"id": "new", "outcome": "yes", "resolution_date": "2024-08-01"}) + "\n"
        + json.dumps({"id": "kept", "outcome": "later", "resolution_date": "2024-08-01"}) + "\n"
    )
    with pytest.raises(InputError, match="bad.jsonl:2: field 'outcome'"):
        import_file(db, bad)
    assert list(load_resolutions(open_database(path))) == ["kept"]
    assert load_resolutions(open_database(path))["kept"].outcome == 1


def test_resolving_again_replaces_the_earlier_resolution(tmp_path):
    db = open_database(tmp_path / "forecaster.db")
    save(db, [Resolution("q", 1, date(2024, 1, 1), "cli")])
    save(db, [Resolution("q", 0, date(2024, 1, 5), "file:fix.jsonl")])
    assert load_resolutions(db)["q"] == Resolution("q", 0, date(2024, 1, 5), "file:fix.jsonl")


def test_market_probability_is_the_latest_on_or_before_the_date_asked(tmp_path):
    db = open_database(tmp_path / "forecaster.db")
    save(db, [], [
        MarketProbability("q", 0.3, date(2024, 7, 1)),
        MarketProbability("q", 0.6, date(2024, 7, 20)),
    ])
    assert load_market_probabilities(db) == {"q": 0.6}
    assert load_market_probabilities(db, as_of=date(2024, 7, 10)) == {"q": 0.3}
    assert load_market_probabilities(db, as_of=date(2024, 6, 1)) == {}


def test_a_write_that_fails_half_way_leaves_nothing(tmp_path):
    db = open_database(tmp_path / "forecaster.db")
    good = Resolution("good", 1, date(2024, 1, 1), "cli")
    broken = Resolution("broken", 2, date(2024, 1, 1), "cli")  # the table's CHECK refuses outcome 2
    with pytest.raises(sqlite3.IntegrityError):
        save(db, [good, broken])
    assert load_resolutions(db) == {}
