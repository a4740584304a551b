"""The `series` member of questions about a number: fetch each series once as of its due date, forecast it to the
farthest resolution date asked, and read each question's P(value > reference) from its date's quantiles.

The reference is the question's threshold, else the series' value on the due date. That value is known when no new
one is due by then (a business-day series over a weekend: the last value carried forward, ForecastBench's
calendar); otherwise it is forecast too, and P(Y > Y0) averages over it. A series that cannot be had, or is too
short, fails its questions alone; they go on without this member.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from forecaster.errors import ForecasterError
from forecaster.series.cache import SeriesCache
from forecaster.series.http import SourceError, SourceUnreachable
from forecaster.series.model import LEVELS, Fan, forecast_quantiles, model_name
from forecaster.series.observations import Observations, daily, grid, next_expected, step_for
from forecaster.series.probability import probability_above, probability_above_unknown
from forecaster.series.ref import SeriesRef
from forecaster.series.sources import cached_fetch
from forecaster.settings import Settings

MIN_POINTS = 5
HISTORY_SHOWN = 365  # days of history kept with the forecast, for its plot


@dataclass(frozen=True)
class SeriesQuestion:
    """What the member needs of a question: its id, series, resolution date and due date."""

    question_id: str
    ref: SeriesRef
    resolution_date: dt.date | None
    due: dt.date


@dataclass(frozen=True)
class SeriesForecast:
    """One question's member forecast, with what it was read from."""

    question_id: str
    ref: SeriesRef
    model: str
    due: dt.date
    reference: float  # the threshold, else the last value before the due date
    reference_known: bool  # False: the due date's value is forecast (`reference_quantiles`)
    reference_quantiles: tuple[float, ...]
    resolution_date: dt.date
    levels: tuple[float, ...]
    quantiles: tuple[float, ...]  # at the resolution date
    probability: float
    history: Observations  # the last year before the due date, as fetched
    fan_days: tuple[dt.date, ...]  # the grid up to the resolution date
    fan: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class SeriesFailure:
    question_id: str
    reason: str


Outcome = SeriesForecast | SeriesFailure


def series_forecasts(questions: Sequence[SeriesQuestion], settings: Settings, cache: SeriesCache,
                     sleep: Callable[[float], None] = time.sleep) -> dict[str, Outcome]:
    """Every question's outcome, by question id; one fetch per (series, due date), one model call per grid."""
    groups: dict[tuple[str, str, dt.date], list[SeriesQuestion]] = {}
    for q in questions:
        groups.setdefault((q.ref.source, q.ref.id, q.due), []).append(q)
    out: dict[str, Outcome] = {}
    fetched: list[tuple[Sequence[SeriesQuestion], Observations]] = []
    down: dict[str, str] = {}  # sources found unreachable: not asked again in this call
    for (source, series_id, due), group in groups.items():
        try:
            if source in down:
                raise SourceError(f"{source}: source unavailable ({down[source]})")
            fetched.append((group, cached_fetch(SeriesRef(source, series_id), due, settings, cache, sleep)))
        except ForecasterError as exc:  # a source down, a key refused, a series unknown: recorded, not raised
            if isinstance(exc, SourceUnreachable):
                down[source] = str(exc)[:200]
            out.update({q.question_id: SeriesFailure(q.question_id, str(exc)[:500]) for q in group})
    out.update(forecast_groups(fetched, settings))
    return out


def group_forecasts(group: Sequence[SeriesQuestion], obs: Observations, settings: Settings) -> dict[str, Outcome]:
    """The questions of one series and due date, from its observations."""
    return forecast_groups([(group, obs)], settings)


@dataclass(frozen=True)
class _Plan:
    """What the model reads for one series: its grid's history, from the day before the due date."""

    last: dt.date
    last_value: float
    step: int
    steps: int
    history: np.ndarray


