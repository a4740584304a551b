"""The questions door: every rule a question record or file can break is refused with file, line and field named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from forecaster.errors import InputError
from forecaster.question_files import load_all_questions, load_questions
from forecaster.names import MAX_ID_LENGTH, file_stem
from forecaster.settings import QuestionSettings
from tests.shared_data import forecastbench_questions

FINE = {"id": "q-1", "question": "Will X happen by 2027-06-30?"}


def jsonl(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def refused(path: Path, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_questions(path)


def test_a_market_probability_above_one_is_refused(tmp_path):
    refused(jsonl(tmp_path, FINE, {"id": "q-2", "question": "B?", "market_probability": 1.7}),
            r"q\.jsonl:2: field 'market_probability' must be a number in \[0, 1\] \(got 1\.7\)")


def test_an_outcome_other_than_yes_no_1_or_0_is_refused(tmp_path):
    refused(jsonl(tmp_path, {**FINE, "outcome": "maybe"}),
            r"q\.jsonl:1: field 'outcome' must be \"yes\", \"no\", 1 or 0 \(got \"maybe\"\)")


def test_a_question_that_resolves_before_it_is_asked_is_refused(tmp_path):
    refused(jsonl(tmp_path, {**FINE, "forecast_date": "2024-07-21", "resolution_date": "2024-07-01"}),
            r"q\.jsonl:1: field 'resolution_date' \(2024-07-01\) is before field 'forecast_date' \(2024-07-21\)")


def test_an_empty_id_is_refused(tmp_path):
    refused(jsonl(tmp_path, {**FINE, "id": ""}), r"q\.jsonl:1: field 'id' must not be empty \(an id is 1 to 128")


@pytest.mark.parametrize("identifier", ["../../x", "/tmp/x", "a/b", "a\\b", "C:\\evil"])
def test_an_id_with_a_path_separator_is_refused(tmp_path, identifier):
    refused(jsonl(tmp_path, {**FINE, "id": identifier}), r"q\.jsonl:1: field 'id' must not contain a path separator")


@pytest.mark.parametrize("identifier, problem", [
    ("..", "must not contain '..'"),
    ("a..b", "must not contain '..'"),
    (".hidden", "must start with a letter or digit"),
    ("-rf", "must start with a letter or digit"),
    ("q\x00id", "must not contain NUL characters"),
    ("q\nid", r"must not contain '\\n'"),
    ("q id", "must not contain ' '"),
    ("ÿ", "must not contain 'ÿ'"),
    ("x" * (MAX_ID_LENGTH + 1), f"is {MAX_ID_LENGTH + 1} characters long"),
])
def test_an_id_outside_the_id_rule_is_refused_with_the_broken_part_named(tmp_path, identifier, problem):
    refused(jsonl(tmp_path, {**FINE, "id": identifier}), rf"q\.jsonl:1: field 'id' {problem}")


def test_ids_of_the_forecastbench_kinds_are_accepted(tmp_path):
    ids = ["TPkEjiNb1wVCIGFnPcDD", "17432", "0x2c1d8f33", "meteofrance_TEMPERATURE_celsius.07240.D", "x" * 128]
    path = jsonl(tmp_path, *({"id": i, "question": f"Q {i}?"} for i in ids))
    assert [q.id for q in load_questions(path)] == ids


def test_every_accepted_id_is_its_own_file_name_or_a_distinct_one(tmp_path):
    ids = ["a", "A", "a.b", "a_b", "a-b", "a-", "a_", "a.", "x" * 128, "x" * 127]
    assert len({file_stem(i) for i in ids}) == len(ids)
    assert all(file_stem(i) == i for i in ("a", "a.b", "a_b", "a-b"))


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_bytes(b'{"question": "A?"}\n{"question": "caf\xe9?"}\n')
    refused(path, r"q\.jsonl:2: not UTF-8 text \(byte 0xe9 at offset 36\); save the questions file as UTF-8")


def test_a_yaml_file_that_is_not_utf8_is_refused_the_same_way(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_bytes("- question: Caf\u00e9?\n".encode("latin-1"))
    refused(path, r"q\.yaml:1: not UTF-8 text")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FINE).encode() + b"\n")
    assert [q.id for q in load_questions(path)] == ["q-1"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = jsonl(tmp_path, FINE, {**FINE, "id": "q-2"})
    refused_at = path.stat().st_size - 1
    with pytest.raises(InputError, match=rf"q\.jsonl: questions file is {refused_at + 1} bytes, over the limit "
                                         rf"of {refused_at} bytes"):
        load_questions(path, max_bytes=refused_at)


def test_a_line_separator_inside_a_json_string_keeps_the_line_whole_and_the_numbering(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "A\u2028B?"}\n{"question": ""}\n', encoding="utf-8")
    refused(path, r"q\.jsonl:2: field 'question' is required")


@pytest.mark.parametrize("line, message", [
    ('{"question": "A?", "market_probability": ' + "9" * 5000 + "}", r":1: not valid JSON \(Exceeds the limit"),
    ("[" * 100000 + "]" * 100000, r":1: not valid JSON \(nested too deeply\)"),
    ('{"question": "A?", "background": "\\ud800"}', r":1: field 'background' must be valid Unicode text"),
    ('{"question": "A?\\u0000"}', r":1: field 'question' must not contain NUL characters"),
    ('{"question": "A?", "id": true}', r":1: field 'id' must be text, got bool"),
    ('{"question": "A?", "source": 1.5}', r":1: field 'source' must be text, got float"),
    ('{"question": "A?", "market_probability": NaN}', r":1: field 'market_probability' must be a number in \[0, 1\]"),
    ('{"question": "A?", "outcome": 1.0}', r":1: field 'outcome' must be"),
    ('{"question": "A?", "forecast_date": 20240721}', r":1: field 'forecast_date' must be a date YYYY-MM-DD"),
    ('{"question": "A?", "resolution_date": "2024-07-21garbage"}', r":1: field 'resolution_date' must be a date"),
    ('{"question": "A?", "outcome": ' + "[" * 900 + "]" * 900 + "}", r":1: field 'outcome' must be"),
])
def test_a_bad_jsonl_line_gets_one_clear_error(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n")
    refused(path, r"q\.jsonl" + message)


@pytest.mark.parametrize("text, message", [
    ("- question: A?\n  resolution_date: 2024-13-45\n", r"q\.yaml: not valid YAML \(month must be in 1\.\.12\)"),
    ("- question: A?\n  1: one\n", r"question #1: unknown field\(s\) \['1'\]"),
    ("- question: A?\n  id: ../x\n", r"question #1: field 'id' must not contain a path separator"),
    ("- question: A?\n  id: a\n- question: B?\n  id: a\n",
     r"question #2: field 'id' must be unique; 'a' appears twice \(first at .*question #1\)"),
])
def test_a_bad_yaml_item_gets_one_clear_error(tmp_path, text, message):
    path = tmp_path / "q.yaml"
    path.write_text(text)
    refused(path, message)


def test_yaml_dates_and_iso_timestamps_are_dates(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: A?\n  forecast_date: 2024-07-21\n  resolution_date: '2024-08-01T12:00:00Z'\n")
    (q,) = load_questions(path)
    assert (q.forecast_date, q.resolution_date) == (dt.date(2024, 7, 21), dt.date(2024, 8, 1))


def test_inline_questions_are_named_by_their_parameter_index():
    with pytest.raises(InputError, match=r"questions\[1\]: field 'id' must not contain a path separator"):
        load_all_questions(None, ["Will A happen?", {"id": "/tmp/x", "question": "B?"}])


def test_an_id_repeated_between_the_file_and_the_inline_questions_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"questions\[0\]: field 'id' must be unique; 'q-1' appears twice "
                                         r"\(first at .*q\.jsonl:1\)"):
        load_all_questions(jsonl(tmp_path, FINE), [{"id": "q-1", "question": "Again?"}])


def test_inline_questions_that_are_not_a_list_are_refused():
    with pytest.raises(InputError, match=r"questions: must be a list of questions"):
        load_all_questions(None, "Will A happen?")


@pytest.mark.parametrize("field, setting", [("question", "max_text_chars"), ("background", "max_background_chars"),
                                            ("resolution_criteria", "max_criteria_chars")])
def test_a_text_field_over_its_cap_is_refused_naming_question_field_and_setting(tmp_path, field, setting):
    limits = QuestionSettings(**{setting: 40})
    record = {**FINE, field: "Will X happen " + "x" * 40 + "?"}
    with pytest.raises(InputError, match=rf"q\.jsonl:1: question 'q-1' field '{field}' is 55 characters; "
                                         rf"at most 40 \(questions\.{setting}\)"):
        load_questions(jsonl(tmp_path, record), limits=limits)


def test_a_text_field_at_its_cap_is_accepted(tmp_path):
    (q,) = load_questions(jsonl(tmp_path, {**FINE, "background": "b" * 40}),
                          limits=QuestionSettings(max_background_chars=40))
    assert len(q.background) == 40


def test_the_default_caps_fit_the_longest_forecastbench_background():
    longest = max(len(q.get("background") or "") for q in forecastbench_questions())
    assert longest <= QuestionSettings().max_background_chars


def test_more_inline_questions_than_the_cap_are_refused():
    with pytest.raises(InputError, match=r"questions: at most 2 inline questions \(questions\.max_inline_questions\), "
                                         r"got 3"):
        load_all_questions(None, ["A?", "B?", "C?"], QuestionSettings(max_inline_questions=2))


def test_platform_fields_are_kept_on_the_question(tmp_path):
    record = {**FINE, "url": "https://example.org/q/7", "market_probability": 0.25, "external_id": "7",
              "post_id": "70", "question_set": "2025-10-26-llm.json"}
    (q,) = load_questions(jsonl(tmp_path, record))
    assert (q.url, q.market_probability, q.external_id, q.post_id, q.question_set) == (
        "https://example.org/q/7", 0.25, "7", "70", "2025-10-26-llm.json")
