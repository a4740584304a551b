"""Question outcomes: one typed in (`resolve ID yes`) or a JSONL file of them, validated before anything is stored.

A resolutions file has one JSON object a line: `id` (text), `outcome` ("yes", "no", 1 or 0) and `resolution_date`
(YYYY-MM-DD). Other keys are ignored, except that a non-null `market_probability` (a number in [0, 1]) is recorded
as the market's forecast as of the line's `forecast_date`: the ForecastBench dev file is a resolutions file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.input_files import MAX_INPUT_BYTES, input_lines, read_input_text
from forecaster.names import id_problem

MAX_REPORTED_ERRORS = 20
OUTCOME_RULE = 'must be "yes", "no", 1 or 0'
DATE_RULE = "must be a date written YYYY-MM-DD"


@dataclass(frozen=True)
class Resolution:
    """How a question resolved, when, and where the record came from (e.g. "cli", "file:resolutions.jsonl")."""

    question_id: str
    outcome: int
    resolution_date: date
    source: str


@dataclass(frozen=True)
class Void:
    """A question its platform annulled (e.g. "annulled", "ambiguous", "MKT", "CANCEL"): recorded, never scored."""

    question_id: str
    reason: str
    resolution_date: date
    source: str


@dataclass(frozen=True)
class MarketProbability:
    """A prediction market's probability of YES for a question, as of a date."""

    question_id: str
    probability: float
    as_of: date


@dataclass(frozen=True)
class ResolutionsFile:
    """Everything a resolutions file records."""

    resolutions: list[Resolution]
    market_probabilities: list[MarketProbability]


def parse_outcome(value: Any) -> int:
    """1 for yes, 0 for no; ValueError naming the rule otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{OUTCOME_RULE} (got {shown(value)})")
    if isinstance(value, int) and value in (0, 1):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("yes", "1"):
            return 1
        if text in ("no", "0"):
            return 0
    raise ValueError(f"{OUTCOME_RULE} (got {shown(value)})")


def parse_date(value: Any) -> date:
    """A date from YYYY-MM-DD (a full ISO timestamp gives its date); ValueError naming the rule otherwise."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise ValueError(f"{DATE_RULE} (got {shown(value)})")


def parse_probability(value: Any) -> float:
    """A probability in [0, 1]; ValueError naming the rule otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"must be a number in [0, 1] (got {shown(value)})")
    return float(value)


def shown(value: Any) -> str:
    """A value as an error message quotes it: as JSON where it can be, cut short, never raising."""
    for write in (json.dumps, repr):
        try:
            text = write(value)
        except (TypeError, ValueError, RecursionError):  # not JSON, circular, or nested too deeply
            continue
        return text if len(text) <= 80 else text[:77] + "..."
    return f"a {type(value).__name__}"


def _field(record: dict, name: str, parse, errors: list[str], where: str):
    if name not in record or record[name] is None:
        errors.append(f"{where}: field '{name}' is missing (required)")
        return None
    try:
        return parse(record[name])
    except ValueError as exc:
        errors.append(f"{where}: field '{name}' {exc}")
        return None


def _question_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be non-empty text (got {shown(value)})")
    problem = id_problem(value.strip())
    if problem:
        raise ValueError(problem)
    return value.strip()


def read_resolutions_file(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> ResolutionsFile:
    """Parse and validate a resolutions JSONL file; InputError lists every broken rule with file, line and field."""
    path = Path(path)
    lines = input_lines(read_input_text(path, "resolutions file", max_bytes))
    source = f"file:{path.name}"
    errors: list[str] = []
    resolutions: list[Resolution] = []
    markets: list[MarketProbability] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parsed = _read_line(line, f"{path}:{number}", errors)
        if parsed is None:
            continue
        resolution, market = parsed
        if resolution.question_id in first_line:
            errors.append(f"{path}:{number}: field 'id' repeats {resolution.question_id!r} from line "
                          f"{first_line[resolution.question_id]} (ids must be unique)")
            continue
        first_line[resolution.question_id] = number
        resolutions.append(Resolution(resolution.question_id, resolution.outcome, resolution.resolution_date, source))
        if market is not None:
            markets.append(market)
    if not errors and not resolutions:
        errors.append(f"{path}: no resolutions in the file (one JSON object a line expected)")
    if errors:
        listed = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(listed)
        if more:
            listed.append(f"... and {more} more")
        raise InputError("nothing recorded; the resolutions file breaks these rules:\n  " + "\n  ".join(listed))
    return ResolutionsFile(resolutions, markets)


def _read_line(line: str, where: str, errors: list[str]) -> tuple[Resolution, MarketProbability | None] | None:
    """One line's resolution and market probability; None (its broken rules added to `errors`) when it has one."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        errors.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
        return None
    except (ValueError, RecursionError) as exc:  # a number too long for Python, nesting too deep
        errors.append(f"{where}: not valid JSON ({'nested too deeply' if isinstance(exc, RecursionError) else exc})")
        return None
    if not isinstance(record, dict):
        errors.append(f"{where}: must be a JSON object with id, outcome and resolution_date")
        return None
    before = len(errors)
    qid = _field(record, "id", _question_id, errors, where)
    outcome = _field(record, "outcome", parse_outcome, errors, where)
    resolved = _field(record, "resolution_date", parse_date, errors, where)
    market = None
    if record.get("market_probability") is not None:
        probability = _field(record, "market_probability", parse_probability, errors, where)
        as_of = _field(record, "forecast_date", parse_date, errors, where)
        if as_of is not None and resolved is not None and resolved < as_of:
            errors.append(f"{where}: field 'resolution_date' ({resolved}) is before field 'forecast_date' "
                          f"({as_of}): a question cannot resolve before it is asked")
        market = MarketProbability(qid, probability, as_of)
    if len(errors) > before:
        return None
    return Resolution(qid, outcome, resolved, ""), market
