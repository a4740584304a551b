"""Out-of-sample evaluation: no question is ever scored by a model fitted on it."""

from datetime import date, timedelta

import numpy as np
import pytest

from forecaster.scoring.evaluation import (
    Split,
    check_splits,
    cross_fit,
    kfold_splits,
    out_of_fold_recalibration,
    out_of_fold_weighted_pool,
    time_ordered_splits,
)
from forecaster.scoring.metrics import brier_score, logit, sigmoid
from forecaster.scoring.recalibration import fit_platt


def miscalibrated(n: int, seed: int):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.03, 0.97, n)
    y = (rng.uniform(0, 1, n) < truth).astype(int)
    return sigmoid((logit(truth) + 1.0) / 2.0), y


def test_kfold_never_fits_on_a_question_it_scores_and_scores_each_once():
    splits = kfold_splits(23, n_folds=5, seed=1)
    for split in splits:
        assert not set(split.train) & set(split.test)
        assert sorted(set(split.train) | set(split.test)) == list(range(23))
    assert sorted(np.concatenate([s.test for s in splits])) == list(range(23))


def test_time_ordered_split_fits_only_on_questions_resolved_strictly_before_the_ones_it_scores():
    start = date(2024, 7, 1)
    dates = [start + timedelta(days=d) for d in (5, 1, 1, 9, 3, 3, 3, 7, 2, 9)]
    splits = time_ordered_splits(dates, n_folds=3)
    check_splits(splits, len(dates))
    for split in splits:
        if split.train.size:
            assert max(dates[i] for i in split.train) < min(dates[i] for i in split.test)
    # Questions resolved on the same day are scored together.
    for day in set(dates):
        blocks = {k for k, s in enumerate(splits) for i in s.test if dates[i] == day}
        assert len(blocks) == 1


def test_scored_outcomes_never_change_their_own_out_of_fold_forecasts():
    p, y = miscalibrated(300, seed=5)
    splits = kfold_splits(300, n_folds=5, seed=0)
    before = out_of_fold_recalibration(p, y, splits).values
    for split in splits:
        flipped = y.copy()
        flipped[split.test] = 1 - flipped[split.test]
        after = out_of_fold_recalibration(p, flipped, splits).values
        np.testing.assert_array_equal(after[split.test], before[split.test])


def test_a_split_that_fits_on_a_scored_question_is_refused():
    leaky = [Split(train=np.array([0, 1, 2]), test=np.array([2, 3]))]
    with pytest.raises(ValueError, match="fits on question index 2"):
        cross_fit(fit_platt, [0.2, 0.4, 0.6, 0.8], [0, 0, 1, 1], leaky, fallback=lambda p: p, min_train=1)


def test_splits_that_skip_a_question_are_refused():
    with pytest.raises(ValueError, match="question index 1 is scored 0 times"):
        check_splits([Split(np.array([], dtype=int), np.array([0]))], 2)


def test_out_of_fold_platt_improves_a_miscalibrated_set():
    p, y = miscalibrated(1000, seed=6)
    oof = out_of_fold_recalibration(p, y, kfold_splits(1000, 5), method="platt")
    assert oof.fitted.all()
    assert brier_score(oof.values, y) < brier_score(p, y) - 0.005


def test_blocks_without_enough_history_keep_the_raw_forecasts():
    p, y = miscalibrated(40, seed=7)
    dates = [date(2024, 1, 1) + timedelta(days=i) for i in range(40)]
    oof = out_of_fold_recalibration(p, y, time_ordered_splits(dates, n_folds=4), method="extremize", min_train=10)
    first_block = np.arange(10)
    assert not oof.fitted[first_block].any()
    np.testing.assert_array_equal(oof.values[first_block], p[first_block])
    assert oof.fitted[10:].all()


def test_out_of_fold_weighted_pool_favours_the_better_agent():
    p, y = miscalibrated(200, seed=8)
    noise = np.random.default_rng(9).uniform(0, 1, 200)
    matrix = np.column_stack([p, noise])
    pooled = out_of_fold_weighted_pool(["signal", "noise"], matrix, y, kfold_splits(200, 4))
    assert pooled.fitted.all()
    assert brier_score(pooled.values, y) < brier_score(matrix.mean(axis=1), y)
