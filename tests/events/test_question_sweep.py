"""A property-based sweep over question records and whole files: a clean error or a valid load, nothing else.

Whatever a record or a file holds, loading it either gives questions that meet every rule (their ids name files
inside the plots folder) or raises `InputError`; never another exception. Deterministic (`derandomize`) and
modest in examples, so the suite stays fast and CI reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.errors import InputError
from forecaster.events.questions import KNOWN_FIELDS, Question, question_from_mapping
from forecaster.question_files import load_questions
from forecaster.names import ID_RULE, file_stem, id_problem

SWEEP = settings(max_examples=150, derandomize=True, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
ids = st.text(max_size=140) | st.text(string.ascii_letters + string.digits + "._-/\\ ", max_size=20) | st.sampled_from(
    ["", ".", "..", "../../x", "/tmp/x", "a/../b", "q\x00", "C:\\x", "x" * 129, "ok-id", "0x2c1d", "\ud800"])
dates = st.dates().map(dt.date.isoformat) | st.text(max_size=12) | json_values
field_values = {
    "id": ids,
    "question": st.text(max_size=40) | st.sampled_from(["\ud800?", "A\u2028B?", "A\x00?", " "]) | json_values,
    "forecast_date": dates,
    "resolution_date": dates,
    "market_probability": st.floats(allow_nan=True, allow_infinity=True) | json_values,
    "outcome": st.sampled_from(["yes", "no", "YES", 1, 0, "1", "maybe", 2, True, 1.0]) | json_values,
}
records = st.fixed_dictionaries({}, optional={name: field_values.get(name, json_values) for name in KNOWN_FIELDS})
odd_records = st.dictionaries(st.text(max_size=8), json_values, max_size=4) | json_values


def assert_valid(question: Question, plots: Path) -> None:
    """A loaded question meets the rules, and its plot would land inside the plots folder."""
    assert id_problem(question.id) is None
    assert question.text.strip() and "\x00" not in question.text
    if question.forecast_date and question.resolution_date:
        assert question.resolution_date >= question.forecast_date
    plot = (plots / f"{file_stem(question.id)}.png").resolve()
    assert plot.parent == plots.resolve()


def load_or_refuse(load) -> list[Question]:
    try:
        return load()
    except InputError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message  # one line
        message.encode("utf-8")  # printable: a value it quotes cannot break the console
        return []


def load_file(path: Path) -> list[Question]:
    """The file's questions (or none, refused); loading writes nothing beside it."""
    questions = load_or_refuse(lambda: load_questions(path))
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    return questions


@SWEEP
@given(record=records | odd_records)
def test_any_record_is_a_valid_question_or_one_clear_error(record):
    for question in load_or_refuse(lambda: [question_from_mapping(record, "questions[0]")]):
        assert_valid(question, Path("/data/plots"))


@SWEEP
@given(lines=st.lists(records | odd_records, min_size=0, max_size=4))
def test_any_jsonl_file_loads_valid_questions_or_one_clear_error(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.jsonl"
        path.write_text("".join(json.dumps(line, allow_nan=True) + "\n" for line in lines), encoding="utf-8")
        for question in load_file(path):
            assert_valid(question, Path(folder) / "plots")


@SWEEP
@given(content=st.binary(max_size=200), suffix=st.sampled_from([".jsonl", ".yaml", ".yml"]))
def test_any_bytes_load_valid_questions_or_one_clear_error(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"q{suffix}"
        path.write_bytes(content)
        for question in load_file(path):
            assert_valid(question, Path(folder) / "plots")


yaml_scalars = st.sampled_from(["2024-13-45", "2024-07-21", "1.7", "maybe", "~", "[a, b]", "{a: 1}", "'../x'",
                                "!!binary aGk=", "&a [*a]", "9" * 5000, "\"\\ud800\"", "yes", ".nan", ""])
yaml_files = st.lists(st.tuples(st.sampled_from(sorted(KNOWN_FIELDS) + ["other", "1"]), yaml_scalars),
                      min_size=1, max_size=4).map(lambda pairs: "- " + "\n  ".join(f"{k}: {v}" for k, v in pairs))


@SWEEP
@given(text=yaml_files)
def test_any_yaml_file_loads_valid_questions_or_one_clear_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.yaml"
        path.write_text(text + "\n", encoding="utf-8")
        for question in load_file(path):
            assert_valid(question, Path(folder) / "plots")


def test_a_bad_file_given_to_the_command_exits_non_zero_with_one_line_and_writes_nothing(data_dir):
    bad = data_dir / "questions.jsonl"
    bad.write_text('{"id": "q-1", "question": "Fine?"}\n{"id": "../../x", "question": "Escape?"}\n')
    before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*") if p.is_file())
    result = CliRunner().invoke(app, ["forecast", "--questions", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {bad}:2: field 'id' must not contain a path separator ({ID_RULE})"]
    written = {p.relative_to(data_dir) for p in data_dir.rglob("*") if p.is_file()} - set(before)
    assert {p.parts[0] for p in written} <= {"logs"}  # the command's log setup; no database, no plot
    assert not (data_dir.parent / "x.png").exists()
