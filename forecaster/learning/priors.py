"""Base rates per (source, horizon) from resolved rows, shrunk towards the source's rate and that towards 0.5.

rate(source) = (Σy + k·0.5) / (n + k);  rate(source, h) = (Σy_h + k·rate(source)) / (n_h + k), k = `strength`.
A horizon the rows never reached (a long one, early on) takes the rate of the source's nearest known horizon (in
log days); a market question (horizon None) takes its source's rate over its market rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from forecaster.learning.rows import LearningRow

DEFAULT_STRENGTH = 2.0


@dataclass(frozen=True)
class Priors:
    """Fitted rates: per source, and per (source, horizon); counts say how many rows each rests on."""

    by_source: Mapping[str, float]
    by_horizon: Mapping[str, Mapping[int, float]]
    counts: Mapping[str, Mapping[str, int]]
    strength: float = DEFAULT_STRENGTH

    def knows(self, source: str) -> bool:
        return source in self.by_source

    def rate(self, source: str, horizon_days: int | None) -> float | None:
        """The prior of a question; None for a source the fit never saw."""
        if source not in self.by_source:
            return None
        horizons = self.by_horizon.get(source, {})
        if horizon_days is None or not horizons:
            return self.by_source[source]
        if horizon_days in horizons:
            return horizons[horizon_days]
        nearest = min(horizons, key=lambda h: abs(math.log(max(h, 1)) - math.log(max(horizon_days, 1))))
        return horizons[nearest]

    def as_dict(self) -> dict:
        """Plain JSON types (horizon keys as strings)."""
        return {"strength": self.strength, "by_source": dict(self.by_source),
                "by_horizon": {s: {str(h): v for h, v in hs.items()} for s, hs in self.by_horizon.items()},
                "counts": {s: dict(c) for s, c in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Priors":
        return cls(by_source={s: float(v) for s, v in data["by_source"].items()},
                   by_horizon={s: {int(h): float(v) for h, v in hs.items()} for s, hs in data["by_horizon"].items()},
                   counts={s: {k: int(n) for k, n in c.items()} for s, c in data.get("counts", {}).items()},
                   strength=float(data.get("strength", DEFAULT_STRENGTH)))


def fit_priors(rows: Iterable[LearningRow], strength: float = DEFAULT_STRENGTH) -> Priors:
    """Shrunk base rates from resolved rows (fractional outcomes count as fractions of a YES)."""
    if strength <= 0:
        raise ValueError(f"strength must be positive (got {strength})")
    sums: dict[str, dict[int | None, list[float]]] = {}
    for r in rows:
        cell = sums.setdefault(r.source, {}).setdefault(r.horizon_days, [0.0, 0])
        cell[0] += r.outcome
        cell[1] += 1
    by_source, by_horizon, counts = {}, {}, {}
    for source, cells in sorted(sums.items()):
        yes = sum(c[0] for c in cells.values())
        n = sum(c[1] for c in cells.values())
        base = (yes + strength * 0.5) / (n + strength)
        by_source[source] = base
        by_horizon[source] = {h: (c[0] + strength * base) / (c[1] + strength)
                              for h, c in sorted(cells.items()) if h is not None}
        counts[source] = {("market" if h is None else str(h)): c[1] for h, c in sorted(cells.items(), key=_key)}
    return Priors(by_source, by_horizon, counts, strength)


def _key(item) -> float:
    return -1 if item[0] is None else item[0]
