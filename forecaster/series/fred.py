"""FRED: `GET {base}/series/observations`, values as strings ("." for missing), paged by offset and limit.

The values are read as they were known the day before the due date (`realtime_start = realtime_end`): a later
revision never reaches the model.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forecaster.series.http import SourceError, SourceHttp, SourceRefused, need
from forecaster.series.observations import Observations
from forecaster.settings_series import FredSettings

PAGE = 100_000  # FRED's largest `limit`


def fetch_fred(series_id: str, before: dt.date, settings: FredSettings, http: SourceHttp) -> Observations:
    """The series' observations dated before `before`, as known on the day before it."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise SourceError("fred: no api_key configured (series.fred.api_key or FORECASTER_SERIES__FRED__API_KEY)")
    key = settings.api_key.get_secret_value()
    last = (before - dt.timedelta(days=1)).isoformat()
    params = {"series_id": series_id, "api_key": key, "file_type": "json", "observation_end": last,
              "realtime_start": last, "realtime_end": last, "limit": PAGE}
    pairs: list[tuple[dt.date, float | None]] = []
    offset = 0
    while True:
        page = _page(http, {**params, "offset": offset}, key)
        rows = need(page, "observations", "fred")
        pairs += [_pair(row) for row in rows]
        offset += len(rows)
        if not rows or offset >= int(page.get("count", 0)):
            return Observations.of(pairs).before(before)


def _page(http: SourceHttp, params: dict[str, Any], key: str) -> Any:
    try:
        return http.get("/series/observations", params)
    except SourceRefused as exc:
        message = exc.answer.get("error_message", "") if isinstance(exc.answer, dict) else ""
        message = message.replace(key, "***")[:200]
        if "api_key" in message or exc.status in (401, 403):
            raise SourceRefused(f"fred: the api_key was refused (HTTP {exc.status}); check series.fred.api_key",
                                exc.status) from None
        raise SourceRefused(f"fred: series {params['series_id']!r} refused with HTTP {exc.status}: {message}",
                            exc.status) from None


def _pair(row: Any) -> tuple[dt.date, float | None]:
    try:
        day = dt.date.fromisoformat(row["date"])
        text = row["value"]
    except (TypeError, KeyError, ValueError):
        raise SourceError(f"fred: an observation lacks a date or value: {str(row)[:100]}") from None
    if text in (".", "", None):
        return day, None
    try:
        return day, float(text)
    except (TypeError, ValueError):
        raise SourceError(f"fred: observation {day} has value {str(text)[:30]!r}, not a number or '.'") from None
