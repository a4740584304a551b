"""Reading a resolutions file: every broken rule is named with file, line and field."""

import json
from datetime import date
from pathlib import Path

import pytest

from forecaster.errors import InputError
from forecaster.scoring.resolutions import read_resolutions_file
from tests.shared_data import DEV_FILE, dev_records



def write(tmp_path, lines) -> Path:
    path = tmp_path / "resolutions.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_a_valid_file_gives_one_resolution_per_line(tmp_path):
    path = write(tmp_path, [
        {"id": "a", "outcome": "yes", "resolution_date": "2024-08-01"},
        "",
        {"id": "b", "outcome": 0, "resolution_date": "2024-08-02", "extra": "ignored"},
        {"id": "c", "outcome": "NO", "resolution_date": "2024-08-03T12:00:00Z"},
    ])
    parsed = read_resolutions_file(path)
    assert [(r.question_id, r.outcome, r.resolution_date) for r in parsed.resolutions] == [
        ("a", 1, date(2024, 8, 1)), ("b", 0, date(2024, 8, 2)), ("c", 0, date(2024, 8, 3))
    ]
    assert {r.source for r in parsed.resolutions} == {"file:resolutions.jsonl"}
    assert parsed.market_probabilities == []


@pytest.mark.parametrize(
    "record, message",
    [
        ({"id": "a", "outcome": "maybe", "resolution_date": "2024-08-01"},
         r":1: field 'outcome' must be \"yes\", \"no\", 1 or 0 \(got \"maybe\"\)"),
        ({"id": "a", "outcome": True, "resolution_date": "2024-08-01"}, r":1: field 'outcome' must be"),
        ({"id": "a", "outcome": 1, "resolution_date": "01/08/2024"},
         r":1: field 'resolution_date' must be a date written YYYY-MM-DD"),
        ({"outcome": 1, "resolution_date": "2024-08-01"}, r":1: field 'id' is missing \(required\)"),
        ({"id": "", "outcome": 1, "resolution_date": "2024-08-01"}, r":1: field 'id' must be non-empty text"),
        ({"id": "a", "outcome": 1}, r":1: field 'resolution_date' is missing"),
        ({"id": "a", "outcome": 1, "resolution_date": "2024-08-01", "market_probability": 1.4,
          "forecast_date": "2024-07-21"}, r":1: field 'market_probability' must be a number in \[0, 1\]"),
        ({"id": "a", "outcome": 1, "resolution_date": "2024-08-01", "market_probability": 0.4},
         r":1: field 'forecast_date' is missing"),
        ("{not json", r":1: not valid JSON"),
        ("[1, 2]", r":1: must be a JSON object"),
    ],
)
def test_each_broken_rule_names_file_line_and_field(tmp_path, record, message):
    path = write(tmp_path, [record])
    with pytest.raises(InputError, match=str(path).replace(".", r"\.") + message):
        read_resolutions_file(path)


def test_every_bad_line_is_reported_not_only_the_first(tmp_path):
    path = write(tmp_path, [
        {"id": "a", "outcome": "yes", "resolution_date": "2024-08-01"},
        {"id": "b", "outcome": "perhaps", "resolution_date": "2024-08-01"},
        {"id": "c", "outcome": "no", "resolution_date": "soon"},
    ])
    with pytest.raises(InputError) as caught:
        read_resolutions_file(path)
    assert ":2: field 'outcome'" in str(caught.value) and ":3: field 'resolution_date'" in str(caught.value)


def test_a_repeated_id_is_an_error_naming_both_lines(tmp_path):
    path = write(tmp_path, [
        {"id": "a", "outcome": "yes", "resolution_date": "2024-08-01"},
        {"id": "a", "outcome": "no", "resolution_date": "2024-08-02"},
    ])
    with pytest.raises(InputError, match=r":2: field 'id' repeats 'a' from line 1"):
        read_resolutions_file(path)


def test_an_empty_file_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no resolutions in the file"):
        read_resolutions_file(write(tmp_path, [""]))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="nope.jsonl: resolutions file not found"):
        read_resolutions_file(tmp_path / "nope.jsonl")


def test_the_forecastbench_dev_file_gives_outcomes_and_market_probabilities():
    parsed = read_resolutions_file(DEV_FILE)
    records = dev_records()
    assert len(parsed.resolutions) == len(records)
    assert {r.question_id: r.outcome for r in parsed.resolutions} == {r["id"]: r["outcome"] for r in records}
    with_market = {r["id"]: r["market_probability"] for r in records if r["market_probability"] is not None}
    assert {m.question_id: m.probability for m in parsed.market_probabilities} == with_market
    assert {m.as_of for m in parsed.market_probabilities} == {date(2024, 7, 21)}


@pytest.mark.parametrize(
    "record, message",
    [
        ({"id": "../../x", "outcome": 1, "resolution_date": "2024-08-01"},
         r":1: field 'id' must not contain a path separator \(an id is 1 to 128 characters"),
        ({"id": "a b", "outcome": 1, "resolution_date": "2024-08-01"}, r":1: field 'id' must not contain ' '"),
        ({"id": "a", "outcome": 1, "resolution_date": "2024-07-01", "market_probability": 0.5,
          "forecast_date": "2024-07-21"},
         r":1: field 'resolution_date' \(2024-07-01\) is before field 'forecast_date' \(2024-07-21\)"),
        ('{"id": "a", "outcome": ' + "1" * 5000 + "}", r":1: not valid JSON \(Exceeds the limit"),
        ("[" * 100000, r":1: not valid JSON \(nested too deeply\)"),
    ],
)
def test_ids_date_order_and_unparseable_lines_are_named_too(tmp_path, record, message):
    path = write(tmp_path, [record])
    with pytest.raises(InputError, match=str(path).replace(".", r"\.") + message):
        read_resolutions_file(path)


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "resolutions.jsonl"
    path.write_bytes(b'{"id": "a", "outcome": 1, "resolution_date": "2024-08-01"}\n{"id": "\xff"}\n')
    with pytest.raises(InputError, match=r"resolutions\.jsonl:2: not UTF-8 text \(byte 0xff"):
        read_resolutions_file(path)


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, [{"id": "a", "outcome": 1, "resolution_date": "2024-08-01"}])
    with pytest.raises(InputError, match=r"resolutions file is \d+ bytes, over the limit of 10 bytes"):
        read_resolutions_file(path, max_bytes=10)
