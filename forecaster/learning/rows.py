"""What the learning code reads: one resolved forecast target of a past round, with every member's forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from forecaster.names import NOT_AGENTS

# Horizon bands for reports: market questions have no horizon; dataset ones are asked 7 to 3650 days out.
BANDS = ((7, "<=7d"), (30, "8-30d"), (90, "31-90d"), (180, "91-180d"), (10**9, ">180d"))
MARKET_BAND = "market"


@dataclass(frozen=True)
class LearningRow:
    """One (question, resolution date) of one round: what the members said and what it resolved to.

    `outcome` lies in [0, 1]: 0 or 1 once resolved; an unresolved market row carries the market's latest value
    (scored against it, as ForecastBench does). `resolved_on` is the date the outcome was known (None: unknown).
    """

    round: str
    due_date: dt.date
    question_id: str
    source: str
    horizon_days: int | None
    outcome: float
    resolved_on: dt.date | None
    crowd: float | None = None
    agents: Mapping[str, float] = field(default_factory=dict)


def horizon_band(horizon_days: int | None) -> str:
    """The report band of a horizon (None: a market question)."""
    if horizon_days is None:
        return MARKET_BAND
    return next(label for limit, label in BANDS if horizon_days <= limit)


def known_before(rows: Iterable[LearningRow], as_of: dt.date | None) -> list[LearningRow]:
    """The rows whose outcome was known strictly before `as_of` (all of them when `as_of` is None)."""
    if as_of is None:
        return list(rows)
    return [r for r in rows if r.resolved_on is not None and r.resolved_on < as_of]


def agents_only(row: LearningRow) -> dict[str, float]:
    """The row's agents' forecasts, without the crowd and series members."""
    return {name: p for name, p in row.agents.items() if name not in NOT_AGENTS}


def agent_names(rows: Sequence[LearningRow]) -> list[str]:
    """Every agent with a forecast in the rows, sorted."""
    return sorted({name for r in rows for name in r.agents})
