"""Agent weights learned from past Brier scores."""

import math

import numpy as np
import pytest

from forecaster.scoring.weights import equal_weights, learn_agent_weights

AGENTS = ("good", "poor")


def two_agents(n: int):
    """Every question resolves YES; 'good' has Brier 0.1 and 'poor' Brier 0.2 on each."""
    matrix = np.column_stack([np.full(n, 1 - math.sqrt(0.1)), np.full(n, 1 - math.sqrt(0.2))])
    return matrix, np.ones(n)


def test_weights_follow_inverse_brier_shrunk_towards_equal():
    matrix, y = two_agents(10)
    weights = learn_agent_weights(AGENTS, matrix, y, prior_questions=10).as_dict()
    # Inverse Brier 10 and 5 -> 2/3 and 1/3; with 10 questions and a prior of 10: (10·2/3 + 10·1/2)/20 = 7/12.
    assert weights["good"] == pytest.approx(7 / 12)
    assert weights["poor"] == pytest.approx(5 / 12)


def test_more_questions_move_the_weights_further_from_equal():
    few = learn_agent_weights(AGENTS, *two_agents(5)).as_dict()["good"]
    many = learn_agent_weights(AGENTS, *two_agents(500)).as_dict()["good"]
    assert 0.5 < few < many < 2 / 3


def test_no_resolved_questions_give_equal_weights():
    assert learn_agent_weights(AGENTS, np.empty((0, 2)), []).as_dict() == {"good": 0.5, "poor": 0.5}


def test_pool_is_the_weighted_mean_of_the_agents():
    np.testing.assert_allclose(equal_weights(AGENTS).apply([[0.2, 0.6], [1.0, 0.0]]), [0.4, 0.5])


def test_matrix_must_have_one_column_per_agent():
    with pytest.raises(ValueError, match="expected a"):
        learn_agent_weights(AGENTS, np.zeros((3, 3)), [0, 1, 0])
