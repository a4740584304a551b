"""ForecastBench's published files as they are: a round's question set and, later, its resolution set.

A question set (`YYYY-MM-DD-llm.json`) holds market questions (one forecast each) and dataset questions (one
forecast per entry of `resolution_dates`, with `{forecast_due_date}` and `{resolution_date}` filled in); each
comes out here as one `RoundQuestion` per forecast to make. A resolution set (`YYYY-MM-DD_resolution_set.json`)
says how each (id, resolution date) turned out. Combination questions of old sets (an id that is a list) are
skipped and counted. `"N/A"` means absent. A malformed file raises InputError naming file, record and field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.feeds.forecastbench_fields import (
    absent, date_field, number_field, read_json_object, required_text, text_field)
from forecaster.scoring.resolutions import shown

MARKET_SOURCES = frozenset({"manifold", "metaculus", "polymarket", "infer"})
DATASET_SOURCES = frozenset({"acled", "dbnomics", "fred", "wikipedia", "yfinance"})
QUESTION_SET_KEYS = ("forecast_due_date", "question_set", "questions")
RESOLUTION_SET_KEYS = ("forecast_due_date", "question_set", "resolutions")


@dataclass(frozen=True)
class RoundQuestion:
    """One forecast a round asks for: a market question, or a dataset question at one resolution date."""

    id: str
    source: str
    text: str
    background: str
    resolution_criteria: str
    url: str
    resolution_date: date | None  # None on market questions
    freeze_value: float | None  # the crowd's forecast (market) or the series' latest value (dataset)
    freeze_explanation: str
    is_market: bool
    horizon_days: int | None  # days from the due date to the resolution date; None on market questions
    freeze_date: date | None = None
    source_intro: str = ""
    # The freeze value as the file gives it: on some dataset questions it is text ("No", "200m freestyle").
    freeze_text: str = ""


@dataclass(frozen=True)
class QuestionSet:
    """A round's questions, one per forecast to make, in file order."""

    name: str
    due_date: date
    questions: list[RoundQuestion]
    skipped_combinations: int = 0


@dataclass(frozen=True)
class RoundResolution:
    """How one (id, resolution date) of a round turned out.

    On a market row `resolved_to` is 0 or 1 once the market resolved (`resolved`), else the market's latest
    value, and it is scored against either; `resolution_date` is the date of that value. A dataset row that is
    not resolved, or has no value, is void.
    """

    id: str
    source: str
    resolution_date: date | None
    resolved_to: float  # NaN when the file gives none
    resolved: bool

    @property
    def is_market(self) -> bool:
        return self.source in MARKET_SOURCES

    @property
    def void(self) -> bool:
        """True for a row ForecastBench leaves out of the score."""
        return math.isnan(self.resolved_to) or (not self.is_market and not self.resolved)


@dataclass(frozen=True)
class ResolutionSet:
    """A round's resolutions, in file order."""

    due_date: date
    question_set: str
    resolutions: list[RoundResolution]
    skipped_combinations: int = 0


def is_question_set(data: Any) -> bool:
    """True for a JSON object shaped like a ForecastBench question set."""
    return isinstance(data, dict) and all(key in data for key in QUESTION_SET_KEYS)


def read_question_set(path: str | Path) -> QuestionSet:
    """Every forecast a ForecastBench question set file asks for."""
    path = Path(path)
    data = read_json_object(path, "question set", QUESTION_SET_KEYS)
    due = date_field(data, "forecast_due_date", str(path), required=True)
    name = required_text(data, "question_set", str(path))
    records, skipped = _records(data, "questions", "question", path)
    questions = [q for where, record in records for q in _round_questions(record, due, where)]
    if not questions:
        raise InputError(f"{path}: no questions found")
    return QuestionSet(name=name, due_date=due, questions=questions, skipped_combinations=skipped)


def _records(data: dict, key: str, label: str, path: Path) -> tuple[list[tuple[str, dict]], int]:
    """(where, record) for each record under `key`, and how many combination records (an id that is a list,
    in old sets) were skipped."""
    items = data[key]
    if not isinstance(items, list):
        raise InputError(f"{path}: field {key!r} must be a list, got {type(items).__name__}")
    records, skipped = [], 0
    for index, record in enumerate(items):
        where = f"{path}: {label} #{index + 1}"
        if not isinstance(record, dict):
            raise InputError(f"{where}: must be an object of fields, got {type(record).__name__}")
        if isinstance(record.get("id"), list):
            skipped += 1
        else:
            records.append((where, record))
    return records, skipped


