"""ForecastStore's reads of one whole run, as a round's export, scoring and submission need them.

A part of `ForecastStore` (kept apart for the module size limit): the same tables, read only.
"""

from __future__ import annotations

from typing import Any

from forecaster.errors import InputError
from forecaster.names import id_problem

LATEST = "latest"


class RunReads:
    """Reads of a run's questions and forecasts; mixed into `ForecastStore`, whose `db` it uses."""

    db: Any
    path: Any

    def resolve_run(self, run: str | None) -> str:
        """The run a `--run` option names: an id, or `latest` (also when not given) for `latest_run_id`."""
        if run is None or run == LATEST:
            latest = self.latest_run_id()
            if latest is None:
                raise InputError(f"run: no run with a stored forecast in {self.path}; forecast questions first")
            return latest
        problem = id_problem(run)
        if problem:
            raise InputError(f"run: {problem}")
        if self.db.execute("SELECT 1 FROM runs WHERE id = ?", [run]).fetchone() is None:
            raise InputError(f"run: {run!r} not found in {self.path}")
        return run

    def latest_run_id(self) -> str | None:
        """The run started last among those that stored a forecast, or None when none did."""
        row = self.db.execute("SELECT id FROM runs WHERE id IN (SELECT run_id FROM ensemble_forecasts)"
                              " ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
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

    def run_ensembles(self, run_id: str) -> list[dict[str, Any]]:
        """The run's ensemble forecasts with their questions' platform fields (source, external_id, post_id)."""
        return list(self.db.query(
            "SELECT e.question_id, e.probability, e.method, q.source, q.external_id, q.post_id FROM ensemble_forecasts"
            " e JOIN questions q ON q.id = e.question_id WHERE e.run_id = ? ORDER BY e.question_id", [run_id]))

    def questions_from(self, source: str) -> list[dict[str, Any]]:
        """Stored questions that came from `source` (a platform): id, external_id, post_id."""
        return list(self.db.query("SELECT id, external_id, post_id FROM questions WHERE source = ? ORDER BY id",
                                  [source]))
