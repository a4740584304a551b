"""Ensembles that learn from resolved questions, scored out of fold: rows to add to a scores table.

From the agents' rows and one ensemble method's rows, this makes three more ensemble forecasts per question:
`<method>+platt` and `<method>+extremize` (the method's probability recalibrated) and `score-weighted` (the agents
pooled with weights from their Brier scores). Each question's value comes from a fit on other questions only
(k-fold) or on questions resolved before it (time-ordered); where a split has too little to fit on, the value is
the unlearned one (the method's probability, or the equal-weight pool), so every question keeps a forecast.
Only questions that every agent and the method forecast are used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, Sequence

import numpy as np

from forecaster.errors import InputError
from forecaster.names import NOT_AGENTS
from forecaster.scoring.evaluation import (
    DEFAULT_MIN_TRAIN,
    kfold_splits,
    out_of_fold_recalibration,
    out_of_fold_weighted_pool,
    time_ordered_splits,
)
from forecaster.scoring.scores import ForecastRow, collect

WEIGHTED_NAME = "score-weighted"


def learned_ensemble_rows(
    rows: Sequence[ForecastRow],
    base_method: str,
    split: Literal["kfold", "time"] = "kfold",
    n_folds: int = 5,
    seed: int = 0,
    min_train: int = DEFAULT_MIN_TRAIN,
) -> list[ForecastRow]:
    """Out-of-fold recalibrated and score-weighted ensemble rows for the questions every forecaster answered."""
    questions, forecasters = collect(rows)
    if base_method not in forecasters or forecasters[base_method].kind != "ensemble":
        raise InputError(f"base_method {base_method!r} is not an ensemble method in the rows")
    # The crowd and series members forecast only the questions with a market value or a series: learning over
    # them would drop the rest.
    agents = sorted(name for name, f in forecasters.items() if f.kind == "agent" and name not in NOT_AGENTS)
    if not agents:
        raise InputError("no agent rows to learn weights from")
    members = [forecasters[a].by_question for a in agents] + [forecasters[base_method].by_question]
    ids = sorted(set.intersection(*(set(m) for m in members)))
    if not ids:
        return []
    outcomes = np.array([questions[q].outcome for q in ids], dtype=float)
    if split == "kfold":
        splits = kfold_splits(len(ids), n_folds, seed)
    elif split == "time":
        try:
            splits = time_ordered_splits([questions[q].resolution_date for q in ids], n_folds)
        except ValueError as exc:
            raise InputError(f"time-ordered split: {exc}") from None
    else:
        raise InputError(f"split must be 'kfold' or 'time' (got {split!r})")
    method_p = np.array([forecasters[base_method].by_question[q] for q in ids])
    agent_p = np.column_stack([[forecasters[a].by_question[q] for q in ids] for a in agents])
    learned = {
        f"{base_method}+platt": out_of_fold_recalibration(method_p, outcomes, splits, "platt", min_train).values,
        f"{base_method}+extremize": out_of_fold_recalibration(method_p, outcomes, splits, "extremize", min_train).values,
        WEIGHTED_NAME: out_of_fold_weighted_pool(agents, agent_p, outcomes, splits, min_train).values,
    }
    template = {q: next(r for r in rows if r.question_id == q) for q in ids}
    return [
        replace(template[q], agent_or_method=name, probability=float(values[i]), kind="ensemble")
        for name, values in learned.items()
        for i, q in enumerate(ids)
    ]
