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


def typed_agent(question, agent: str, reads: list[float]) -> "AgentForecast":
    """An agent's typed forecast as the read-out would give it: option probabilities (multiple choice) or a CDF
    from ladder reads P(value <= t) (the rest)."""
    from forecaster.events.agents import AgentForecast
    from forecaster.events.typed.cdf import cdf_from_ladder
    from forecaster.events.typed.ladder import ladder_positions
    from forecaster.events.typed.scale import Scale
    from forecaster.events.typed.values import CDF, CHOICE, TypedValues

    if question.type == "multiple_choice":
        typed = TypedValues(CHOICE, tuple(reads))
    else:
        scale = Scale.of(question)
        typed = TypedValues(CDF, cdf_from_ladder(ladder_positions(scale), reads, scale))
    return AgentForecast(question.id, agent, "smollm2-135m", "plain", 1.0, (), 0.5, 0.5, 0.5, 1.0, 0.2, False,
                         "prompt", typed=typed)


def store_typed_run(db: Path, run_id: str, questions: list, reads: dict[str, list[list[float]]]) -> None:
    """A completed run of typed questions: per question id, each agent's reads; pooled as the flow pools them."""
    import datetime as dt

    from forecaster.events.crowd import pooled
    from forecaster.events.store import QuestionResult
    from forecaster.settings import EnsembleSettings

    with ForecastStore(db) as store:
        store.start_run(run_id, None, "mean", ["agent-0", "agent-1"])
        for q in questions:
            forecasts = tuple(typed_agent(q, f"agent-{i}", r) for i, r in enumerate(reads[q.id]))
            ensemble = pooled(q, dt.date(2026, 12, 1), forecasts, EnsembleSettings(), "mean")
            store.save_question(run_id, QuestionResult(q, dt.date(2026, 12, 1), forecasts, ensemble))
        store.finish_run(run_id, "completed")
