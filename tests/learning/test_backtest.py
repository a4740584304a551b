"""The rolling-origin split and the as-of cut: no round is judged with what was learned from it or after it."""

from __future__ import annotations

import datetime as dt

import numpy as np

from forecaster.learning.backtest import AGENTS_MEAN, CONSTANT, LEARNED, NAIVE, PRIORS_REF, backtest, rolling_splits
from forecaster.learning.rows import known_before
from tests.learning.synthetic import synthetic_round

DUES = {f"r{k}": dt.date(2025, 1, 5) + dt.timedelta(days=14 * k) for k in range(5)}


def test_the_rolling_split_never_judges_a_round_it_fitted_on():
    splits = rolling_splits(DUES)
    assert [s.judge for s in splits] == ["r1", "r2", "r3", "r4"]
    for s in splits:
        assert s.judge not in s.fit
        assert all(DUES[name] < DUES[s.judge] for name in s.fit)
        assert s.as_of == DUES[s.judge]


def test_the_split_fits_on_every_earlier_round():
    assert rolling_splits(DUES)[-1].fit == ("r0", "r1", "r2", "r3")


def test_as_of_excludes_resolutions_dated_on_or_after_the_date():
    rows = synthetic_round(0, np.random.default_rng(1), n_market=2, n_dataset=2)
    cut = rows[-1].resolved_on  # the dataset rows' date; the market rows resolved two days earlier
    kept = known_before(rows, cut)
    assert [r.question_id for r in kept] == [r.question_id for r in rows if r.crowd is not None]
    assert len(known_before(rows, cut + dt.timedelta(days=1))) == len(rows)


def test_a_row_without_a_known_resolution_date_is_never_known_before_a_cut():
    rows = synthetic_round(0, np.random.default_rng(1), n_market=1, n_dataset=0)
    undated = [r.__class__(**{**r.__dict__, "resolved_on": None}) for r in rows]
    assert known_before(undated, dt.date(2100, 1, 1)) == []


def test_each_judged_round_is_fitted_only_on_outcomes_known_before_its_due_date():
    rng = np.random.default_rng(5)
    rounds = {name: synthetic_round(k, rng, 40, 40) for k, name in enumerate(DUES)}
    judged = backtest(rounds, DUES)
    for j in judged:
        earlier = [r for name in j.split.fit for r in rounds[name]]
        assert j.fit_rows == sum(1 for r in earlier if r.resolved_on < j.split.as_of)
        assert j.fit_rows > 0


def test_learning_beats_the_baselines_on_a_source_that_always_resolves_no():
    rng = np.random.default_rng(5)
    rounds = {name: synthetic_round(k, rng, 40, 40, agents=False) for k, name in enumerate(DUES)}
    scores = backtest(rounds, DUES)[-1].brier()
    assert scores[LEARNED] < scores[NAIVE] < scores[CONSTANT]
    assert scores[PRIORS_REF] < scores[NAIVE]


def test_a_run_covering_part_of_each_set_is_judged_on_its_rows_and_the_fit_learns_from_every_row():
    rng = np.random.default_rng(5)
    rounds = {}
    for k, name in enumerate(DUES):
        rows = synthetic_round(k, rng, 40, 40)
        rounds[name] = [r if i % 4 == 0 else r.__class__(**{**r.__dict__, "agents": {}}) for i, r in enumerate(rows)]
    judged = backtest(rounds, DUES)
    for j in judged:
        assert len(j.rows) == 20 and all(r.agents for r in j.rows)
        assert AGENTS_MEAN in j.forecasts
        earlier = [r for name in j.split.fit for r in rounds[name]]
        assert j.fit_rows == sum(1 for r in earlier if r.resolved_on < j.split.as_of)
