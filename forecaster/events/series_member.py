"""The `series` member of a question about a number (`forecaster.series`), as an agent-like forecast: stored,
shown by `history`, plotted and pooled like the crowd. Its distribution puts the mass on the two whole
percentages around its probability, so its mean is the member's number exactly."""

from __future__ import annotations

from forecaster.events.agents import AgentForecast, ForecastFailure
from forecaster.events.crowd import point_distribution
from forecaster.names import SERIES
from forecaster.series.member import Outcome, SeriesFailure, SeriesForecast


def series_member(outcome: Outcome, weight: float) -> AgentForecast | ForecastFailure:
    """The member's forecast, or the failure that leaves the question to the other members."""
    if isinstance(outcome, SeriesFailure):
        return ForecastFailure(outcome.question_id, SERIES, outcome.reason)
    return AgentForecast(outcome.question_id, SERIES, outcome.model, SERIES, weight, *_distribution(outcome),
                         1.0, False, prompt="", reasoning=_reasoning(outcome))


def _distribution(f: SeriesForecast) -> tuple:
    dist = point_distribution(f.probability)
    return dist.probs, f.probability, dist.median, dist.mode, dist.entropy_bits


def _reasoning(f: SeriesForecast) -> str:
    median = f.quantiles[f.levels.index(0.5)]
    low, high = f.quantiles[f.levels.index(0.1)], f.quantiles[f.levels.index(0.9)]
    if f.ref.threshold is not None:
        what = f"{f.reference:.6g}, the threshold"
    elif f.reference_known:
        what = f"{f.reference:.6g}, the value on {f.due}"
    else:
        what = f"the value on {f.due}, forecast too (last known {f.reference:.6g})"
    return (f"{f.ref.key}: P(value on {f.resolution_date} > {what}) = {f.probability:.3f} "
            f"from {f.model} quantiles (median {median:.6g}, 80% {low:.6g} to {high:.6g})")
