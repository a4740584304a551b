"""CDFs from the ladder's reads, on the edge cases the server's rules make hard: all the mass at one end, open and
closed bounds, a log scale, a date range; and option vectors that must stay inside [0.001, 0.999]."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.events.typed.cdf import cdf_from_ladder, conform, isotonic
from forecaster.events.typed.choice import conform_choice
from forecaster.events.typed.ladder import ladder_positions
from forecaster.events.typed.pooling import pool_cdfs
from forecaster.events.typed.rules import choice_problems, cdf_problems
from forecaster.events.typed.scale import Scale

BOUNDS = [(False, False), (True, False), (False, True), (True, True)]


def read(scale: Scale, reads: list[float]) -> tuple[float, ...]:
    return cdf_from_ladder(ladder_positions(scale), reads, scale)


@pytest.mark.parametrize("open_lower, open_upper", BOUNDS)
@pytest.mark.parametrize("reads", [[1.0] * 8, [0.0] * 8, [0, 0, 0, 0, 1, 1, 1, 1]],
                         ids=["all mass at the low end", "all mass at the high end", "all mass in one step"])
def test_the_cdf_meets_every_server_rule(open_lower, open_upper, reads):
    scale = Scale(0, 100, open_lower_bound=open_lower, open_upper_bound=open_upper)
    assert cdf_problems(read(scale, reads), open_lower, open_upper, 200) == []


def test_closed_bounds_pin_the_ends_to_zero_and_one():
    cdf = read(Scale(0, 100), [0.2] * 8)
    assert (cdf[0], cdf[-1], len(cdf)) == (0.0, 1.0, 201)


def test_an_open_lower_bound_keeps_the_mass_read_below_the_range():
    cdf = read(Scale(0, 100, open_lower_bound=True), [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    assert cdf[0] == pytest.approx(0.3, abs=0.01)


def test_an_open_upper_bound_keeps_the_mass_read_above_the_range():
    cdf = read(Scale(0, 100, open_upper_bound=True), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75])
    assert 1 - cdf[-1] == pytest.approx(0.25, abs=0.01)


def test_reads_that_fall_are_made_monotone():
    assert isotonic([0.1, 0.6, 0.5, 0.9]) == pytest.approx([0.1, 0.55, 0.55, 0.9])


def test_a_log_scale_reads_thresholds_evenly_in_log_space():
    scale = Scale(1, 10_000, zero_point=0)
    values = [scale.value(x) for x in ladder_positions(scale)]
    ratios = [b / a for a, b in zip(values, values[1:])]
    assert ratios == pytest.approx([ratios[0]] * 7)
    assert scale.position(scale.value(0.37)) == pytest.approx(0.37)


def test_a_date_range_spreads_thresholds_over_time():
    start, end = (dt.datetime(y, 1, 1, tzinfo=dt.timezone.utc).timestamp() for y in (2027, 2028))
    scale = Scale(start, end, kind="date")
    shown = [scale.shown(scale.value(x)) for x in ladder_positions(scale)]
    assert shown[0] == "2027-02-10" and shown[-1] == "2027-11-21"
    assert cdf_problems(read(scale, [0.05, 0.1, 0.3, 0.5, 0.6, 0.7, 0.9, 0.97]), False, False, 200) == []


def test_a_discrete_question_gets_outcome_count_plus_one_values():
    scale = Scale(0, 20, kind="discrete", outcome_count=21)
    cdf = read(scale, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    assert len(cdf) == 22 and cdf_problems(cdf, False, False, 21) == []


def test_rounding_a_conformed_cdf_to_six_decimals_breaks_no_rule():
    cdf = conform([0.0] * 100 + [1.0] * 101, True, True, 200)
    assert cdf_problems([round(v, 6) for v in cdf], True, True, 200) == []


def test_a_mixture_of_cdfs_meets_the_rules():
    scale = Scale(0, 100, open_upper_bound=True)
    low, high = read(scale, [1.0] * 8), read(scale, [0.0] * 8)
    assert cdf_problems(pool_cdfs([low, high], [1, 3], scale), False, True, 200) == []


def test_a_certain_option_is_kept_inside_the_servers_bounds():
    probs = conform_choice([1.0, 0.0, 0.0, 0.0])
    assert choice_problems(dict(zip("ABCD", probs)), list("ABCD")) == []
    assert probs[0] > 0.99


def test_thirds_round_to_a_vector_summing_to_one():
    probs = conform_choice([1 / 3, 1 / 3, 1 / 3])
    assert sum(probs) == pytest.approx(1, abs=1e-12) and choice_problems(dict(zip("xyz", probs)), "xyz") == []
