"""Forecast runs stored through ForecastStore with real records, for submit and resolve tests (no engine)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from forecaster.events.store import ForecastStore
from tests.events.factories import question_result, with_ensemble_probability


def store_run(db: Path, run_id: str, questions: dict[str, tuple[str, str, str, float]]) -> None:
    """A completed run holding one ensemble forecast per question: id -> (source, external_id, post_id, p)."""
    with ForecastStore(db) as store:
        store.start_run(run_id, None, "mean", ["agent-0", "agent-1"])
        for qid, (source, external, post, probability) in questions.items():
            result = with_ensemble_probability(question_result(qid), probability)
            question = dataclasses.replace(result.question, source=source, external_id=external, post_id=post)
            store.save_question(run_id, dataclasses.replace(result, question=question))
        store.finish_run(run_id, "completed")


def metaculus_run(db: Path, run_id: str = "run-1") -> None:
    """metaculus-1001 at 0.0004 (below the server's floor), metaculus-1003 at 0.7, a Manifold question beside."""
    store_run(db, run_id, {"metaculus-1001": ("metaculus", "1001", "101", 0.0004),
                           "metaculus-1003": ("metaculus", "1003", "103", 0.7),
                           "manifold-m1": ("manifold", "m1", "", 0.4)})
