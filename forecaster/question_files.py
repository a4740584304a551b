"""The door for questions files and inline questions: ours (YAML, JSONL) or a ForecastBench question set as
published, each record checked (`forecaster.events.questions`) and ids unique across the set."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from forecaster.errors import InputError
from forecaster.events.questions import (
    DEFAULT_LIMITS, Question, jsonl_questions, question_from_mapping, yaml_questions,
)
from forecaster.feeds.forecastbench_questions import is_question_set_file, question_set_questions
from forecaster.input_files import MAX_INPUT_BYTES, check_input_file, read_input_text
from forecaster.settings import QuestionSettings


def load_questions(path: str | Path, max_bytes: int = MAX_INPUT_BYTES,
                   limits: QuestionSettings = DEFAULT_LIMITS) -> list[Question]:
    """Read every question of a .yaml/.yml, .jsonl or ForecastBench set file (at most `max_bytes`), or raise on the
    first bad one."""
    return [q for _, q in _file_questions(Path(path), max_bytes, limits)]


def load_all_questions(questions_file: str | Path | None, inline: Sequence[Any] | None,
                       limits: QuestionSettings = DEFAULT_LIMITS) -> list[Question]:
    """A run's questions: from a file and/or inline records (a string is a question's text), checked as one set.

    Inline records are named `questions[i]`, as the flow parameter they come in.
    """
    located = _file_questions(Path(questions_file), MAX_INPUT_BYTES, limits) if questions_file else []
    if inline is not None and not isinstance(inline, (list, tuple)):
        raise InputError(f"questions: must be a list of questions (texts or records), got {type(inline).__name__}")
    if inline is not None and len(inline) > limits.max_inline_questions:
        raise InputError(f"questions: at most {limits.max_inline_questions} inline questions "
                         f"(questions.max_inline_questions), got {len(inline)}; put more in a questions file")
    for index, item in enumerate(inline or []):
        where = f"questions[{index}]"
        record = {"question": item} if isinstance(item, str) else item
        located.append((where, question_from_mapping(record, where, limits)))
    _reject_duplicate_ids(located)
    return [q for _, q in located]


def _file_questions(path: Path, max_bytes: int, limits: QuestionSettings) -> list[tuple[str, Question]]:
    """(where, question) for every question of the file; `where` names its line or item."""
    check_input_file(path, "questions file", max_bytes)
    suffix = path.suffix.lower()
    if is_question_set_file(path, max_bytes):
        located = question_set_questions(path, limits)
    elif suffix not in (".jsonl", ".yaml", ".yml"):
        raise InputError(f"{path}: questions file must be .jsonl, .yaml or .yml, or a ForecastBench question set "
                         "(.json with forecast_due_date, question_set, questions)")
    else:
        text = read_input_text(path, "questions file", max_bytes)
        located = list(jsonl_questions(path, text, limits) if suffix == ".jsonl" else yaml_questions(path, text, limits))
    if not located:
        raise InputError(f"{path}: no questions found")
    _reject_duplicate_ids(located)
    return located


def _reject_duplicate_ids(located: list[tuple[str, Question]]) -> None:
    first: dict[str, str] = {}
    for where, q in located:
        if q.id in first:
            raise InputError(f"{where}: field 'id' must be unique; {q.id!r} appears twice (first at {first[q.id]})")
        first[q.id] = where
