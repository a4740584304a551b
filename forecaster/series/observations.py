"""A fetched series as dated values: the as-of cut, and the calendar the model reads (every day, gaps carried)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class Observations:
    """One series' values by date, oldest first, missing values left out."""

    dates: tuple[dt.date, ...]
    values: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[dt.date, float | None]]) -> "Observations":
        """From (date, value) pairs in any order: missing and non-finite values dropped, a repeated date's last
        value kept."""
        by_date: dict[dt.date, float] = {}
        for day, value in pairs:
            if value is not None and math.isfinite(value):
                by_date[day] = float(value)
        days = sorted(by_date)
        return cls(tuple(days), tuple(by_date[d] for d in days))

    def __len__(self) -> int:
        return len(self.dates)

    def before(self, day: dt.date) -> "Observations":
        """The as-of cut: only what is dated strictly before `day` (the due date) reaches the model."""
        keep = [i for i, d in enumerate(self.dates) if d < day]
        return Observations(tuple(self.dates[i] for i in keep), tuple(self.values[i] for i in keep))

    def to_json(self) -> dict:
        return {"dates": [d.isoformat() for d in self.dates], "values": list(self.values)}

    @classmethod
    def from_json(cls, data: dict) -> "Observations":
        return cls(tuple(dt.date.fromisoformat(d) for d in data["dates"]), tuple(float(v) for v in data["values"]))


def next_expected(obs: Observations, recent: int = 30) -> dt.date:
    """The day the series' next value is due: the next weekday for a business-day series, else the last day plus
    its usual gap. A due date before it has the last value carried onto it: that value is then known."""
    last = obs.dates[-1]
    days = obs.dates[-recent:]
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    gap = float(np.median(gaps)) if gaps else 1.0
    if gap <= 1.5 and all(d.weekday() < 5 for d in days):
        following = last + dt.timedelta(days=1)
        while following.weekday() >= 5:
            following += dt.timedelta(days=1)
        return following
    return last + dt.timedelta(days=max(1, round(gap)))


def daily(obs: Observations, through: dt.date) -> tuple[dt.date, np.ndarray]:
    """The series on every calendar day from its first observation through `through`, each day without a value
    (a weekend, a holiday, a gap, the days up to the due date) carrying the last one forward, as ForecastBench
    does when it resolves FRED and Yahoo questions. Returns the first day and the values."""
    if not obs.dates:
        raise ValueError("no observations")
    start = obs.dates[0]
    days = (through - start).days + 1
    out = np.empty(days)
    positions = [(d - start).days for d in obs.dates] + [days]
    for i, value in enumerate(obs.values):
        out[positions[i]:positions[i + 1]] = value
    return start, out


def grid(values: np.ndarray, step: int, max_points: int) -> np.ndarray:
    """Every `step`-th daily value ending at the last one (at most `max_points`): the coarser calendar a long
    horizon is forecast on."""
    picked = values[::-1][::step][::-1]
    return picked[-max_points:]


def step_for(horizons: Sequence[int], max_steps: int) -> int:
    """The grid's step in days: 1 unless the longest horizon needs more than `max_steps` steps."""
    return max(1, math.ceil(max(horizons) / max_steps))
