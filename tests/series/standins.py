"""Stand-ins for the series sources: real HTTP servers on 127.0.0.1 speaking FRED's, DBnomics' and Yahoo's shapes
(/work/shared/notes/question-platforms.md, last section). Faults are queued with `fail` as on every stand-in."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from tests.feeds.standins import Answer, Request, StandIn

Points = Mapping[dt.date, float | None]


def weekday_points(start: dt.date, values: list[float | None]) -> dict[dt.date, float | None]:
    """`values` on consecutive business days from `start` (weekends skipped, as a market's series has them)."""
    out, day = {}, start
    for value in values:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        out[day] = value
        day += dt.timedelta(days=1)
    return out


class FredStandIn(StandIn):
    """`/fred/series/observations`: values as strings, "." for missing, `count`/`offset`/`limit` paging (a page
    holds at most `page_cap`), observation_end honoured, a 400 naming api_key for any other key."""

    def __init__(self, series: Mapping[str, Points], api_key: str = "fred-secret-key") -> None:
        super().__init__()
        self.series, self.api_key = dict(series), api_key

    def route(self, request: Request) -> Answer:
        if request.path != "/fred/series/observations":
            return 404, {"error_code": 404, "error_message": "Not Found"}
        q = request.query
        if q.get("api_key") != self.api_key:
            return 400, {"error_code": 400, "error_message": "Bad Request.  The value for variable api_key is not "
                         "registered.  Read https://fred.stlouisfed.org/docs/api/api_key.html for more information."}
        points = self.series.get(q.get("series_id", ""))
        if points is None:
            return 400, {"error_code": 400, "error_message": "Bad Request.  The series does not exist."}
        end = dt.date.fromisoformat(q["observation_end"]) if q.get("observation_end") else dt.date.max
        rows = [{"realtime_start": q.get("realtime_start", ""), "realtime_end": q.get("realtime_end", ""),
                 "date": d.isoformat(), "value": "." if v is None else f"{v}"}
                for d, v in sorted(points.items()) if d <= end]
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", 100000)), self.page_cap)
        return 200, {"count": len(rows), "offset": offset, "limit": limit, "observations": rows[offset:offset + limit]}


class DbnomicsStandIn(StandIn):
    """`/v22/series/{provider}/{dataset}/{series}?observations=1`: `period_start_day[]` and `value[]` ("NA")."""

    def __init__(self, series: Mapping[str, Points]) -> None:
        super().__init__()
        self.series = dict(series)  # keyed by "provider/dataset/series"

    def route(self, request: Request) -> Answer:
        code = request.path.removeprefix("/v22/series/")
        points = self.series.get(code)
        if points is None:
            return 404, {"message": f"Series not found: {code}"}
        days = sorted(points)
        provider, dataset, series = code.split("/")
        doc = {"provider_code": provider, "dataset_code": dataset, "series_code": series,
               "period": [d.isoformat() for d in days], "period_start_day": [d.isoformat() for d in days],
               "value": ["NA" if points[d] is None else points[d] for d in days]}
        return 200, {"series": {"docs": [doc], "num_found": 1, "limit": 1000, "offset": 0}}


class YahooStandIn(StandIn):
    """`/v8/finance/chart/{ticker}`: epoch timestamps at the New York open, closes with nulls, period1/period2
    honoured; an unknown ticker is a 404 with chart.error."""

    ZONE_OFFSET_H = -5  # 09:30 New York is 14:30 UTC in winter

    def __init__(self, series: Mapping[str, Points]) -> None:
        super().__init__()
        self.series = dict(series)

    def route(self, request: Request) -> Answer:
        ticker = request.path.removeprefix("/v8/finance/chart/")
        points = self.series.get(ticker)
        if points is None:
            return 404, {"chart": {"result": None, "error": {"code": "Not Found",
                                                             "description": "No data found, symbol may be delisted"}}}
        start, end = int(request.query.get("period1", 0)), int(request.query.get("period2", 2**40))
        stamps, closes = [], []
        for day in sorted(points):
            stamp = int(dt.datetime.combine(day, dt.time(14, 30), dt.timezone.utc).timestamp())
            if start <= stamp < end:
                stamps.append(stamp)
                closes.append(points[day])
        meta = {"symbol": ticker, "exchangeTimezoneName": "America/New_York", "currency": "USD"}
        return 200, {"chart": {"result": [{"meta": meta, "timestamp": stamps,
                                           "indicators": {"quote": [{"close": closes, "open": closes}]}}],
                               "error": None}}


def series_settings_env(fred: str | None = None, dbnomics: str | None = None, yahoo: str | None = None,
                        api_key: str = "fred-secret-key") -> dict[str, str]:
    """The environment that points the forecaster's `[series]` settings at the stand-ins, retries kept short."""
    env: dict[str, str] = {}
    for name, url in (("FRED", fred and fred + "/fred"), ("DBNOMICS", dbnomics and dbnomics + "/v22"),
                      ("YAHOO", yahoo)):
        if url:
            env[f"FORECASTER_SERIES__{name}__BASE_URL"] = url
            env.update({f"FORECASTER_SERIES__{name}__{k}": v for k, v in
                        {"RETRIES": "2", "RETRY_BACKOFF_S": "0", "MAX_RETRY_AFTER_S": "2",
                         "REQUEST_TIMEOUT_S": "5"}.items()})
    if fred:
        env["FORECASTER_SERIES__FRED__API_KEY"] = api_key
    return env


