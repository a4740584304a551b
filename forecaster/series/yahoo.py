"""Yahoo's chart endpoint (what yfinance reads): daily closes, nulls for missing, dates in the exchange's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forecaster.series.http import SourceError, SourceHttp, SourceRefused, need
from forecaster.series.observations import Observations

HISTORY_DAYS = 3 * 365


def fetch_yahoo(ticker: str, before: dt.date, http: SourceHttp, history_days: int = HISTORY_DAYS) -> Observations:
    """Daily closes (not adjusted, as ForecastBench reads them) dated before `before`."""
    end = dt.datetime.combine(before, dt.time(), dt.timezone.utc)
    params = {"period1": int((end - dt.timedelta(days=history_days)).timestamp()), "period2": int(end.timestamp()),
              "interval": "1d", "includeAdjustedClose": "false"}
    try:
        answer = http.get(f"/v8/finance/chart/{ticker}", params)
    except SourceRefused as exc:
        raise SourceRefused(f"yfinance: ticker {ticker!r} refused with HTTP {exc.status}{_error(exc.answer)}",
                            exc.status) from None
    result = need(answer, "chart.result", "yfinance")
    if not result:
        raise SourceError(f"yfinance: no data for ticker {ticker!r}{_error(answer)}")
    zone = _zone(result[0].get("meta", {}).get("exchangeTimezoneName"))
    stamps = result[0].get("timestamp") or []
    closes = need(result[0], "indicators.quote.0.close", "yfinance")
    if len(stamps) != len(closes):
        raise SourceError("yfinance: timestamp and close must be lists of one length")
    days = [dt.datetime.fromtimestamp(int(t), zone).date() for t in stamps]
    return Observations.of(zip(days, (_close(c) for c in closes))).before(before)


def _zone(name: Any) -> dt.tzinfo:
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else dt.timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def _close(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SourceError(f"yfinance: close {str(value)[:30]!r} is not a number or null")
    return float(value)


def _error(answer: Any) -> str:
    error = answer.get("chart", {}).get("error") if isinstance(answer, dict) else None
    return f" ({str(error.get('description', ''))[:100]})" if isinstance(error, dict) else ""
