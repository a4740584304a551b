"""ForecastBench's submission file, written exactly as ForecastBench reads it, and read back with its rules.

Required keys: `organization`, `model`, `model_organization`, `question_set` (the set's file name) and a
non-empty `forecasts`; each forecast has `id`, `source`, `forecast` (in [0, 1]), `resolution_date` (null on
market rows), `reasoning` and `direction` (null). One row per market question and per (dataset question,
resolution date); a repeated row is an error. The file is named `{due}.{organization}.{model}.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.feeds.forecastbench import DATASET_SOURCES, MARKET_SOURCES
from forecaster.feeds.files import write_atomically
from forecaster.feeds.forecastbench_fields import date_field, read_json_object, required_text
from forecaster.scoring.resolutions import shown

SUBMISSION_KEYS = ("organization", "model", "model_organization", "question_set", "forecasts")
FORECAST_KEYS = ("id", "source", "forecast", "resolution_date", "reasoning", "direction")


@dataclass(frozen=True)
class SubmittedForecast:
    """One row of a submission: a market question, or a dataset question at one resolution date."""

    id: str
    source: str
    forecast: float
    resolution_date: date | None
    reasoning: str | None = None

    @property
    def key(self) -> tuple[str, str, date | None]:
        return self.source, self.id, self.resolution_date


@dataclass(frozen=True)
class Submission:
    """A forecast file for one ForecastBench round."""

    organization: str
    model: str
    model_organization: str
    question_set: str
    forecasts: list[SubmittedForecast]


def submission_file_name(due: date, organization: str, model: str) -> str:
    """ForecastBench's name for a submission: `{due}.{organization}.{model}.json` (path separators made safe)."""
    return f"{due.isoformat()}.{_safe(organization)}.{_safe(model)}.json"


def _safe(text: str) -> str:
    return text.replace("/", "_").replace("\\", "_")


def submission_record(submission: Submission) -> dict[str, Any]:
    """The submission as ForecastBench's JSON object."""
    return {
        "organization": submission.organization,
        "model": submission.model,
        "model_organization": submission.model_organization,
        "question_set": submission.question_set,
        "forecasts": [{"id": f.id, "source": f.source, "forecast": f.forecast,
                       "resolution_date": f.resolution_date.isoformat() if f.resolution_date else None,
                       "reasoning": f.reasoning, "direction": None} for f in submission.forecasts],
    }


def write_submission(submission: Submission, path: str | Path) -> Path:
    """Write the file atomically (a crash leaves the old file or none, never half a file); returns its path."""
    if not submission.forecasts:
        raise InputError("forecasts: a submission needs at least one forecast")
    text = json.dumps(submission_record(submission), indent=1, ensure_ascii=False)
    return write_atomically(Path(path), text)


def read_submission(path: str | Path) -> Submission:
    """A submission file, checked by ForecastBench's rules; InputError names file, row and field."""
    path = Path(path)
    data = read_json_object(path, "submission", SUBMISSION_KEYS)
    header = {key: required_text(data, key, str(path)) for key in SUBMISSION_KEYS[:4]}
    rows = data["forecasts"]
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{path}: field 'forecasts' must be a non-empty list")
    forecasts: list[SubmittedForecast] = []
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        forecast = _forecast(row, f"{path}: forecast #{index + 1}")
        if forecast.key in seen:
            raise InputError(f"{path}: forecast #{index + 1} repeats forecast #{seen[forecast.key]} "
                             f"({forecast.source} {forecast.id!r} at {forecast.resolution_date})")
        seen[forecast.key] = index + 1
        forecasts.append(forecast)
    return Submission(forecasts=forecasts, **header)


def _forecast(row: Any, where: str) -> SubmittedForecast:
    if not isinstance(row, dict):
        raise InputError(f"{where}: must be an object of fields, got {type(row).__name__}")
    missing = [key for key in FORECAST_KEYS if key not in row]
    if missing:
        raise InputError(f"{where}: field(s) {missing} missing (each forecast has {list(FORECAST_KEYS)})")
    identifier = required_text(row, "id", where)
    source = required_text(row, "source", where)
    if source not in MARKET_SOURCES | DATASET_SOURCES:
        raise InputError(f"{where}: field 'source' must be one of {sorted(MARKET_SOURCES | DATASET_SOURCES)}, "
                         f"got {shown(source)}")
    value = row["forecast"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise InputError(f"{where}: field 'forecast' must be a number in [0, 1], got {shown(value)}")
    when = date_field(row, "resolution_date", where, required=source in DATASET_SOURCES)
    if source in MARKET_SOURCES and when is not None:
        raise InputError(f"{where}: field 'resolution_date' must be null on a market question ({source})")
    if row["direction"] is not None:
        raise InputError(f"{where}: field 'direction' must be null (combination questions are not submitted)")
    reasoning = row["reasoning"]
    if reasoning is not None and not isinstance(reasoning, str):
        raise InputError(f"{where}: field 'reasoning' must be text or null, got {shown(reasoning)}")
    return SubmittedForecast(identifier, source, float(value), when, reasoning)
