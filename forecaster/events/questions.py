"""Event questions: the record, and the YAML and JSONL files written for us (`forecaster.question_files` reads any
questions file, a ForecastBench set included).

Every record is checked at the door, the first broken rule stopping the load with file, line (or parameter) and
field named: types, `market_probability` in [0, 1], `outcome` yes/no/1/0, a resolution not before the forecast
date, the id rule (`forecaster.names.ID_RULE`: no path-like ids); a file also for its size and encoding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from forecaster.errors import InputError
from forecaster.events.typed.fields import BINARY, TYPED_FIELDS, typed_fields
from forecaster.input_files import input_lines
from forecaster.names import id_problem
from forecaster.scoring.resolutions import parse_date, parse_outcome, parse_probability, shown
from forecaster.series.ref import SeriesRef, series_from_mapping
from forecaster.settings import QuestionSettings

KNOWN_FIELDS = {
    "id", "question", "text", "background", "resolution_criteria", "resolution_date", "forecast_date",
    "source", "market_probability", "outcome", "url", "external_id", "post_id", "question_set", *TYPED_FIELDS,
    "series",
}
DEFAULT_LIMITS = QuestionSettings()


@dataclass(frozen=True)
class Question:
    """A question about the future, as the agents read it: yes/no unless `type` says otherwise."""

    id: str
    text: str
    resolution_date: dt.date | None = None
    background: str = ""
    resolution_criteria: str = ""
    forecast_date: dt.date | None = None
    source: str = "user"
    url: str = ""
    # The crowd's forecast when the question carries one: a market price, Metaculus's community prediction,
    # ForecastBench's freeze value on a market question.
    market_probability: float | None = None
    # Where the question lives on its platform: its id there (Metaculus: the question id, not the post id),
    # Metaculus's post id (comments go on posts), and the published round it came in.
    external_id: str = ""
    post_id: str = ""
    question_set: str = ""
    # Not yes/no (`forecaster.events.typed.fields`): the options of a multiple-choice question; the range of a
    # numeric, discrete or date one (a date's in Unix seconds), its open ends, log scale's zero, unit, CDF bins.
    type: str = BINARY
    options: tuple[str, ...] = ()
    range_min: float | None = None
    range_max: float | None = None
    open_lower_bound: bool = False
    open_upper_bound: bool = False
    zero_point: float | None = None
    unit: str = ""
    outcome_count: int | None = None
    # The number the question is about (`series: {source, id}`): the `series` member forecasts it.
    series: SeriesRef | None = None

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        for key in ("resolution_date", "forecast_date"):
            record[key] = record[key].isoformat() if record[key] else None
        record["options"] = list(self.options)
        return record

    def door_record(self) -> dict[str, Any]:
        """The fields as the questions door reads them (`question`, not `text`), unset ones left out."""
        record = self.to_record()
        record["question"] = record.pop("text")
        # `is False`, not `in`: a zero point of 0 is a value, and 0 == False.
        return {k: v for k, v in record.items()
                if not (v is None or v is False or v in ("", [])) and not (k == "type" and v == BINARY)}


def question_id(text: str) -> str:
    """A stable id for a question given only as text, so asking it again adds to its history."""
    return "q-" + hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()[:12]


def question_from_mapping(data: Any, where: str, limits: QuestionSettings = DEFAULT_LIMITS) -> Question:
    """Validate one question record; errors name `where` (file:line, or the parameter) and the field."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a question must be a mapping of fields, got {type(data).__name__}")
    unknown = sorted(str(key) for key in data if key not in KNOWN_FIELDS)  # YAML keys need not be text
    if unknown:
        raise InputError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(KNOWN_FIELDS)}")
    name = "question" if "question" in data else "text"
    text = data.get(name)
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: field 'question' is required and must be non-empty text")
    _check_text(text, name, where)
    question = Question(
        id=_id_field(data, where) or question_id(text),
        text=text.strip(),
        resolution_date=_date_field(data, "resolution_date", where),
        background=_text_field(data, "background", where),
        resolution_criteria=_text_field(data, "resolution_criteria", where),
        forecast_date=_date_field(data, "forecast_date", where),
        source=_text_field(data, "source", where) or "user",
        url=_text_field(data, "url", where),
        market_probability=_probability_field(data, "market_probability", where),
        external_id=_text_field(data, "external_id", where),
        post_id=_text_field(data, "post_id", where),
        question_set=_text_field(data, "question_set", where),
        **typed_fields(data, where, _id_field(data, where) or text.strip()[:60]),
        series=series_from_mapping(data.get("series"), where),
    )
    _check_outcome_fields(data, where)
    _check_date_order(question, where)
    _check_lengths(question, where, limits)
    return question


