"""The typed fields of a question record, checked at the door: each broken rule names the question and field.

`type` is binary (the default), multiple_choice (needs `options`), or numeric, discrete, date (need `range_min` <
`range_max`; optional `open_lower_bound`, `open_upper_bound`, `zero_point` for a log scale, `unit`; discrete needs
`outcome_count`). A date range is written as dates (YYYY-MM-DD or ISO times) or Unix seconds and kept as seconds.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from forecaster.errors import InputError

BINARY, MULTIPLE_CHOICE, NUMERIC, DISCRETE, DATE = "binary", "multiple_choice", "numeric", "discrete", "date"
TYPES = (BINARY, MULTIPLE_CHOICE, NUMERIC, DISCRETE, DATE)
CONTINUOUS = (NUMERIC, DISCRETE, DATE)
# Labels A..Z name the options in the prompt: more options than letters cannot be read.
MAX_OPTIONS = 26
# Metaculus's default: a CDF of 201 points over the range.
DEFAULT_OUTCOME_COUNT = 200
MAX_OUTCOME_COUNT = 1000
RANGE_FIELDS = ("range_min", "range_max", "open_lower_bound", "open_upper_bound", "zero_point", "unit",
                "outcome_count")
TYPED_FIELDS = ("type", "options") + RANGE_FIELDS


def typed_fields(data: dict, where: str, name: str) -> dict[str, Any]:
    """The record's typed fields as Question keyword arguments; `name` is the question's id or text for errors."""
    kind = data.get("type") if data.get("type") is not None else BINARY
    if kind not in TYPES:
        raise InputError(f"{where}: question {name!r} field 'type' must be one of {', '.join(TYPES)}, got {kind!r}")
    _refuse_foreign(data, kind, where, name)
    if kind == BINARY:
        return {}
    if kind == MULTIPLE_CHOICE:
        return {"type": kind, "options": _options(data.get("options"), where, name)}
    return {"type": kind, **_range(data, kind, where, name)}


def _refuse_foreign(data: dict, kind: str, where: str, name: str) -> None:
    """A field of another type (options on a numeric question, a range on a yes/no one) is a mistake, not noise."""
    allowed = {BINARY: ("market_probability", "outcome"), MULTIPLE_CHOICE: ("options",)}.get(kind, RANGE_FIELDS)
    for field in ("options", "market_probability", "outcome") + RANGE_FIELDS:
        value = data.get(field)
        if field not in allowed and not (value is None or value is False or value in ("", [])):
            raise InputError(f"{where}: question {name!r} field {field!r} does not apply to a {kind} question")


def _options(value: Any, where: str, name: str) -> tuple[str, ...]:
    rule = f"must be a list of 2 to {MAX_OPTIONS} distinct, non-empty option texts"
    if not isinstance(value, (list, tuple)) or not 2 <= len(value) <= MAX_OPTIONS:
        raise InputError(f"{where}: question {name!r} field 'options' {rule}")
    options = tuple(o.strip() if isinstance(o, str) else o for o in value)
    if any(not isinstance(o, str) or not o or "\x00" in o for o in options) or len(set(options)) != len(options):
        raise InputError(f"{where}: question {name!r} field 'options' {rule}")
    return options


def _range(data: dict, kind: str, where: str, name: str) -> dict[str, Any]:
    low, high = (_bound(data.get(f), kind, f, where, name) for f in ("range_min", "range_max"))
    if not low < high:
        raise InputError(f"{where}: question {name!r} field 'range_max' ({high}) must be above 'range_min' ({low})")
    zero = data.get("zero_point")
    zero = None if zero is None else _bound(zero, kind, "zero_point", where, name)
    if zero is not None and low <= zero <= high:
        raise InputError(f"{where}: question {name!r} field 'zero_point' ({zero}) must lie outside the range "
                         f"[{low}, {high}] (a log scale's zero)")
    count = data.get("outcome_count")
    if count is None and kind == DISCRETE:
        raise InputError(f"{where}: question {name!r} field 'outcome_count' is required for a discrete question")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                              or not 2 <= count <= MAX_OUTCOME_COUNT):
        raise InputError(f"{where}: question {name!r} field 'outcome_count' must be a whole number in "
                         f"[2, {MAX_OUTCOME_COUNT}], got {count!r}")
    unit = data.get("unit") or ""
    if not isinstance(unit, str) or len(unit) > 100:
        raise InputError(f"{where}: question {name!r} field 'unit' must be text of at most 100 characters")
    return {"range_min": low, "range_max": high, "zero_point": zero, "unit": unit.strip(),
            "outcome_count": count or DEFAULT_OUTCOME_COUNT,
            "open_lower_bound": _flag(data, "open_lower_bound", where, name),
            "open_upper_bound": _flag(data, "open_upper_bound", where, name)}


def _bound(value: Any, kind: str, field: str, where: str, name: str) -> float:
    """A number on the question's axis; for a date question a date, an ISO time, or Unix seconds."""
    if value is None:
        raise InputError(f"{where}: question {name!r} field {field!r} is required for a {kind} question")
    if kind == DATE and isinstance(value, (str, dt.date)):
        return _seconds(value, field, where, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        what = "a date, an ISO time or Unix seconds" if kind == DATE else "a finite number"
        raise InputError(f"{where}: question {name!r} field {field!r} must be {what}, got {value!r}")
    return float(value)


def _seconds(value: str | dt.date, field: str, where: str, name: str) -> float:
    try:
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, dt.date):
            moment = dt.datetime.combine(value, dt.time())
        else:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: question {name!r} field {field!r} must be a date YYYY-MM-DD or an ISO time, "
                         f"got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def _flag(data: dict, field: str, where: str, name: str) -> bool:
    value = data.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"{where}: question {name!r} field {field!r} must be true or false, got {value!r}")
    return value


def as_date(seconds: float) -> dt.datetime:
    """Unix seconds as a UTC time (a date question's axis)."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
