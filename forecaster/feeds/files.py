"""Questions files written by a pull: the project's own format, capped at the door's limits, written atomically."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Sequence

import yaml

from forecaster.errors import InputError
from forecaster.events.questions import Question
from forecaster.settings import QuestionSettings

CUT_MARK = " [...]"


def capped(question: Question, limits: QuestionSettings) -> Question:
    """The question with its text fields cut to the door's caps, so the file a pull writes always loads."""
    def cut(text: str, cap: int) -> str:
        return text if len(text) <= cap else text[: cap - len(CUT_MARK)].rstrip() + CUT_MARK

    return dataclasses.replace(question, text=cut(question.text, limits.max_text_chars),
                               background=cut(question.background, limits.max_background_chars),
                               resolution_criteria=cut(question.resolution_criteria, limits.max_criteria_chars))


def write_questions(path: str | Path, questions: Sequence[Question]) -> Path:
    """Write a .jsonl or .yaml/.yml questions file: a temporary file beside it, then a rename (never half-written)."""
    path = check_out_path(path)
    suffix = path.suffix.lower()
    records = [_record(q) for q in questions]
    if suffix == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = yaml.safe_dump({"questions": records}, allow_unicode=True, sort_keys=False)
    return write_atomically(path, text)


def write_atomically(path: Path, text: str) -> Path:
    """A temporary file beside `path`, then a rename: a crash leaves the old file or none, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def check_out_path(path: str | Path) -> Path:
    """The path, if it names a questions file (.jsonl, .yaml or .yml) in a place that is not a folder."""
    path = Path(path)
    if path.suffix.lower() not in (".jsonl", ".yaml", ".yml"):
        raise InputError(f"--out {path}: a questions file must end in .jsonl, .yaml or .yml")
    if path.is_dir():
        raise InputError(f"--out {path}: is a folder; give a file name")
    return path


def _record(question: Question) -> dict:
    """The question's fields as the questions loader reads them, empty ones left out."""
    return question.door_record()
