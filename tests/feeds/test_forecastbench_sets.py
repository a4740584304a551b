"""Reading ForecastBench's published question and resolution sets (the real files in shared/data/forecastbench)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

from forecaster.errors import InputError
from forecaster.feeds.forecastbench import (
    DATASET_SOURCES, MARKET_SOURCES, read_question_set, read_resolution_set)
from tests.shared_data import FORECASTBENCH_DIR

SET_FILES = sorted(FORECASTBENCH_DIR.glob("*-llm.json"))
RESOLUTION_FILES = sorted(FORECASTBENCH_DIR.glob("*_resolution_set.json"))
ROUND = FORECASTBENCH_DIR / "2025-10-26-llm.json"


def _raw(path) -> dict:
    return json.loads(path.read_text())


def test_the_shared_data_holds_published_rounds():
    assert SET_FILES and len(RESOLUTION_FILES) == len(SET_FILES)


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_a_set_gives_one_forecast_per_market_question_and_per_dataset_question_and_date(path):
    raw = _raw(path)
    expected = sum(1 if q["source"] in MARKET_SOURCES else len(q["resolution_dates"]) for q in raw["questions"])
    parsed = read_question_set(path)
    assert len(parsed.questions) == expected
    assert parsed.name == raw["question_set"]
    assert parsed.due_date == date.fromisoformat(raw["forecast_due_date"])


def test_market_questions_have_no_resolution_date_and_carry_the_crowd_forecast():
    raw = {q["id"]: q for q in _raw(ROUND)["questions"] if q["source"] in MARKET_SOURCES}
    markets = [q for q in read_question_set(ROUND).questions if q.is_market]
    assert len(markets) == len(raw)
    for question in markets:
        assert question.resolution_date is None and question.horizon_days is None
        assert question.freeze_value == float(raw[question.id]["freeze_datetime_value"])


def test_dataset_questions_have_their_dates_filled_in():
    parsed = read_question_set(ROUND)
    datasets = [q for q in parsed.questions if q.source in DATASET_SOURCES]
    assert datasets
    for question in datasets:
        assert "{resolution_date}" not in question.text and "{forecast_due_date}" not in question.text
        assert question.resolution_date == parsed.due_date + timedelta(days=question.horizon_days)
    fred = next(q for q in datasets if q.source == "fred")
    assert fred.resolution_date.isoformat() in fred.text and parsed.due_date.isoformat() in fred.text


def test_metaculus_criteria_come_from_the_market_info():
    raw = {q["id"]: q for q in _raw(ROUND)["questions"] if q["source"] == "metaculus"
           and q["market_info_resolution_criteria"] != "N/A"}
    parsed = {q.id: q for q in read_question_set(ROUND).questions if q.source == "metaculus"}
    some_id = next(iter(raw))
    assert parsed[some_id].resolution_criteria == raw[some_id]["market_info_resolution_criteria"].strip()


def test_not_applicable_fields_are_absent():
    market = next(q for q in read_question_set(ROUND).questions if q.source == "manifold")
    assert "N/A" not in (market.background, market.resolution_criteria, market.url)


def test_combination_questions_are_skipped_and_counted(tmp_path):
    raw = _raw(ROUND)
    raw["questions"] = raw["questions"][:3] + [dict(raw["questions"][0], id=["a", "b"])]
    path = tmp_path / "old-llm.json"
    path.write_text(json.dumps(raw))
    parsed = read_question_set(path)
    assert parsed.skipped_combinations == 1 and len(parsed.questions) == 3


@pytest.mark.parametrize("path", RESOLUTION_FILES, ids=lambda p: p.name)
def test_a_resolution_set_gives_every_row(path):
    raw = _raw(path)
    parsed = read_resolution_set(path)
    assert len(parsed.resolutions) == len(raw["resolutions"])
    assert parsed.question_set == raw["question_set"]
    unresolved_markets = [r for r in parsed.resolutions if r.is_market and not r.resolved]
    assert all(0 <= r.resolved_to <= 1 and not r.void for r in unresolved_markets)


def test_a_dataset_row_without_a_value_is_void(tmp_path):
    raw = _raw(FORECASTBENCH_DIR / "2025-10-26_resolution_set.json")
    row = next(r for r in raw["resolutions"] if r["source"] == "fred")
    raw["resolutions"] = [dict(row, resolved_to=None), dict(row, resolved=False), row]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(raw))
    rows = read_resolution_set(path).resolutions
    assert math.isnan(rows[0].resolved_to)
    assert [r.void for r in rows] == [True, True, False]


def _broken(tmp_path, index: int, **fields) -> str:
    raw = _raw(ROUND)
    raw["questions"] = raw["questions"][:index + 1]
    raw["questions"][index].update(fields)
    path = tmp_path / "broken-llm.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(InputError) as error:
        read_question_set(path)
    return str(error.value)


def test_an_unknown_source_is_refused_naming_file_question_and_field(tmp_path):
    message = _broken(tmp_path, 1, source="kalshi")
    assert "broken-llm.json" in message and "question #2" in message and "'source'" in message


def test_a_freeze_value_that_is_not_a_number_is_refused(tmp_path):
    message = _broken(tmp_path, 0, freeze_datetime_value="high")
    assert "question #1" in message and "'freeze_datetime_value'" in message


def test_a_dataset_question_without_dates_is_refused(tmp_path):
    index = next(i for i, q in enumerate(_raw(ROUND)["questions"]) if q["source"] == "fred")
    message = _broken(tmp_path, index, resolution_dates="N/A")
    assert f"question #{index + 1}" in message and "'resolution_dates'" in message


def test_a_file_without_the_top_level_keys_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"questions": []}))
    with pytest.raises(InputError, match="forecast_due_date"):
        read_question_set(path)


def test_a_dataset_freeze_value_given_as_text_is_kept_as_text():
    raw = next(q for q in _raw(ROUND)["questions"] if q["source"] == "wikipedia"
               and not q["freeze_datetime_value"].replace(".", "").isdigit())
    parsed = next(q for q in read_question_set(ROUND).questions if q.id == raw["id"])
    assert parsed.freeze_value is None and parsed.freeze_text == raw["freeze_datetime_value"]


def test_a_market_freeze_value_outside_zero_one_is_refused(tmp_path):
    message = _broken(tmp_path, 0, freeze_datetime_value="1.5")
    assert "question #1" in message and "'freeze_datetime_value'" in message