def jsonl_questions(path: Path, text: str, limits: QuestionSettings) -> Iterable[tuple[str, Question]]:
    """(where, question) for each line of a JSONL questions file's text."""
    for number, line in enumerate(input_lines(text), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        except (ValueError, RecursionError) as exc:  # a number too long for Python, nesting too deep
            raise InputError(f"{path}:{number}: not valid JSON ({_reason(exc)})") from None
        yield f"{path}:{number}", question_from_mapping(data, f"{path}:{number}", limits)


def yaml_questions(path: Path, text: str, limits: QuestionSettings) -> Iterable[tuple[str, Question]]:
    """(where, question) for each item of a YAML questions file's text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a date 2024-13-45, nesting too deep
        raise InputError(f"{path}: not valid YAML ({_reason(exc)})") from None
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list of questions (or a mapping with key 'questions')")
    for index, item in enumerate(items):
        where = f"{path}: question #{index + 1}"
        yield where, question_from_mapping(item, where, limits)


def _reason(exc: BaseException) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]


def _check_text(text: str, name: str, where: str) -> None:
    # A NUL or a lone surrogate (JSON allows "\ud800") breaks the database, the logs or the id's hash later.
    if "\x00" in text:
        raise InputError(f"{where}: field {name!r} must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{where}: field {name!r} must be valid Unicode text (it holds a lone surrogate)") from None


def _text_field(data: dict, name: str, where: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{where}: field {name!r} must be text, got {type(value).__name__}")
    text = str(value).strip()
    _check_text(text, name, where)
    return text


def _id_field(data: dict, where: str) -> str | None:
    """The record's id, or None when it has none (one is then made from the text)."""
    if data.get("id") is None:
        return None
    identifier = _text_field(data, "id", where)
    problem = id_problem(identifier)
    if problem:
        raise InputError(f"{where}: field 'id' {problem}")
    return identifier


def _date_field(data: dict, name: str, where: str) -> dt.date | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except ValueError:
        raise InputError(f"{where}: field {name!r} must be a date YYYY-MM-DD, got {shown(value)}") from None


def _probability_field(data: dict, name: str, where: str) -> float | None:
    if data.get(name) is None:
        return None
    try:
        return parse_probability(data[name])
    except ValueError as exc:
        raise InputError(f"{where}: field {name!r} {str(exc)[:200]}") from None


def _check_lengths(question: Question, where: str, limits: QuestionSettings) -> None:
    """A cap per text field: a runaway record (a scraped page as background) is refused, not fed to the model."""
    for name, value, cap, setting in (
            ("question", question.text, limits.max_text_chars, "max_text_chars"),
            ("background", question.background, limits.max_background_chars, "max_background_chars"),
            ("resolution_criteria", question.resolution_criteria, limits.max_criteria_chars, "max_criteria_chars")):
        if len(value) > cap:
            raise InputError(f"{where}: question {question.id!r} field {name!r} is {len(value)} characters; at most "
                             f"{cap} (questions.{setting})")


def _check_outcome_fields(data: dict, where: str) -> None:
    """The ForecastBench fields the evaluation reads: checked here too, so a forecast run refuses them at once."""
    if data.get("outcome") is not None:
        try:
            parse_outcome(data["outcome"])
        except ValueError as exc:
            raise InputError(f"{where}: field 'outcome' {str(exc)[:200]}") from None


def _check_date_order(question: Question, where: str) -> None:
    if question.forecast_date and question.resolution_date and question.resolution_date < question.forecast_date:
        raise InputError(f"{where}: field 'resolution_date' ({question.resolution_date}) is before field "
                         f"'forecast_date' ({question.forecast_date}): a question cannot resolve before it is asked")
