"""Learned ensembles (recalibrated, score-weighted) as extra rows of the scores table, fitted out of fold."""

from datetime import date, timedelta

import numpy as np
import pytest

from forecaster.errors import InputError
from forecaster.learning.learned_rows import learned_ensemble_rows
from forecaster.scoring.metrics import brier_score, logit, sigmoid
from forecaster.scoring.scores import ForecastRow


def synthetic_rows(n: int = 400, seed: int = 0, second: str = "noise") -> list[ForecastRow]:
    """An informative but underconfident agent 'signal', a second agent 'noise' (pure noise, or with
    second="echo" another underconfident reading of the truth), and their mean as the ensemble."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.03, 0.97, n)
    y = (rng.uniform(0, 1, n) < truth).astype(int)
    signal = sigmoid(logit(truth) / 2)
    if second == "noise":
        noise = rng.uniform(0, 1, n)
    else:
        noise = sigmoid(logit(truth) / 3 + rng.normal(0, 0.2, n))
    out = []
    for i in range(n):
        common = dict(question_id=f"q{i}", source="synthetic", outcome=int(y[i]),
                      resolution_date=date(2024, 1, 1) + timedelta(days=i))
        out += [
            ForecastRow(agent_or_method="signal", probability=float(signal[i]), **common),
            ForecastRow(agent_or_method="noise", probability=float(noise[i]), **common),
            ForecastRow(agent_or_method="mean", probability=float((signal[i] + noise[i]) / 2), kind="ensemble",
                        **common),
        ]
    return out


def scores(rows, name):
    picked = [r for r in rows if r.agent_or_method == name]
    return brier_score([r.probability for r in picked], [r.outcome for r in picked])


def test_learned_methods_cover_every_question_as_ensemble_rows():
    rows = synthetic_rows()
    learned = learned_ensemble_rows(rows, "mean")
    names = {r.agent_or_method for r in learned}
    assert names == {"mean+platt", "mean+extremize", "score-weighted"}
    assert all(r.kind == "ensemble" for r in learned)
    assert len(learned) == len(names) * len({r.question_id for r in rows})


@pytest.mark.parametrize("split", ["kfold", "time"])
def test_out_of_fold_recalibration_beats_an_underconfident_mean(split):
    rows = synthetic_rows(second="echo")
    learned = learned_ensemble_rows(rows, "mean", split=split)
    plain = scores(rows, "mean")
    assert scores(learned, "mean+platt") < plain - 0.005
    assert scores(learned, "mean+extremize") < plain - 0.005


@pytest.mark.parametrize("split", ["kfold", "time"])
def test_out_of_fold_score_weights_beat_equal_weights_when_one_agent_is_noise(split):
    rows = synthetic_rows(second="noise")
    learned = learned_ensemble_rows(rows, "mean", split=split)
    assert scores(learned, "score-weighted") < scores(rows, "mean") - 0.005


def test_a_question_missing_an_agent_is_left_out():
    rows = [r for r in synthetic_rows(50) if not (r.question_id == "q3" and r.agent_or_method == "noise")]
    learned = learned_ensemble_rows(rows, "mean")
    assert "q3" not in {r.question_id for r in learned}


def test_the_base_method_must_be_an_ensemble_in_the_rows():
    with pytest.raises(InputError, match="'median' is not an ensemble method"):
        learned_ensemble_rows(synthetic_rows(20), "median")
