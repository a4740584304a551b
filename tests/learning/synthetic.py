"""Synthetic rounds with a known answer: outcomes drawn from known probabilities."""

from __future__ import annotations

import datetime as dt

import numpy as np

from forecaster.learning.rows import LearningRow

FIRST_DUE = dt.date(2025, 1, 5)


def synthetic_round(k: int, rng: np.random.Generator, n_market: int = 150, n_dataset: int = 150,
                    agents: bool = True) -> list[LearningRow]:
    """Round k (due every 14 days): market rows whose crowd value is the truth, dataset rows of two sources
    ('always-no' never resolves YES, 'coin' half the time); agent 'oracle' reads the truth, 'noise' is random."""
    due = FIRST_DUE + dt.timedelta(days=14 * k)
    rows = []
    for i in range(n_market + n_dataset):
        market = i < n_market
        source = "market" if market else ("always-no" if i % 2 else "coin")
        truth = rng.uniform(0.05, 0.95) if market else (0.0 if source == "always-no" else 0.5)
        horizon = None if market else 7
        members = {"oracle": float(np.clip(truth, 0.02, 0.98)), "noise": float(rng.uniform(0.02, 0.98))}
        rows.append(LearningRow(f"r{k}", due, f"q{k}-{i}", source, horizon, float(rng.random() < truth),
                                due + dt.timedelta(days=horizon or 5), crowd=truth if market else None,
                                agents=members if agents else {}))
    return rows
