"""Renderings of a run's forecasts: the summary records, the CLI table and the markdown artifact."""

from __future__ import annotations

from typing import Any, Sequence

from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.events.typed.shown import typed_line
from forecaster.events.typed_store import ENSEMBLE, question_from_row, typed_history


def summary(result: QuestionResult, run_id: str) -> dict[str, Any]:
    """One question's outcome of a run, in plain JSON types (no prompts)."""
    return {
        "run_id": run_id,
        "question_id": result.question.id,
        "question": result.question.text,
        "ensemble": result.ensemble.probability if result.ensemble else None,
        "method": result.ensemble.method if result.ensemble else None,
        "failures": [f"{f.agent}: {f.reason}" for f in result.failures],
        "agents": {f.agent: f.probability for f in result.agent_forecasts},
        "low_mass": [f.agent for f in result.agent_forecasts if f.low_mass],
        "context": [p["title"] for p in result.passages],
        "retrieval_failures": [f"{f['source']}: {f['reason']}" for f in result.retrieval_failures],
        "typed": (typed_line(result.question, result.ensemble.typed.kind, result.ensemble.typed.values)
                  if result.ensemble and result.ensemble.typed else None),
    }


def run_status(summaries: Sequence[dict[str, Any]]) -> str:
    """How a run ended: completed (every question forecast), partial (some failed) or failed (all did)."""
    failed = sum(1 for s in summaries if s["ensemble"] is None)
    return "completed" if not failed else ("partial" if failed < len(summaries) else "failed")


def stored_summary(store: ForecastStore, run_id: str, question_id: str) -> dict[str, Any]:
    """`summary` of a question the run stored earlier (a resumed run's skipped questions, a shard's), read back."""
    ensemble = next((e for e in store.ensemble_history(question_id) if e["run_id"] == run_id), None)
    agents = [a for a in store.agent_history(question_id) if a["run_id"] == run_id]
    context = store.contexts(question_id).get(run_id, {"passages": [], "failures": []})
    return {
        "run_id": run_id,
        "question_id": question_id,
        "question": (store.question(question_id) or {}).get("text", ""),
        "ensemble": ensemble["probability"] if ensemble else None,
        "method": ensemble["method"] if ensemble else None,
        "failures": [f"{f['agent']}: {f['reason']}" for f in store.failures(question_id).get(run_id, [])],
        "agents": {a["agent"]: a["probability"] for a in agents},
        "low_mass": [a["agent"] for a in agents if a["low_mass"]],
        "context": [p["title"] for p in context["passages"]],
        "retrieval_failures": [f"{f['source']}: {f['reason']}" for f in context["failures"]],
        "typed": _stored_typed(store, run_id, question_id),
    }


def _stored_typed(store: ForecastStore, run_id: str, question_id: str) -> str | None:
    row = next((r for r in typed_history(store.db, question_id) if r["run_id"] == run_id and r["member"] == ENSEMBLE),
               None)
    question = store.question(question_id)
    return typed_line(question_from_row(question), row["kind"], row["values"]) if row and question else None


def passage_records(passages: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """What the store keeps of each passage an agent read (the text stays in the retrieval tables)."""
    return tuple({"id": p.id, "title": p.title, "source": p.source, "location": p.location,
                  "score": round(float(p.score), 4)} for p in passages)


def failure_records(failures: Sequence[Any]) -> tuple[dict[str, str], ...]:
    return tuple({"source": f.source, "reason": f.reason} for f in failures)


def forecasts_markdown(summaries: Sequence[dict[str, Any]]) -> str:
    """A markdown table: one row per question, the ensemble then each agent's probability."""
    agents = _agent_names(summaries)
    header = ["question", "ensemble", *agents, "low mass on numbers", "context"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for s in summaries:
        cells = [_escape(s["question"]), _probability(s["ensemble"])]
        cells += [f"{s['agents'][a]:.3f}" if a in s["agents"] else "" for a in agents]
        cells.append(", ".join(s["low_mass"]) or "-")
        cells.append(_escape("; ".join(s["context"]) or "; ".join(s["retrieval_failures"]) or "-"))
        if s.get("typed"):
            cells[1] += _escape(f" ({s['typed']})")
        if s["failures"]:
            cells[-1] += _escape(" | failed: " + "; ".join(s["failures"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def forecasts_text(summaries: Sequence[dict[str, Any]], width: int = 56) -> str:
    """A plain-text table for the terminal."""
    agents = _agent_names(summaries)
    head = f"{'id':<22} {'question':<{width}} {'ensemble':>8} " + " ".join(f"{a[:15]:>15}" for a in agents)
    rows = [head, "-" * len(head)]
    for s in summaries:
        text = s["question"] if len(s["question"]) <= width else s["question"][: width - 1] + "…"
        cells = " ".join(f"{s['agents'][a]:>15.3f}" if a in s["agents"] else f"{'':>15}" for a in agents)
        rows.append(f"{s['question_id'][:22]:<22} {text:<{width}} {_probability(s['ensemble']):>8} {cells}")
        rows += [f"{'':<22} {s['typed']}"] if s.get("typed") else []
        rows += [f"{'':<22} failed: {failure}" for failure in s["failures"]]
    return "\n".join(rows)


def _probability(value: float | None) -> str:
    return "failed" if value is None else f"{value:.3f}"


def _agent_names(summaries: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for s in summaries:
        for agent in s["agents"]:
            seen.setdefault(agent, None)
    return list(seen)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
