"""A question's series from its source, as of a day, through the cache: one call per (source, id, as-of)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from forecaster.series.cache import SeriesCache
from forecaster.series.dbnomics import fetch_dbnomics
from forecaster.series.fred import fetch_fred
from forecaster.series.http import SourceError, SourceHttp
from forecaster.series.observations import Observations
from forecaster.series.ref import SeriesRef
from forecaster.series.user_file import fetch_file
from forecaster.series.yahoo import fetch_yahoo
from forecaster.settings import Settings


def fetch(ref: SeriesRef, before: dt.date, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Observations:
    """Everything the source holds dated before `before` (the due date); SourceError when it cannot be had."""
    if ref.source == "file":
        return fetch_file(ref.id, before, settings)
    source = {"fred": settings.series.fred, "dbnomics": settings.series.dbnomics, "yfinance": settings.series.yahoo}
    if ref.source not in source:
        raise SourceError(f"{ref.source}: not a series source")
    http = SourceHttp(ref.source, source[ref.source], sleep)
    try:
        if ref.source == "fred":
            return fetch_fred(ref.id, before, settings.series.fred, http)
        if ref.source == "dbnomics":
            return fetch_dbnomics(ref.id, before, http)
        return fetch_yahoo(ref.id, before, http)
    finally:
        http.close()


def cached_fetch(ref: SeriesRef, before: dt.date, settings: Settings, cache: SeriesCache,
                 sleep: Callable[[float], None] = time.sleep) -> Observations:
    """`fetch` through the cache (a user's file is read afresh: it is local, and the user may edit it)."""
    if ref.source == "file":
        return fetch(ref, before, settings, sleep)
    found = cache.get(ref.source, ref.id, before)
    if found is None:
        found = fetch(ref, before, settings, sleep)
        cache.put(ref.source, ref.id, before, found)
    return found
