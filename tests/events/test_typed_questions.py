"""The questions door for types other than yes/no: every type's fields read, a field that does not fit refused
with question and field named, and the typed fields carried wherever a question travels."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from forecaster.errors import InputError
from forecaster.events.sharding import question_records
from forecaster.events.store import ForecastStore
from forecaster.events.typed_store import question_from_row
from forecaster.question_files import load_all_questions, load_questions

MC = {"id": "mc-1", "question": "Which party wins?", "type": "multiple_choice", "options": ["Red", "Blue", "Green"]}
NUMERIC = {"id": "num-1", "question": "How many?", "type": "numeric", "range_min": 1, "range_max": 1000,
           "zero_point": 0, "open_upper_bound": True, "unit": "launches"}
DATE = {"id": "date-1", "question": "When?", "type": "date", "range_min": "2027-01-01", "range_max": "2028-01-01"}


def jsonl(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def refused(tmp_path: Path, record: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_questions(jsonl(tmp_path, record))


def test_a_multiple_choice_question_keeps_its_options_in_order(tmp_path):
    [q] = load_questions(jsonl(tmp_path, MC))
    assert (q.type, q.options) == ("multiple_choice", ("Red", "Blue", "Green"))


def test_a_numeric_question_keeps_its_range_bounds_scale_and_unit(tmp_path):
    [q] = load_questions(jsonl(tmp_path, NUMERIC))
    assert (q.range_min, q.range_max, q.zero_point, q.open_lower_bound, q.open_upper_bound, q.unit,
            q.outcome_count) == (1.0, 1000.0, 0.0, False, True, "launches", 200)


def test_a_date_range_is_kept_in_unix_seconds(tmp_path):
    [q] = load_questions(jsonl(tmp_path, DATE))
    assert q.range_min == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc).timestamp()


def test_a_question_without_a_type_is_binary(tmp_path):
    [q] = load_questions(jsonl(tmp_path, {"id": "b", "question": "Will it?"}))
    assert (q.type, q.options) == ("binary", ())


def test_an_unknown_type_is_refused(tmp_path):
    refused(tmp_path, {**MC, "type": "ranking"}, r"q\.jsonl:1: question 'mc-1' field 'type' must be one of")


def test_multiple_choice_needs_two_distinct_options(tmp_path):
    refused(tmp_path, {**MC, "options": ["Red", "Red"]}, r"question 'mc-1' field 'options' must be a list of 2 to 26")


def test_a_range_on_a_multiple_choice_question_is_refused(tmp_path):
    refused(tmp_path, {**MC, "range_min": 3}, r"question 'mc-1' field 'range_min' does not apply to a multiple_choice")


def test_options_on_a_yes_no_question_are_refused(tmp_path):
    refused(tmp_path, {"id": "b", "question": "Will it?", "options": ["a", "b"]},
            r"question 'b' field 'options' does not apply to a binary question")


def test_a_crowd_probability_on_a_numeric_question_is_refused(tmp_path):
    refused(tmp_path, {**NUMERIC, "market_probability": 0.4}, r"field 'market_probability' does not apply")


def test_a_numeric_range_must_rise(tmp_path):
    refused(tmp_path, {**NUMERIC, "range_max": 1}, r"question 'num-1' field 'range_max' \(1\.0\) must be above")


def test_a_zero_point_inside_the_range_is_refused(tmp_path):
    refused(tmp_path, {**NUMERIC, "zero_point": 5}, r"question 'num-1' field 'zero_point' \(5\.0\) must lie outside")


def test_a_discrete_question_needs_its_outcome_count(tmp_path):
    refused(tmp_path, {**NUMERIC, "type": "discrete"}, r"field 'outcome_count' is required for a discrete question")


def test_a_date_bound_that_is_not_a_date_is_refused(tmp_path):
    refused(tmp_path, {**DATE, "range_max": "next year"}, r"question 'date-1' field 'range_max' must be a date")


def test_an_open_bound_must_be_true_or_false(tmp_path):
    refused(tmp_path, {**NUMERIC, "open_lower_bound": "yes"}, r"field 'open_lower_bound' must be true or false")


def test_shard_records_carry_every_typed_field(tmp_path):
    questions = load_questions(jsonl(tmp_path, MC, NUMERIC, DATE))
    assert load_all_questions(None, question_records(questions)) == questions


def test_the_store_gives_back_the_typed_question_it_was_given(tmp_path):
    from forecaster.events.store import QuestionResult

    questions = load_questions(jsonl(tmp_path, MC, NUMERIC, DATE))
    with ForecastStore(tmp_path / "f.db") as store:
        store.start_run("r1", None, "mean", [])
        for q in questions:
            store.save_question("r1", QuestionResult(q, dt.date(2026, 12, 1), (), None))
        assert [question_from_row(store.question(q.id)) for q in questions] == questions


def test_the_example_file_of_every_type_loads():
    from forecaster.settings import PROJECT_ROOT

    loaded = load_questions(PROJECT_ROOT / "examples" / "typed_questions.yaml")
    assert [q.type for q in loaded] == ["multiple_choice", "numeric", "discrete", "date", "numeric"]
