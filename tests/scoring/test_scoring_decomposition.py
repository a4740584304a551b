"""Murphy's decomposition of the Brier score and its log-score analogue, on a small example worked by hand."""

import math

import numpy as np
import pytest

from forecaster.scoring.decomposition import brier_decomposition, log_decomposition
from forecaster.scoring.metrics import brier_score, log_score

# Eight questions in two bins:
#   bin [0.2, 0.3): four forecasts of 0.2, outcomes 1 0 0 0 -> observed frequency 0.25
#   bin [0.8, 0.9): four forecasts of 0.8, outcomes 1 1 1 0 -> observed frequency 0.75
# Overall frequency 0.5; each bin holds half the questions.
P = [0.2] * 4 + [0.8] * 4
Y = [1, 0, 0, 0, 1, 1, 1, 0]


def test_brier_decomposition_of_the_hand_example():
    d = brier_decomposition(P, Y)
    # reliability = 0.5·(0.2 − 0.25)² + 0.5·(0.8 − 0.75)² = 0.0025
    assert d.reliability == pytest.approx(0.0025)
    # resolution = 0.5·(0.25 − 0.5)² + 0.5·(0.75 − 0.5)² = 0.0625
    assert d.resolution == pytest.approx(0.0625)
    # uncertainty = 0.5 · 0.5 = 0.25
    assert d.uncertainty == pytest.approx(0.25)
    # score = 0.0025 − 0.0625 + 0.25 = 0.19 = (0.8² + 3·0.2²)/4 per bin
    assert d.score == pytest.approx(0.19)
    assert d.residual == pytest.approx(0.0, abs=1e-12)


def test_log_decomposition_of_the_hand_example():
    d = log_decomposition(P, Y)
    # reliability = KL(0.25 ‖ 0.2) = 0.25 ln(0.25/0.2) + 0.75 ln(0.75/0.8) = 0.055786 − 0.048404 = 0.007382
    assert d.reliability == pytest.approx(0.007382, abs=1e-6)
    # resolution = KL(0.25 ‖ 0.5) = 0.25 ln 0.5 + 0.75 ln 1.5 = −0.173287 + 0.304099 = 0.130812
    assert d.resolution == pytest.approx(0.130812, abs=1e-6)
    # uncertainty = binary entropy of 0.5 = ln 2
    assert d.uncertainty == pytest.approx(math.log(2))
    # score = −(ln 0.2 + 3 ln 0.8)/4 = 0.569717, and 0.007382 − 0.130812 + 0.693147 gives the same
    assert d.score == pytest.approx(0.569717, abs=1e-6)
    assert d.residual == pytest.approx(0.0, abs=1e-9)


def test_perfect_forecasts_have_no_miscalibration_and_resolve_all_uncertainty():
    d = brier_decomposition([1, 0, 0, 1], [1, 0, 0, 1])
    assert (d.score, d.reliability) == (0.0, 0.0)
    assert d.resolution == pytest.approx(d.uncertainty) == pytest.approx(0.25)


def test_constant_half_has_no_resolution_and_its_miscalibration_is_the_distance_to_the_base_rate():
    d = brier_decomposition([0.5] * 4, [1, 0, 0, 0])
    assert d.resolution == 0.0
    assert d.reliability == pytest.approx((0.5 - 0.25) ** 2)
    assert d.uncertainty == pytest.approx(0.25 * 0.75)


def test_forecasts_varying_inside_bins_keep_the_identity_through_the_residual():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 200)
    y = (rng.uniform(0, 1, 200) < p).astype(int)
    for decompose, score in ((brier_decomposition, brier_score), (log_decomposition, log_score)):
        d = decompose(p, y)
        assert d.residual != 0.0
        assert d.reliability - d.resolution + d.uncertainty + d.residual == pytest.approx(score(p, y))


def test_zero_forecasts_cannot_be_decomposed():
    with pytest.raises(ValueError, match="zero forecasts"):
        brier_decomposition([], [])
