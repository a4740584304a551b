"""Reading one field of a ForecastBench file: `"N/A"` means absent, and every error names file, record and field."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.input_files import MAX_INPUT_BYTES, read_input_text
from forecaster.scoring.resolutions import parse_date, shown

NOT_APPLICABLE = "N/A"


def read_json_object(path: Path, what: str, keys: tuple[str, ...], max_bytes: int = MAX_INPUT_BYTES) -> dict:
    """The file's top-level JSON object, with every one of `keys` present."""
    text = read_input_text(path, what, max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not valid JSON ({str(exc)[:200] or 'nested too deeply'})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a ForecastBench {what} is a JSON object with keys {list(keys)}, "
                         f"got {type(data).__name__}")
    missing = [key for key in keys if key not in data]
    if missing:
        raise InputError(f"{path}: top-level field(s) {missing} missing (a ForecastBench {what} has {list(keys)})")
    return data


def absent(value: Any) -> bool:
    """True for what ForecastBench writes when a field does not apply: null, "" or "N/A"."""
    return value is None or (isinstance(value, str) and value.strip() in ("", NOT_APPLICABLE))


def text_field(record: dict, name: str, where: str) -> str:
    """A text field, "" when absent."""
    value = record.get(name)
    if absent(value):
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: field {name!r} must be text, got {shown(value)}")
    if "\x00" in value:
        raise InputError(f"{where}: field {name!r} must not contain NUL characters")
    return value.strip()


def required_text(record: dict, name: str, where: str) -> str:
    """A text field that must be there."""
    text = text_field(record, name, where)
    if not text:
        raise InputError(f"{where}: field {name!r} is required (non-empty text)")
    return text


def date_field(record: dict, name: str, where: str, required: bool = False) -> date | None:
    """A date (YYYY-MM-DD or a full timestamp), None when absent and not required."""
    value = record.get(name)
    if absent(value):
        if required:
            raise InputError(f"{where}: field {name!r} is required (a date YYYY-MM-DD)")
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{where}: field {name!r} {exc}") from None


def number_field(record: dict, name: str, where: str) -> float | None:
    """A finite number, given as a number or as text (ForecastBench writes freeze values as text); None if absent."""
    value = record.get(name)
    if absent(value):
        return None
    if isinstance(value, bool):
        raise InputError(f"{where}: field {name!r} must be a number, got {shown(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: field {name!r} must be a number, got {shown(value)}") from None
    if not math.isfinite(number):
        return None
    return number
