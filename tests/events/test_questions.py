"""Questions files: YAML and JSONL, ForecastBench fields, errors that name file, line and field."""

import datetime as dt

import pytest

from forecaster.errors import InputError
from forecaster.events.questions import question_id
from forecaster.question_files import load_questions
from tests.shared_data import DEV_FILE, dev_records


def test_forecastbench_dev_file_loads_with_its_fields():
    if not DEV_FILE.is_file():
        pytest.skip("shared/ data not beside the checkout")
    questions = load_questions(DEV_FILE)
    assert [q.id for q in questions] == [r["id"] for r in dev_records()]
    first = questions[0]
    assert first.id == "TPkEjiNb1wVCIGFnPcDD"
    assert first.forecast_date == dt.date(2024, 7, 21)
    assert first.source == "manifold"


def test_yaml_file_with_questions_key(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("questions:\n  - question: Will X happen by 2027-06-30?\n    resolution_date: 2027-06-30\n")
    (q,) = load_questions(path)
    assert q.text == "Will X happen by 2027-06-30?"
    assert q.resolution_date == dt.date(2027, 6, 30)


def test_question_without_id_gets_a_stable_id_from_its_text():
    assert question_id("Will X  happen?") == question_id("will x happen?")


def test_missing_question_field_names_file_line_and_field(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "Fine?"}\n{"background": "no question here"}\n')
    with pytest.raises(InputError, match=r"q\.jsonl:2: field 'question' is required"):
        load_questions(path)


def test_bad_date_names_the_field(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "A?", "resolution_date": "next year"}\n')
    with pytest.raises(InputError, match=r":1: field 'resolution_date' must be a date"):
        load_questions(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "A?"}\n{"question": \n')
    with pytest.raises(InputError, match=r"q\.jsonl:2: not valid JSON"):
        load_questions(path)


def test_unknown_field_is_rejected(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: A?\n  probabilty: 3\n")
    with pytest.raises(InputError, match=r"question #1: unknown field\(s\) \['probabilty'\]"):
        load_questions(path)


def test_duplicate_ids_are_rejected(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "A?"}\n{"id": "a", "question": "B?"}\n')
    with pytest.raises(InputError, match="'id' must be unique"):
        load_questions(path)


def test_unsupported_extension_is_rejected(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("question\nA?\n")
    with pytest.raises(InputError, match=r"must be \.jsonl, \.yaml or \.yml"):
        load_questions(path)


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError, match=r"nope\.yaml: questions file not found"):
        load_questions(path)


def test_an_empty_jsonl_file_has_no_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n\n")
    with pytest.raises(InputError, match=r"q\.jsonl: no questions found"):
        load_questions(path)


def test_an_empty_yaml_file_is_not_a_list_of_questions(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("")
    with pytest.raises(InputError, match=r"q\.yaml: expected a list of questions"):
        load_questions(path)


def test_an_empty_list_of_questions_has_no_questions(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("questions: []\n")
    with pytest.raises(InputError, match=r"q\.yaml: no questions found"):
        load_questions(path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: A?\n- question: B?\n  background: \"quoted\" then not\n")
    with pytest.raises(InputError, match=r"q\.yaml:3: not valid YAML"):
        load_questions(path)


def test_yaml_that_is_a_mapping_without_questions_is_refused(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("question: Will X happen?\n")
    with pytest.raises(InputError, match=r"q\.yaml: expected a list of questions \(or a mapping with key "
                                         r"'questions'\)"):
        load_questions(path)


def test_yaml_that_is_plain_text_is_refused(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("Will X happen?\n")
    with pytest.raises(InputError, match=r"q\.yaml: expected a list of questions"):
        load_questions(path)


def test_a_yaml_item_that_is_not_a_mapping_names_the_item(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: A?\n- Will B happen?\n")
    with pytest.raises(InputError, match=r"q\.yaml: question #2: a question must be a mapping of fields, got str"):
        load_questions(path)


def test_a_jsonl_line_that_is_not_a_mapping_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "A?"}\n["B?"]\n')
    with pytest.raises(InputError, match=r"q\.jsonl:2: a question must be a mapping of fields, got list"):
        load_questions(path)


def test_a_field_that_is_not_text_names_the_item_and_field(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: A?\n  background:\n    - one\n    - two\n")
    with pytest.raises(InputError, match=r"q\.yaml: question #1: field 'background' must be text"):
        load_questions(path)


def test_a_jsonl_field_that_is_not_text_names_the_line_and_field(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "A?"}\n{"question": "B?", "source": {"name": "x"}}\n')
    with pytest.raises(InputError, match=r"q\.jsonl:2: field 'source' must be text"):
        load_questions(path)


def test_a_question_that_is_not_text_names_the_field(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- question: 42\n")
    with pytest.raises(InputError, match=r"q\.yaml: question #1: field 'question' is required and must be "
                                         r"non-empty text"):
        load_questions(path)
