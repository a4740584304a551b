"""A run scored against a ForecastBench resolution set, by ForecastBench's rules.

Every row of the resolution set for a question the run holds is scored: a market row (matched on source and id)
against `resolved_to`, which is 0 or 1 once the market resolved and the market's latest value until then; a
dataset row (matched on source, id and resolution date) against its 0 or 1. A void dataset row (not resolved, or
without a value) is left out. A question the run holds but could not forecast (a gap) counts as 0.5, as
ForecastBench imputes it. Rows for questions the run does not hold (a run of part of a set) are left out and
counted. Beside the run, two baselines on the same rows: 0.5 everywhere, and the naive forecaster (the set's
freeze value on market questions, 0.5 on dataset questions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from forecaster.errors import InputError
from forecaster.feeds.forecastbench import ResolutionSet, RoundResolution
from forecaster.feeds.forecastbench_runs import RoundForecast, RunRound

GAP_FORECAST = 0.5
SCOPES = ("overall", "market", "dataset")


@dataclass(frozen=True)
class ScoredRow:
    """One row of the resolution set the run is scored on."""

    id: str
    source: str
    resolution_date: date | None
    is_market: bool
    forecast: float  # the run's, or GAP_FORECAST on a gap
    naive: float
    resolved_to: float
    gap: bool


@dataclass(frozen=True)
class ScopeScore:
    """Mean Brier scores of the run and both baselines over one scope's rows."""

    scope: str
    n: int
    brier: float
    constant: float
    naive: float


@dataclass(frozen=True)
class RoundScore:
    """A run's scores on a round, with what was left out and why."""

    run_id: str
    question_set: str
    rows: list[ScoredRow]
    scopes: list[ScopeScore]
    void: int  # dataset rows left out: not resolved or without a value
    not_in_run: int  # rows for questions the run does not hold

    @property
    def gaps(self) -> int:
        return sum(row.gap for row in self.rows)


def scored_rows(run_round: RunRound, resolutions: ResolutionSet) -> tuple[list[ScoredRow], int, int]:
    """(rows scored, void rows left out, rows left out for questions the run does not hold)."""
    if resolutions.question_set != run_round.question_set:
        raise InputError(f"resolution set is for {resolutions.question_set}, run {run_round.run_id} forecast "
                         f"{run_round.question_set}")
    forecasts = {f.key: f for f in run_round.forecasts}
    rows: list[ScoredRow] = []
    void = not_in_run = 0
    for resolution in resolutions.resolutions:
        if resolution.void:
            void += 1
            continue
        forecast = forecasts.get(_key(resolution))
        if forecast is None:
            not_in_run += 1
            continue
        rows.append(_scored(resolution, forecast))
    return rows, void, not_in_run


def score_round(run_round: RunRound, resolutions: ResolutionSet) -> RoundScore:
    """The run's Brier scores overall, on market and on dataset rows, beside both baselines."""
    rows, void, not_in_run = scored_rows(run_round, resolutions)
    if not rows:
        raise InputError(f"run {run_round.run_id}: no row of the resolution set matches a question of the run "
                         f"({void} void, {not_in_run} for questions the run does not hold)")
    scopes = [scope_score(scope, [r for r in rows if _in_scope(r, scope)]) for scope in SCOPES]
    return RoundScore(run_round.run_id, run_round.question_set, rows, scopes, void, not_in_run)


def scope_score(scope: str, rows: Sequence[ScoredRow]) -> ScopeScore:
    """Mean Brier of the run, of 0.5 and of the naive forecaster on `rows` (NaN when there are none)."""
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else math.nan

    return ScopeScore(scope, len(rows), mean([brier(r.forecast, r.resolved_to) for r in rows]),
                      mean([brier(GAP_FORECAST, r.resolved_to) for r in rows]),
                      mean([brier(r.naive, r.resolved_to) for r in rows]))


def brier(forecast: float, resolved_to: float) -> float:
    """ForecastBench's Brier score of one row: the squared distance to what it resolved to (0, 1, or a value)."""
    return (forecast - resolved_to) ** 2


def score_lines(score: RoundScore) -> list[str]:
    """The three lines of scores, one per scope, in a fixed form a script can grep."""
    return [f"{s.scope:<8} brier {_num(s.brier)}  (0.5 everywhere {_num(s.constant)}, naive {_num(s.naive)})"
            f"  n={s.n}" for s in score.scopes]


def left_out_lines(score: RoundScore) -> list[str]:
    """What was imputed or left out, and why."""
    return [f"gaps (no forecast, scored as 0.5): {score.gaps}",
            f"void dataset rows left out: {score.void}",
            f"rows for questions the run does not hold, left out: {score.not_in_run}"]


def _key(resolution: RoundResolution) -> tuple[str, str, date | None]:
    return resolution.source, resolution.id, None if resolution.is_market else resolution.resolution_date


def _scored(resolution: RoundResolution, forecast: RoundForecast) -> ScoredRow:
    gap = forecast.probability is None
    naive = forecast.freeze_value if forecast.is_market and forecast.freeze_value is not None else GAP_FORECAST
    return ScoredRow(resolution.id, resolution.source, resolution.resolution_date, resolution.is_market,
                     GAP_FORECAST if gap else forecast.probability, naive, resolution.resolved_to, gap)


def _in_scope(row: ScoredRow, scope: str) -> bool:
    return scope == "overall" or (scope == "market") == row.is_market


def _num(value: float) -> str:
    return "   nan" if math.isnan(value) else f"{value:.4f}"
