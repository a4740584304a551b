"""A ForecastBench question set through the questions door: one stored question per forecast to make."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from forecaster.errors import InputError
from forecaster.question_files import load_all_questions, load_questions
from forecaster.feeds.forecastbench import read_question_set
from forecaster.flow_parameters import default_as_of
from forecaster.names import id_problem
from forecaster.settings import QuestionSettings
from tests.feeds.round_files import question_set_path, set_slice

FULL_SET = question_set_path()


def test_the_door_gives_one_question_per_market_question_and_per_dataset_date():
    assert len(load_questions(FULL_SET)) == len(read_question_set(FULL_SET).questions)


def test_every_stored_id_meets_the_id_rule_and_is_unique():
    ids = [q.id for q in load_questions(FULL_SET)]
    assert all(id_problem(i) is None for i in ids) and len(set(ids)) == len(ids)


def test_a_question_keeps_its_platform_fields(tmp_path):
    path = set_slice(tmp_path, 1, 1)
    raw = json.loads(path.read_text())
    market, dataset = load_questions(path)[0], load_questions(path)[-1]
    assert market.external_id == raw["questions"][0]["id"] and market.question_set == raw["question_set"]
    assert market.market_probability == float(raw["questions"][0]["freeze_datetime_value"])
    assert market.resolution_date is None and market.forecast_date == dt.date.fromisoformat(raw["forecast_due_date"])
    assert dataset.external_id == raw["questions"][1]["id"] and dataset.market_probability is None
    assert dataset.resolution_date.isoformat() in dataset.id


def test_a_dataset_question_reads_its_latest_value_in_the_background(tmp_path):
    path = set_slice(tmp_path, 0, 1)
    raw = json.loads(path.read_text())["questions"][0]
    question = load_questions(path)[0]
    assert f"Latest value on {raw['freeze_datetime'][:10]}: {raw['freeze_datetime_value']}" in question.background


def test_the_door_caps_apply_to_a_set(tmp_path):
    path = set_slice(tmp_path, 1, 0)
    limit = len(json.loads(path.read_text())["questions"][0]["question"]) - 1
    with pytest.raises(InputError, match="max_text_chars"):
        load_all_questions(path, None, QuestionSettings(max_text_chars=limit))


def test_a_repeated_question_is_refused(tmp_path):
    path = set_slice(tmp_path, 1, 0)
    raw = json.loads(path.read_text())
    raw["questions"] *= 2
    path.write_text(json.dumps(raw))
    with pytest.raises(InputError, match="must be unique"):
        load_questions(path)


def test_the_as_of_defaults_to_the_sets_due_date(tmp_path):
    due = read_question_set(FULL_SET).due_date
    assert default_as_of(str(FULL_SET), due + dt.timedelta(days=300)) == due


def test_a_set_due_after_today_is_forecast_as_of_today():
    due = read_question_set(FULL_SET).due_date
    assert default_as_of(FULL_SET, due - dt.timedelta(days=3)) == due - dt.timedelta(days=3)


def test_another_questions_file_keeps_today_as_the_as_of(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "Will it rain?"}) + "\n")
    assert default_as_of(path, dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


def test_a_json_file_that_is_no_question_set_is_refused_clearly(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([{"question": "Will it rain?"}]))
    with pytest.raises(InputError, match="ForecastBench question set"):
        load_questions(path)


def test_combination_questions_are_skipped_with_one_line_saying_how_many(tmp_path, caplog):
    path = set_slice(tmp_path, 1, 0)
    raw = json.loads(path.read_text())
    raw["questions"] += [dict(raw["questions"][0], id=["a", "b"]), dict(raw["questions"][0], id=["c", "d"])]
    path.write_text(json.dumps(raw))
    with caplog.at_level("WARNING", logger="forecaster.feeds"):
        assert len(load_questions(path)) == 1
    assert [r.getMessage() for r in caplog.records if "combination" in r.getMessage()] == [
        f"{path}: 2 combination question(s) skipped (an id that is a list: not forecast here)"]
