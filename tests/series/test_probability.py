"""P(value > reference) from quantiles, and the member on synthetic series whose answer is known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecaster.series.member import SeriesFailure, SeriesQuestion, group_forecasts
from forecaster.series.model import LEVELS
from forecaster.series.observations import Observations, daily, next_expected
from forecaster.series.probability import cdf, probability_above, probability_above_unknown
from forecaster.series.ref import SeriesRef
from forecaster.settings import Settings

DUE = dt.date(2026, 3, 2)
HORIZONS = (7, 30, 90, 365)


def synthetic(values) -> Observations:
    start = DUE - dt.timedelta(days=len(values))
    return Observations.of((start + dt.timedelta(days=i), float(v)) for i, v in enumerate(values))


def member(obs: Observations, threshold: float | None = None) -> dict[int, float]:
    ref = SeriesRef("file", "x", threshold)
    qs = [SeriesQuestion(f"q{h}", ref, DUE + dt.timedelta(days=h), DUE) for h in HORIZONS]
    out = group_forecasts(qs, obs, Settings(series={"model": "autoets"}))
    return {h: out[f"q{h}"].probability for h in HORIZONS}


def test_the_cdf_interpolates_between_quantiles():
    assert cdf([1.0, 2.0, 3.0], [0.1, 0.5, 0.9], 2.5) == pytest.approx(0.7)


def test_a_value_equal_to_a_flat_run_of_quantiles_counts_its_mass_below():
    assert cdf([1.0, 2.0, 2.0, 2.0, 3.0], [0.1, 0.3, 0.5, 0.7, 0.9], 2.0) == pytest.approx(0.7)


def test_a_tie_resolves_no_so_a_series_that_cannot_move_gets_the_floor():
    assert probability_above([5.0] * len(LEVELS), LEVELS, 5.0, clip=0.01) == 0.01


def test_the_probability_is_clipped_away_from_0_and_1():
    assert probability_above([1.0, 2.0], [0.1, 0.9], 100.0, clip=0.02) == 0.02
    assert probability_above([1.0, 2.0], [0.1, 0.9], -100.0, clip=0.02) == 0.98


def test_a_strong_upward_trend_gives_p_well_above_one_half_at_long_horizons():
    rng = np.random.default_rng(1)
    p = member(synthetic(100 + 0.5 * np.arange(400) + rng.normal(0, 1, 400)))
    assert p[90] > 0.9 and p[365] > 0.7  # the damped trend flattens, its spread grows: less sure a year out


def test_white_noise_gives_about_one_half_on_average():
    # Each series' answer depends on where its last draw fell; over many series it is a coin.
    rng = np.random.default_rng(2)
    p = [v for _ in range(20) for v in member(synthetic(50 + rng.normal(0, 1, 200))).values()]
    assert abs(np.mean(p) - 0.5) < 0.08


def test_white_noise_ending_at_its_mean_gives_about_one_half():
    rng = np.random.default_rng(4)
    p = member(synthetic([*(50 + rng.normal(0, 1, 300)), 50.0]))
    assert all(abs(v - 0.5) < 0.1 for v in p.values())


def test_a_constant_series_gives_the_no_side_of_a_tie():
    assert set(member(synthetic([7.0] * 60)).values()) == {0.01}


def test_a_threshold_replaces_the_reference():
    rng = np.random.default_rng(3)
    p = member(synthetic(50 + rng.normal(0, 1, 400)), threshold=45.0)
    assert all(v > 0.9 for v in p.values())


def test_the_model_never_sees_a_value_on_or_after_the_due_date():
    late = synthetic(np.arange(100.0))
    leaked = Observations.of([*zip(late.dates, late.values), (DUE, 1e9), (DUE + dt.timedelta(days=3), 1e9)])
    ref = SeriesRef("file", "x")
    out = group_forecasts([SeriesQuestion("q", ref, DUE + dt.timedelta(days=30), DUE)], leaked,
                          Settings(series={"model": "autoets"}))["q"]
    assert out.reference == 99.0 and max(out.quantiles) < 1e6 and max(out.history.dates) < DUE


def test_weekends_and_gaps_carry_the_last_value_forward():
    obs = Observations.of([(dt.date(2026, 2, 27), 1.0), (dt.date(2026, 3, 2), 2.0)])  # a Friday, a Monday
    start, values = daily(obs, dt.date(2026, 3, 3))
    assert start == dt.date(2026, 2, 27) and list(values) == [1.0, 1.0, 1.0, 2.0, 2.0]


def test_a_series_too_short_fails_its_questions_alone():
    ref = SeriesRef("file", "x")
    out = group_forecasts([SeriesQuestion("q", ref, DUE + dt.timedelta(days=7), DUE)], synthetic([1.0, 2.0]),
                          Settings())
    assert isinstance(out["q"], SeriesFailure) and "at least 5" in out["q"].reason


def test_long_horizons_are_forecast_on_a_coarser_grid_within_max_steps():
    ref = SeriesRef("file", "x")
    q = SeriesQuestion("q", ref, DUE + dt.timedelta(days=3650), DUE)
    out = group_forecasts([q], synthetic(100 + 0.1 * np.arange(800)), Settings(series={"model": "autoets"}))["q"]
    assert len(out.fan_days) <= 400 + 1 and out.fan_days[-1] >= q.resolution_date


def test_a_business_day_series_knows_its_value_over_the_weekend_due_date():
    fridays = Observations.of((dt.date(2026, 2, 2) + dt.timedelta(days=d), 1.0) for d in range(26) if d % 7 < 5)
    assert fridays.dates[-1] == dt.date(2026, 2, 27) and next_expected(fridays) == dt.date(2026, 3, 2)
    sunday = dt.date(2026, 3, 1)
    ref = SeriesRef("file", "x")
    out = group_forecasts([SeriesQuestion("q", ref, sunday + dt.timedelta(days=7), sunday)], fridays,
                          Settings(series={"model": "autoets"}))["q"]
    assert out.reference_known and out.probability == probability_above(out.quantiles, LEVELS, 1.0, 0.01)


def test_a_daily_series_forecasts_its_due_date_value_as_well():
    rng = np.random.default_rng(5)
    ref = SeriesRef("file", "x")
    out = group_forecasts([SeriesQuestion("q", ref, DUE + dt.timedelta(days=7), DUE)],
                          synthetic(50 + rng.normal(0, 1, 100)), Settings(series={"model": "autoets"}))["q"]
    assert not out.reference_known and np.ptp(out.reference_quantiles) > 1


def test_an_unknown_reference_with_the_same_distribution_is_a_coin():
    q = np.linspace(-2, 2, len(LEVELS))
    assert probability_above_unknown(q, q, LEVELS) == pytest.approx(0.5, abs=0.02)


def test_a_model_that_fails_fails_the_member_not_the_run():
    ref = SeriesRef("file", "x")
    settings = Settings(series={"model": "chronos"}, timeseries={"server_url": "http://127.0.0.1:9",
                                                                 "request_timeout_s": 2})
    out = group_forecasts([SeriesQuestion("q", ref, DUE + dt.timedelta(days=7), DUE)], synthetic(np.arange(50.0)),
                          settings)["q"]
    assert isinstance(out, SeriesFailure) and out.reason.startswith("file:x: chronos failed: ")


def test_a_seasonal_upswing_is_not_extrapolated_for_ever():
    # A daily temperature rising out of winter: an undamped trend ran it to 74 degrees a year out.
    t = np.arange(500)
    rng = np.random.default_rng(6)
    ref = SeriesRef("file", "x")
    out = group_forecasts([SeriesQuestion("q", ref, DUE + dt.timedelta(days=365), DUE)],
                          synthetic(12 + 8 * np.sin(2 * np.pi * (t - 100) / 365.25) + rng.normal(0, 2, 500)),
                          Settings(series={"model": "autoets"}))["q"]
    assert -5 < out.quantiles[LEVELS.index(0.5)] < 30
