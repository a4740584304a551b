"""Agent weights learned from past scores, and the weighted pool they drive.

An agent's raw weight is the inverse of its Brier score on the resolved questions every agent forecast (a floor
of 0.01 keeps a perfect record finite: at most 25 times the weight of a coin flip). With few questions a score says
little, so the weights are shrunk towards equal ones: w = (n·w_score + n0·w_equal) / (n + n0), n0 =
`prior_questions`. The pool is the weighted mean of probabilities (a linear opinion pool).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecaster.scoring.metrics import as_forecasts

BRIER_FLOOR = 0.01
DEFAULT_PRIOR_QUESTIONS = 10.0


@dataclass(frozen=True)
class AgentWeights:
    """Normalised weights, one per agent, in the agents' order."""

    agents: tuple[str, ...]
    weights: tuple[float, ...]

    def as_dict(self) -> dict[str, float]:
        """Agent name to weight."""
        return dict(zip(self.agents, self.weights))

    def apply(self, agent_probabilities: ArrayLike) -> NDArray[np.float64]:
        """Pool a (questions × agents) matrix of probabilities into one probability per question."""
        matrix = np.asarray(agent_probabilities, dtype=float)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.weights):
            raise ValueError(f"expected a (questions, {len(self.weights)}) matrix, got shape {matrix.shape}")
        return matrix @ np.asarray(self.weights)


def equal_weights(agents: Sequence[str]) -> AgentWeights:
    """The same weight for every agent."""
    if not agents:
        raise ValueError("no agents to weight")
    return AgentWeights(tuple(agents), tuple([1.0 / len(agents)] * len(agents)))


def learn_agent_weights(
    agents: Sequence[str],
    agent_probabilities: ArrayLike,
    outcomes: ArrayLike,
    prior_questions: float = DEFAULT_PRIOR_QUESTIONS,
) -> AgentWeights:
    """Weights from each agent's Brier score on resolved questions (rows: questions, columns: agents)."""
    matrix = np.asarray(agent_probabilities, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(agents):
        raise ValueError(f"expected a (questions, {len(agents)}) matrix, got shape {matrix.shape}")
    if prior_questions < 0:
        raise ValueError(f"prior_questions must be non-negative (got {prior_questions})")
    n = matrix.shape[0]
    if n == 0:
        return equal_weights(agents)
    briers = np.array([np.mean((as_forecasts(matrix[:, j], outcomes)[0] - np.asarray(outcomes)) ** 2)
                       for j in range(len(agents))])
    raw = 1.0 / np.maximum(briers, BRIER_FLOOR)
    from_scores = raw / raw.sum()
    equal = np.full(len(agents), 1.0 / len(agents))
    shrunk = (n * from_scores + prior_questions * equal) / (n + prior_questions)
    return AgentWeights(tuple(agents), tuple(float(w) for w in shrunk / shrunk.sum()))
