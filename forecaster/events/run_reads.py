"""ForecastStore's reads of one whole run, as a published round's export and scoring need them.

A part of `ForecastStore` (kept apart for the module size limit): the same tables, read only.
"""

from __future__ import annotations

from typing import Any


class RunReads:
    """Reads of a run's questions and forecasts; mixed into `ForecastStore`, whose `db` it uses."""

    db: Any

    def latest_run_id(self) -> str | None:
        """The run started last, or None when no run is stored."""
        row = self.db.execute("SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def run_questions(self, run_id: str) -> list[dict[str, Any]]:
        """Every question the run stored (failed ones too), with its ensemble forecast (None where it failed)."""
        return list(self.db.query(
            "SELECT q.id, q.text, q.source, q.external_id, q.question_set, q.resolution_date, q.forecast_date,"
            " q.market_probability, c.run_id, e.probability, e.method, e.as_of FROM question_context c"
            " JOIN questions q ON q.id = c.question_id"
            " LEFT JOIN ensemble_forecasts e ON e.run_id = c.run_id AND e.question_id = c.question_id"
            " WHERE c.run_id = ? ORDER BY q.id", [run_id]))

    def run_agent_reasoning(self, run_id: str) -> dict[str, list[dict[str, Any]]]:
        """Per question of the run: each agent's model, probability and reasoning (None when it wrote none)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for row in self.db.query("SELECT question_id, agent, model, probability, reasoning FROM agent_forecasts"
                                 " WHERE run_id = ? ORDER BY question_id, agent", [run_id]):
            found.setdefault(row["question_id"], []).append(
                {"agent": row["agent"], "model": row["model"], "probability": row["probability"],
                 "reasoning": row["reasoning"]})
        return found