def forecast_groups(fetched: Sequence[tuple[Sequence[SeriesQuestion], Observations]],
                    settings: Settings) -> dict[str, Outcome]:
    """Each (series, due date)'s questions from its observations; the model runs once per number of steps (a
    round's series share one), so Chronos-2 forecasts them in one batch."""
    out: dict[str, Outcome] = {}
    plans = []
    for group, obs in fetched:
        due = group[0].due
        obs = obs.before(due)  # defence in depth: whatever a source returned, nothing on or after the due date
        usable = []
        for q in group:
            problem = _problem(q, obs)
            if problem:
                out[q.question_id] = SeriesFailure(q.question_id, f"{q.ref.key}: {problem}")
            else:
                usable.append(q)
        if usable:
            horizons = [(q.resolution_date - due).days + 1 for q in usable]  # type: ignore[operator]
            plans.append((usable, obs, _plan(obs, due, horizons, settings)))
    fans = _fans([plan for _, _, plan in plans], settings)
    for (usable, obs, _), fan in zip(plans, fans):
        for q in usable:
            out[q.question_id] = (_forecast(q, obs, fan, settings) if isinstance(fan, Fan)
                                  else SeriesFailure(q.question_id, f"{q.ref.key}: {fan}"))
    return out


def _plan(obs: Observations, due: dt.date, horizons: Sequence[int], settings: Settings) -> _Plan:
    """The grid reaching the longest horizon (days after the day before `due`) and its history."""
    last = due - dt.timedelta(days=1)
    _, values = daily(obs, last)
    step = step_for(horizons, settings.series.max_steps)
    return _Plan(last, float(values[-1]), step, math.ceil(max(horizons) / step),
                 grid(values, step, settings.series.max_history))


def _fans(plans: Sequence[_Plan], settings: Settings) -> list[Fan | str]:
    """Each plan's fan, or why the model could not forecast it (the member fails; the run goes on)."""
    fans: list[Fan | str] = [""] * len(plans)
    by_steps: dict[int, list[int]] = {}
    for i, plan in enumerate(plans):
        by_steps.setdefault(plan.steps, []).append(i)
    for steps, indexes in by_steps.items():
        try:
            quantiles = forecast_quantiles([plans[i].history for i in indexes], steps, settings)
        except Exception as exc:  # a model server down, a checkpoint missing: this member only
            quantiles = [f"{model_name(settings)} failed: {type(exc).__name__}: {str(exc)[:200]}"] * len(indexes)
        for i, q in zip(indexes, quantiles):
            p = plans[i]
            fans[i] = q if isinstance(q, str) else Fan(p.last, p.last_value, p.step, LEVELS, q)
    return fans


def _problem(q: SeriesQuestion, obs: Observations) -> str | None:
    if q.resolution_date is None:
        return "the question has no resolution date"
    if q.resolution_date < q.due:
        return f"resolution date {q.resolution_date} is before the due date {q.due}"
    if len(obs) < MIN_POINTS:
        return f"{len(obs)} observation(s) before {q.due}; the model needs at least {MIN_POINTS}"
    return None


def _forecast(q: SeriesQuestion, obs: Observations, fan: Fan, settings: Settings) -> SeriesForecast:
    assert q.resolution_date is not None
    known = q.ref.threshold is not None or next_expected(obs) > q.due
    reference = q.ref.threshold if q.ref.threshold is not None else fan.last_value
    quantiles, at_due = fan.at(q.resolution_date), fan.at(q.due)
    clip = settings.series.clip
    p = (probability_above(quantiles, LEVELS, reference, clip) if known
         else probability_above_unknown(quantiles, at_due, LEVELS, clip))
    keep = [d for d in fan.days() if d <= q.resolution_date + dt.timedelta(days=fan.step)]
    start = q.due - dt.timedelta(days=HISTORY_SHOWN)
    shown = Observations.of((d, v) for d, v in zip(obs.dates, obs.values) if d >= start)
    return SeriesForecast(
        question_id=q.question_id, ref=q.ref, model=model_name(settings), due=q.due, reference=reference,
        reference_known=known, reference_quantiles=tuple(float(v) for v in at_due),
        resolution_date=q.resolution_date, levels=LEVELS, quantiles=tuple(float(v) for v in quantiles),
        probability=p, history=shown,
        fan_days=tuple(keep), fan=tuple(tuple(float(v) for v in row) for row in fan.quantiles[: len(keep)]))


def question_inputs(questions: Sequence, days: Mapping[str, dt.date]) -> list[SeriesQuestion]:
    """The member's view of the questions that name a series (`question.series`), each due on its forecast day."""
    return [SeriesQuestion(q.id, q.series, q.resolution_date, days[q.id]) for q in questions
            if getattr(q, "series", None) is not None]