def _round_questions(record: dict, due: date, where: str) -> list[RoundQuestion]:
    identifier = required_text(record, "id", where)
    where = f"{where} (id {identifier!r})"
    source = _source(record, where)
    is_market = source in MARKET_SOURCES
    criteria = text_field(record, "resolution_criteria", where)
    if source == "metaculus":
        criteria = text_field(record, "market_info_resolution_criteria", where) or criteria
    common = dict(
        id=identifier, source=source, background=text_field(record, "background", where),
        url=text_field(record, "url", where), freeze_value=_freeze_value(record, is_market, where),
        freeze_text=_freeze_text(record, where),
        freeze_explanation=text_field(record, "freeze_datetime_value_explanation", where),
        is_market=is_market, freeze_date=date_field(record, "freeze_datetime", where),
        source_intro=text_field(record, "source_intro", where))
    question = required_text(record, "question", where)
    dates = [None] if is_market else _resolution_dates(record, due, where)
    return [RoundQuestion(text=_filled(question, due, when), resolution_criteria=_filled(criteria, due, when),
                          resolution_date=when, horizon_days=(when - due).days if when else None, **common)
            for when in dates]


def _freeze_value(record: dict, is_market: bool, where: str) -> float | None:
    """The crowd's forecast on a market question (a number in [0, 1]); on a dataset one a number when it is one."""
    if not is_market:
        try:
            return number_field(record, "freeze_datetime_value", where)
        except InputError:
            return None
    value = number_field(record, "freeze_datetime_value", where)
    if value is not None and not 0 <= value <= 1:
        raise InputError(f"{where}: field 'freeze_datetime_value' must be a probability in [0, 1] on a market "
                         f"question, got {shown(value)}")
    return value


def _freeze_text(record: dict, where: str) -> str:
    value = record.get("freeze_datetime_value")
    as_text = value if isinstance(value, str) or value is None else str(value)  # a number written as one
    return text_field({"freeze_datetime_value": as_text}, "freeze_datetime_value", where)


def _source(record: dict, where: str) -> str:
    source = required_text(record, "source", where).lower()
    if source not in MARKET_SOURCES | DATASET_SOURCES:
        raise InputError(f"{where}: field 'source' must be one of {sorted(MARKET_SOURCES | DATASET_SOURCES)}, "
                         f"got {shown(source)}")
    return source


def _resolution_dates(record: dict, due: date, where: str) -> list[date]:
    value = record.get("resolution_dates")
    if absent(value) or not isinstance(value, list) or not value:
        raise InputError(f"{where}: field 'resolution_dates' must be a non-empty list of dates on a dataset "
                         f"question, got {shown(value)}")
    dates = []
    for position, item in enumerate(value):
        when = date_field({"resolution_dates": item}, "resolution_dates", f"{where} [{position}]", required=True)
        if when < due:
            raise InputError(f"{where}: field 'resolution_dates' [{position}] ({when}) is before the forecast due "
                             f"date ({due})")
        if when not in dates:
            dates.append(when)
    return dates


def _filled(text: str, due: date, when: date | None) -> str:
    # str.replace, not format: question texts hold other braces (LaTeX, JSON examples).
    text = text.replace("{forecast_due_date}", due.isoformat())
    return text.replace("{resolution_date}", when.isoformat()) if when else text


def read_resolution_set(path: str | Path) -> ResolutionSet:
    """Every row of a ForecastBench resolution set file."""
    path = Path(path)
    data = read_json_object(path, "resolution set", RESOLUTION_SET_KEYS)
    due = date_field(data, "forecast_due_date", str(path), required=True)
    name = required_text(data, "question_set", str(path))
    records, skipped = _records(data, "resolutions", "resolution", path)
    rows = [_resolution(record, where) for where, record in records]
    return ResolutionSet(due_date=due, question_set=name, resolutions=rows, skipped_combinations=skipped)


def _resolution(record: dict, where: str) -> RoundResolution:
    identifier = required_text(record, "id", where)
    where = f"{where} (id {identifier!r})"
    source = _source(record, where)
    value = number_field(record, "resolved_to", where)
    if value is not None and not 0 <= value <= 1:
        raise InputError(f"{where}: field 'resolved_to' must be a number in [0, 1], got {shown(value)}")
    resolved = record.get("resolved", False)
    if not isinstance(resolved, bool):
        raise InputError(f"{where}: field 'resolved' must be true or false, got {shown(resolved)}")
    when = date_field(record, "resolution_date", where, required=source in DATASET_SOURCES)
    return RoundResolution(id=identifier, source=source, resolution_date=when,
                           resolved_to=math.nan if value is None else value, resolved=resolved)
