"""The combiner fitted on synthetic rounds with a known answer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from forecaster.learning.combiner import fit_combiner
from forecaster.learning.priors import fit_priors
from tests.learning.synthetic import synthetic_round


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(7)
    return [r for k in range(6) for r in synthetic_round(k, rng)]


def test_a_member_that_is_pure_noise_gets_a_weight_near_zero(rows):
    combiner = fit_combiner(rows)
    assert abs(combiner.weights["noise"]) < 0.1
    assert combiner.weights["oracle"] + combiner.weights["crowd"] > 0.7


def test_a_source_that_always_resolves_no_gets_a_prior_near_zero(rows):
    priors = fit_priors(rows)
    assert priors.rate("always-no", 7) < 0.01
    assert priors.rate("coin", 7) == pytest.approx(0.5, abs=0.06)


def test_the_learned_forecast_of_an_always_no_source_is_near_zero(rows):
    combiner = fit_combiner(rows)
    assert combiner.combine("always-no", 7, None, {}).probability < 0.02


def test_without_agents_only_crowd_and_priors_are_fitted():
    rng = np.random.default_rng(3)
    combiner = fit_combiner([r for k in range(3) for r in synthetic_round(k, rng, agents=False)])
    assert set(combiner.weights) == {"crowd"}
    assert combiner.fitted["agents_fitted"] is False
    assert combiner.weights["crowd"] == pytest.approx(1.0, abs=0.25)


def test_a_file_without_agent_weights_gives_agents_weight_zero_and_says_so():
    rng = np.random.default_rng(3)
    combiner = fit_combiner([r for k in range(3) for r in synthetic_round(k, rng, agents=False)])
    alone = combiner.combine("coin", 7, None, {})
    with_agent = combiner.combine("coin", 7, None, {"oracle": 0.99})
    assert with_agent.probability == pytest.approx(alone.probability)
    assert "no agent weights" in with_agent.note and alone.note is None


def test_an_unknown_source_falls_back_with_a_reason(rows):
    result = fit_combiner(rows).combine("elsewhere", 7, None, {})
    assert result.probability is None and "'elsewhere'" in result.note


def test_an_unseen_horizon_takes_the_nearest_known_one(rows):
    priors = fit_priors(rows)
    assert priors.rate("always-no", 365) == priors.rate("always-no", 7)


def test_an_agent_is_weighed_beside_the_crowd_apart_from_where_it_speaks_alone(rows):
    # "local" knows the dataset questions' answers and says nothing of the markets (noise there).
    rng = np.random.default_rng(5)
    local = [replace(r, agents={"local": float(rng.uniform(0.02, 0.98)) if r.crowd is not None
                                else r.agents["oracle"]}) for r in rows]
    combiner = fit_combiner(local)
    assert combiner.weights["local"] > 0.5
    assert abs(combiner.crowd_agent_weights["local"]) < 0.05
    market = combiner.combine("market", None, 0.8, {"local": 0.05})
    assert market.probability == pytest.approx(combiner.combine("market", None, 0.8, {"local": 0.95}).probability,
                                               abs=0.03)
