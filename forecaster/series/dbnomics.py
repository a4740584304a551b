"""DBnomics: `GET {base}/series/{provider}/{dataset}/{series}?observations=1`, no key; `"NA"` for missing.

A ForecastBench id writes the path's `/` as `_` (`meteofrance_TEMPERATURE_celsius.07621.D`): the first two `_`
separate provider, dataset and series.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forecaster.series.http import SourceError, SourceHttp, SourceRefused, need
from forecaster.series.observations import Observations


def dbnomics_path(series_id: str) -> str:
    """The API path of a ForecastBench-style id."""
    parts = series_id.split("_", 2)
    if len(parts) != 3 or not all(parts):
        raise SourceError(f"dbnomics: id {series_id!r} is not provider_dataset_series")
    return "/series/" + "/".join(parts)


def fetch_dbnomics(series_id: str, before: dt.date, http: SourceHttp) -> Observations:
    """The series' observations dated before `before`."""
    try:
        answer = http.get(dbnomics_path(series_id), {"observations": 1})
    except SourceRefused as exc:
        raise SourceRefused(f"dbnomics: series {series_id!r} refused with HTTP {exc.status}", exc.status) from None
    docs = need(answer, "series.docs", "dbnomics")
    if not docs:
        raise SourceError(f"dbnomics: series {series_id!r} not found (no docs)")
    days, values = need(docs[0], "period_start_day", "dbnomics"), need(docs[0], "value", "dbnomics")
    if not isinstance(days, list) or not isinstance(values, list) or len(days) != len(values):
        raise SourceError("dbnomics: period_start_day and value must be lists of one length")
    return Observations.of(_pair(d, v) for d, v in zip(days, values)).before(before)


def _pair(day: Any, value: Any) -> tuple[dt.date, float | None]:
    try:
        date = dt.date.fromisoformat(str(day))
    except ValueError:
        raise SourceError(f"dbnomics: period_start_day {str(day)[:30]!r} is not a date") from None
    if value == "NA" or value is None:
        return date, None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SourceError(f"dbnomics: value on {date} is {str(value)[:30]!r}, not a number or 'NA'")
    return date, float(value)
