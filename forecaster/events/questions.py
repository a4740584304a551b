"""Event questions and the files they come from (YAML or JSONL; ForecastBench fields accepted)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from forecaster.errors import InputError

KNOWN_FIELDS = {
    "id", "question", "text", "background", "resolution_criteria", "resolution_date", "forecast_date",
    "source", "market_probability", "outcome", "url",
}


@dataclass(frozen=True)
class Question:
    """A binary question about the future, as the agents read it."""

    id: str
    text: str
    resolution_date: dt.date | None = None
    background: str = ""
    resolution_criteria: str = ""
    forecast_date: dt.date | None = None
    source: str = "user"

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        for key in ("resolution_date", "forecast_date"):
            record[key] = record[key].isoformat() if record[key] else None
        return record


def question_id(text: str) -> str:
    """A stable id for a question given only as text, so asking it again adds to its history."""
    return "q-" + hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()[:12]


def question_from_mapping(data: Any, where: str) -> Question:
    """Validate one question record; errors name `where` (file:line) and the field."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a question must be a mapping of fields, got {type(data).__name__}")
    unknown = set(data) - KNOWN_FIELDS
    if unknown:
        raise InputError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(KNOWN_FIELDS)}")
    text = data.get("question", data.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: field 'question' is required and must be non-empty text")
    return Question(
        id=_text_field(data, "id", where) or question_id(text),
        text=text.strip(),
        resolution_date=_date_field(data, "resolution_date", where),
        background=_text_field(data, "background", where),
        resolution_criteria=_text_field(data, "resolution_criteria", where),
        forecast_date=_date_field(data, "forecast_date", where),
        source=_text_field(data, "source", where) or "user",
    )


def load_questions(path: str | Path) -> list[Question]:
    """Read every question of a .yaml/.yml or .jsonl file, or raise on the first bad one."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: questions file not found")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        questions = list(_from_jsonl(path))
    elif suffix in (".yaml", ".yml"):
        questions = list(_from_yaml(path))
    else:
        raise InputError(f"{path}: questions file must be .jsonl, .yaml or .yml")
    if not questions:
        raise InputError(f"{path}: no questions found")
    _reject_duplicate_ids(questions, path)
    return questions


def _from_jsonl(path: Path) -> Iterable[Question]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        yield question_from_mapping(data, f"{path}:{number}")


def _from_yaml(path: Path) -> Iterable[Question]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML") from None
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list of questions (or a mapping with key 'questions')")
    for index, item in enumerate(items):
        yield question_from_mapping(item, f"{path}: question #{index + 1}")


def _text_field(data: dict, name: str, where: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, (str, int)):
        raise InputError(f"{where}: field {name!r} must be text")
    return str(value).strip()


def _date_field(data: dict, name: str, where: str) -> dt.date | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(f"{where}: field {name!r} must be a date YYYY-MM-DD, got {value!r}") from None


def _reject_duplicate_ids(questions: list[Question], path: Path) -> None:
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise InputError(f"{path}: field 'id' must be unique; {q.id!r} appears twice")
        seen.add(q.id)
