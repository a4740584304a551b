"""The ensemble of typed forecasts: option vectors pooled option by option with the configured method, then
renormalised; CDFs pooled as a linear mixture (method `mixture`: the pooled CDF is the weighted mean of the
members' CDFs, i.e. a forecast drawn from a member chosen by weight), then conformed to the server's rules."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from forecaster.events.typed.cdf import conform
from forecaster.events.typed.choice import conform_choice
from forecaster.events.typed.scale import Scale

MIXTURE = "mixture"


def pool_choices(vectors: Sequence[Sequence[float]], weights: Sequence[float], combine) -> tuple[float, ...]:
    """`combine(probs, weights)` (the configured binary pool) per option, then renormalised over the options."""
    columns = np.asarray(vectors, dtype=float).T
    pooled = np.array([combine(list(column), list(weights)) for column in columns])
    pooled = np.clip(pooled, 1e-12, None)
    return conform_choice(pooled / pooled.sum())


def pool_cdfs(cdfs: Sequence[Sequence[float]], weights: Sequence[float], scale: Scale) -> tuple[float, ...]:
    """The weighted linear mixture of the CDFs, conformed."""
    w = np.asarray(weights, dtype=float)
    mixed = (w / w.sum()) @ np.asarray(cdfs, dtype=float)
    return conform(mixed, scale.open_lower_bound, scale.open_upper_bound, scale.outcome_count)


def typed_ensemble(question, forecasts, settings, method: str):
    """The ensemble of the agents' typed forecasts of one question: option vectors by the configured method
    (its fallback when that is 'learned', which knows yes/no only), CDFs as a mixture. `probability` holds the
    same headline as an agent's (top option's probability, median position)."""
    from forecaster.events.ensemble import EnsembleForecast, combine_with_settings, plain_method
    from forecaster.events.typed.cdf import cdf_quantile
    from forecaster.events.typed.values import CDF, CHOICE, TypedValues

    members = [f for f in forecasts if f.typed is not None]
    weights = [f.weight for f in members]
    if members[0].typed.kind == CHOICE:
        plain = plain_method(settings) if method == "learned" else method
        pool = lambda probs, w: combine_with_settings(probs, settings, plain, w)  # noqa: E731
        values = pool_choices([f.typed.values for f in members], weights, pool)
        return EnsembleForecast(question.id, plain, max(values), tuple(f.agent for f in members),
                                typed=TypedValues(CHOICE, values))
    values = pool_cdfs([f.typed.values for f in members], weights, Scale.of(question))
    return EnsembleForecast(question.id, MIXTURE, cdf_quantile(values, 0.5), tuple(f.agent for f in members),
                            typed=TypedValues(CDF, values))
