"""A question's series: `series: {source, id}` in our questions format (a threshold optional), checked at the door."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from forecaster.errors import InputError

# yfinance is the source's name in ForecastBench; "file" is the user's own series file (`[series] file`).
SOURCES = ("fred", "dbnomics", "yfinance", "file")
# ForecastBench's dataset sources whose question id names a series we can fetch (ACLED and Wikipedia ids do not).
SERIES_SOURCES = ("fred", "dbnomics", "yfinance")
ID_RULE = "1 to 128 characters: letters, digits, '^', '=', '_', '.', '-' (DBnomics writes '/' as '_')"
_ID = re.compile(r"[A-Za-z0-9^=_.-]{1,128}")


@dataclass(frozen=True)
class SeriesRef:
    """Which series a question is about; `threshold` set: the question asks whether it ends above that number,
    else whether it ends above its value on the due date."""

    source: str
    id: str
    threshold: float | None = None

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


def series_from_mapping(value: Any, where: str, quiet: bool = False) -> SeriesRef | None:
    """The `series` field of a question record (None when absent); a broken rule names the field (`quiet`:
    None instead)."""
    if quiet:
        try:
            return series_from_mapping(value, where)
        except InputError:
            return None
    if value is None:
        return None
    if isinstance(value, SeriesRef):
        return value
    if not isinstance(value, dict):
        raise InputError(f"{where}: field 'series' must be a mapping {{source, id}}, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in ("source", "id", "threshold"))
    if unknown:
        raise InputError(f"{where}: field 'series' has unknown key(s) {unknown}; allowed: id, source, threshold")
    source = value.get("source")
    if source not in SOURCES:
        raise InputError(f"{where}: field 'series.source' must be one of {', '.join(SOURCES)}, got {source!r}")
    identifier = value.get("id")
    if not isinstance(identifier, str) or not _ID.fullmatch(identifier):
        raise InputError(f"{where}: field 'series.id' must be {ID_RULE}, got {identifier!r}")
    return SeriesRef(source, identifier, _threshold(value.get("threshold"), where))


def _threshold(value: Any, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise InputError(f"{where}: field 'series.threshold' must be a finite number, got {str(value)[:40]}")
    return number
