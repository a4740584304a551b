"""The seasonal period that goes with a pandas frequency."""

from __future__ import annotations

from pandas.tseries.frequencies import to_offset

# Offset name prefixes (pandas 2.2+ spelling first) and the period a classical model uses.
_PERIODS = {"ME": 12, "MS": 12, "M": 12, "QE": 4, "QS": 4, "Q": 4, "W": 52, "D": 7, "B": 5, "h": 24, "H": 24,
            "min": 60, "YE": 1, "YS": 1, "Y": 1, "A": 1}


def season_length(freq: str) -> int:
    """Seasonal period for `freq` (12 for monthly, 4 quarterly, 7 daily ...); 1 when unknown."""
    name = to_offset(freq).name.split("-")[0]
    for prefix in sorted(_PERIODS, key=len, reverse=True):
        if name.startswith(prefix):
            return _PERIODS[prefix]
    return 1
