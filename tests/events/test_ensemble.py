"""Each aggregation method on inputs whose answer is worked out by hand."""

import math

import pytest

from forecaster.events.ensemble import combine

PROBS = [0.1, 0.2, 0.3, 0.9]


def test_mean_averages_probabilities():
    assert combine(PROBS, "mean") == pytest.approx(0.375)


def test_weighted_mean_uses_weights():
    assert combine([0.2, 0.8], "mean", weights=[3, 1]) == pytest.approx(0.35)


def test_median_of_even_count_averages_middle_two():
    assert combine(PROBS, "median") == pytest.approx(0.25)


def test_median_of_odd_count_is_middle_value():
    assert combine([0.9, 0.1, 0.4], "median") == pytest.approx(0.4)


def test_trimmed_mean_drops_a_quarter_from_each_tail():
    # four equal weights, trim 25% each side: the mean of 0.2 and 0.3
    assert combine(PROBS, "trimmed_mean", trim_fraction=0.25) == pytest.approx(0.25)


def test_trimmed_mean_with_fractional_trim_keeps_part_of_the_edge_forecasts():
    # trim 10% of weight from each tail: 0.1 and 0.9 keep 0.15 of weight each, the middle two 0.25 each
    expected = (0.15 * 0.1 + 0.25 * 0.2 + 0.25 * 0.3 + 0.15 * 0.9) / 0.8
    assert combine(PROBS, "trimmed_mean", trim_fraction=0.1) == pytest.approx(expected)


def test_geometric_mean_of_odds_of_reciprocal_odds_is_one_half():
    assert combine([0.2, 0.8], "geo_mean_odds") == pytest.approx(0.5)


def test_geometric_mean_of_odds_by_hand():
    odds = math.sqrt((0.6 / 0.4) * (0.9 / 0.1))
    assert combine([0.6, 0.9], "geo_mean_odds") == pytest.approx(odds / (1 + odds))


def test_extremized_logodds_pushes_agreement_outwards():
    # odds 4 squared by factor 2: 16/17
    assert combine([0.8, 0.8], "extremized_logodds", extremize_factor=2.0) == pytest.approx(16 / 17)


def test_extremizing_keeps_one_half_fixed():
    assert combine([0.3, 0.7], "extremized_logodds", extremize_factor=3.0) == pytest.approx(0.5)


def test_odds_methods_survive_certain_forecasts():
    assert 0 < combine([0.0, 1.0, 1.0], "geo_mean_odds") < 1


def test_unknown_method_names_the_setting():
    with pytest.raises(ValueError, match="ensemble.method"):
        combine(PROBS, "vote")


def test_weights_must_match_agents():
    with pytest.raises(ValueError, match="weight"):
        combine(PROBS, "mean", weights=[1, 2])
