"""Bootstrap intervals: seeded, reproducible, and consistent between the fast and the generic path."""

import numpy as np
import pytest

from forecaster.scoring.bootstrap import bootstrap_ci, bootstrap_mean_ci


LOSSES = np.random.default_rng(0).uniform(0, 1, 50)


def test_same_seed_gives_the_same_interval():
    assert bootstrap_mean_ci(LOSSES, seed=7) == bootstrap_mean_ci(LOSSES, seed=7)


def test_another_seed_gives_another_interval():
    assert bootstrap_mean_ci(LOSSES, seed=7) != bootstrap_mean_ci(LOSSES, seed=8)


def test_interval_brackets_the_observed_mean():
    assert LOSSES.mean() in bootstrap_mean_ci(LOSSES)


def test_identical_losses_give_a_zero_width_interval_at_their_value():
    interval = bootstrap_mean_ci([0.25] * 30)
    assert interval.low == pytest.approx(0.25) and interval.high == pytest.approx(0.25)


def test_higher_confidence_gives_a_wider_interval():
    narrow, wide = bootstrap_mean_ci(LOSSES, confidence=0.5), bootstrap_mean_ci(LOSSES, confidence=0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_generic_statistic_on_the_same_draws_matches_the_fast_mean_path():
    generic = bootstrap_ci(np.mean, LOSSES, n_resamples=300, seed=4)
    fast = bootstrap_mean_ci(LOSSES, n_resamples=300, seed=4)
    assert generic.low == pytest.approx(fast.low) and generic.high == pytest.approx(fast.high)


def test_zero_questions_cannot_be_bootstrapped():
    with pytest.raises(ValueError, match="zero questions"):
        bootstrap_mean_ci([])
