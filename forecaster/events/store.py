"""The event-forecast store: questions, runs, agent and ensemble forecasts, in one SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from forecaster.events.agents import AgentForecast, ForecastFailure
from forecaster.db import Closing, apply_schema, open_database
from forecaster.events.ensemble import EnsembleForecast
from forecaster.events.questions import Question
from forecaster.events.run_reads import RunReads
from forecaster.events.typed_store import TYPED_COLUMNS, apply_typed_schema, save_typed

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    background TEXT,
    resolution_criteria TEXT,
    resolution_date TEXT,
    forecast_date TEXT,
    source TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    flow_run_id TEXT,
    ensemble_method TEXT,
    agents TEXT,
    reason TEXT,
    resumes INTEGER NOT NULL DEFAULT 0,
    process TEXT
);
CREATE TABLE IF NOT EXISTS agent_forecasts (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    agent TEXT NOT NULL,
    model TEXT NOT NULL,
    style TEXT NOT NULL,
    weight REAL NOT NULL,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    median REAL NOT NULL,
    mode REAL NOT NULL,
    entropy_bits REAL NOT NULL,
    mass REAL NOT NULL CHECK (mass >= 0),
    low_mass INTEGER NOT NULL,
    distribution TEXT NOT NULL,
    prompt TEXT NOT NULL,
    reasoning TEXT,
    passage_ids TEXT NOT NULL,
    context_cut TEXT NOT NULL DEFAULT '[]',
    UNIQUE (run_id, question_id, agent)
);
CREATE TABLE IF NOT EXISTS ensemble_forecasts (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    method TEXT NOT NULL,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    agents TEXT NOT NULL,
    UNIQUE (run_id, question_id, method)
);
CREATE TABLE IF NOT EXISTS question_context (
    run_id TEXT NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    passages TEXT NOT NULL,
    failures TEXT NOT NULL,
    PRIMARY KEY (run_id, question_id)
);
-- Added after the first release: CREATE IF NOT EXISTS upgrades a database written before it.
CREATE TABLE IF NOT EXISTS question_failures (
    run_id TEXT NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    agent TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, question_id, agent)
);
CREATE INDEX IF NOT EXISTS agent_forecasts_question ON agent_forecasts (question_id, created_at);
CREATE INDEX IF NOT EXISTS ensemble_forecasts_question ON ensemble_forecasts (question_id, created_at);
"""
# Columns added after the first release (table, column, definition), added to a database written before them.
ADDED_COLUMNS = (
    ("agent_forecasts", "context_cut", "TEXT NOT NULL DEFAULT '[]'"),
    ("runs", "reason", "TEXT"),
    ("runs", "resumes", "INTEGER NOT NULL DEFAULT 0"),
    ("runs", "process", "TEXT"),
    ("questions", "url", "TEXT"),
    ("questions", "market_probability", "REAL"),
    ("questions", "external_id", "TEXT"),
    ("questions", "post_id", "TEXT"),
    ("questions", "question_set", "TEXT"),
    *(("questions", name, kind) for name, kind in TYPED_COLUMNS),
)
# The question's columns, in the order save_question writes them.
QUESTION_COLUMNS = ("id", "text", "background", "resolution_criteria", "resolution_date", "forecast_date", "source",
                    "url", "market_probability", "external_id", "post_id", "question_set",
                    *(name for name, _ in TYPED_COLUMNS))


@dataclass(frozen=True)
class QuestionResult:
    """Everything one question produced in one run: written together or not at all.

    A question no agent could forecast has no ensemble; its `failures` say why.
    """

    question: Question
    as_of: dt.date
    agent_forecasts: tuple[AgentForecast, ...]
    ensemble: EnsembleForecast | None
    # The context the agents read (id, title, source, location, score) and why a source gave none.
    passages: tuple[dict[str, Any], ...] = ()
    retrieval_failures: tuple[dict[str, str], ...] = ()
    failures: tuple[ForecastFailure, ...] = ()

    @property
    def failed(self) -> bool:
        return self.ensemble is None


class ForecastStore(RunReads, Closing):
    """Reads and writes event forecasts; each question is saved in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA, ADDED_COLUMNS)
        apply_typed_schema(self.db)

    def start_run(self, run_id: str, flow_run_id: str | None, ensemble_method: str, agents: Sequence[str],
                  process: str | None = None) -> None:
        """Record a run `running`; `process` identifies the process executing it (see `events.resume`)."""
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR IGNORE INTO runs (id, started_at, status, flow_run_id, ensemble_method, agents, process) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?)",
                [run_id, _now(), flow_run_id, ensemble_method, json.dumps(list(agents)), process],
            )

    def finish_run(self, run_id: str, status: str, reason: str | None = None) -> None:
        """End the run's record; `reason` (why it failed) is added to what earlier attempts recorded."""
        with self.db.conn:
            self.db.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?,"
                " reason = CASE WHEN ? IS NULL THEN reason WHEN reason IS NULL THEN ? ELSE reason || '; ' || ? END"
                " WHERE id = ?", [_now(), status, reason, reason, reason, run_id])

    def reopen_run(self, run_id: str, flow_run_id: str | None, process: str | None = None) -> None:
        """A resumed run is `running` again, now under `flow_run_id` and `process`, its earlier reasons kept."""
        with self.db.conn:
            self.db.conn.execute("UPDATE runs SET status = 'running', finished_at = NULL, flow_run_id = ?, process = ?,"
                            " resumes = resumes + 1 WHERE id = ?", [flow_run_id, process, run_id])

    def running_runs(self) -> list[dict[str, Any]]:
        """Runs recorded `running`: in progress, or left so by a process that died (see `events.resume`)."""
        return self.runs_with_status("running")

    def runs_with_status(self, status: str) -> list[dict[str, Any]]:
        """Runs recorded with `status`, oldest first."""
        return list(self.db.query("SELECT * FROM runs WHERE status = ? ORDER BY started_at", [status]))

    def run_of_flow_run(self, flow_run_id: str) -> dict[str, Any] | None:
        """The run a Prefect flow run recorded (a retried flow run keeps its id)."""
        return next(iter(self.db.query("SELECT * FROM runs WHERE flow_run_id = ? ORDER BY started_at DESC LIMIT 1",
                                       [flow_run_id])), None)

    def runs_of_flow_runs(self, flow_run_ids: Sequence[str]) -> set[str]:
        """The runs any of these Prefect flow runs recorded."""
        marks = ", ".join("?" for _ in flow_run_ids) or "NULL"
        rows = self.db.execute(f"SELECT id FROM runs WHERE flow_run_id IN ({marks})", list(flow_run_ids))
        return {r[0] for r in rows.fetchall()}

    def questions_stored_by(self, run_ids: set[str]) -> set[str]:
        """Questions any of these runs stored, failed ones included (each has a context row)."""
        marks = ", ".join("?" for _ in run_ids) or "NULL"
        rows = self.db.execute(f"SELECT DISTINCT question_id FROM question_context WHERE run_id IN ({marks})",
                               sorted(run_ids))
        return {r[0] for r in rows.fetchall()}

    def stored_questions(self, run_id: str) -> set[str]:
        """Questions the run stored with an ensemble forecast: what a resume skips (failed ones are retried)."""
        rows = self.db.execute("SELECT question_id FROM ensemble_forecasts WHERE run_id = ?", [run_id])
        return {r[0] for r in rows.fetchall()}

    def save_question(self, run_id: str, result: QuestionResult) -> None:
        """Write the question and all its forecasts of this run atomically; a retry replaces, never duplicates."""
        self.save_questions(run_id, [result])

    def save_questions(self, run_id: str, results: Sequence[QuestionResult]) -> None:
        """Write these questions and all their forecasts of this run in one transaction (all or none)."""
        now = _now()
        with self.db.conn:
            for result in results:
                self._write_question(run_id, result, now)

    def _write_question(self, run_id: str, result: QuestionResult, now: str) -> None:
        q = result.question
        self._save_question_row(q, now)
        for table in ("agent_forecasts", "ensemble_forecasts", "question_context", "question_failures"):
            self.db.conn.execute(f"DELETE FROM {table} WHERE run_id = ? AND question_id = ?", [run_id, q.id])
        for f in result.agent_forecasts:
            self.db.conn.execute(
                "INSERT INTO agent_forecasts (run_id, question_id, as_of, created_at, agent, model, style, weight,"
                " probability, median, mode, entropy_bits, mass, low_mass, distribution, prompt, reasoning,"
                " passage_ids, context_cut) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, q.id, result.as_of.isoformat(), now, f.agent, f.model, f.style, f.weight,
                 f.probability, f.median, f.mode, f.entropy_bits, f.mass, int(f.low_mass),
                 json.dumps(list(f.distribution)), f.prompt, f.reasoning, json.dumps(list(f.passage_ids)),
                 json.dumps(list(f.context_cut))],
            )
        e = result.ensemble
        if e is not None:
            self.db.conn.execute(
                "INSERT INTO ensemble_forecasts (run_id, question_id, as_of, created_at, method, probability,"
                " agents) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, q.id, result.as_of.isoformat(), now, e.method, e.probability,
                 json.dumps(list(e.agents))],
            )
        save_typed(self.db.conn, run_id, q.id, result.as_of, now, result.agent_forecasts, e)
        for f in result.failures:
            self.db.conn.execute(
                "INSERT INTO question_failures (run_id, question_id, agent, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?)", [run_id, q.id, f.agent, f.reason, now])
        self.db.conn.execute(
            "INSERT INTO question_context (run_id, question_id, passages, failures) VALUES (?, ?, ?, ?)",
            [run_id, q.id, json.dumps(list(result.passages)), json.dumps(list(result.retrieval_failures))],
        )

    def _save_question_row(self, q: Question, now: str) -> None:
        """Insert the question, or bring its stored row up to date (its first sighting kept)."""
        record = {**q.to_record(), "text": q.text, "options": json.dumps(list(q.options))}
        values = [record[c] for c in QUESTION_COLUMNS]
        updates = ", ".join(f"{c}=excluded.{c}" for c in QUESTION_COLUMNS[1:])
        self.db.conn.execute(
            f"INSERT INTO questions ({', '.join(QUESTION_COLUMNS)}, first_seen, last_seen)"
            f" VALUES ({', '.join('?' for _ in QUESTION_COLUMNS)}, ?, ?)"
            f" ON CONFLICT(id) DO UPDATE SET {updates}, last_seen=excluded.last_seen", [*values, now, now])

    def question(self, question_id: str) -> dict[str, Any] | None:
        return next(iter(self.db.query("SELECT * FROM questions WHERE id = ?", [question_id])), None)

    def ensemble_history(self, question_id: str) -> list[dict[str, Any]]:
        """The question's ensemble forecasts, oldest first."""
        return list(self.db.query(
            "SELECT run_id, as_of, created_at, method, probability FROM ensemble_forecasts"
            " WHERE question_id = ? ORDER BY created_at, id", [question_id]))

    def agent_history(self, question_id: str) -> list[dict[str, Any]]:
        """Every agent forecast of the question, oldest first, distributions decoded."""
        rows = self.db.query(
            "SELECT run_id, as_of, created_at, agent, model, style, probability, median, mode, entropy_bits, mass,"
            " low_mass, distribution, reasoning, passage_ids, context_cut FROM agent_forecasts"
            " WHERE question_id = ? ORDER BY created_at, id", [question_id])
        return [{**r, "distribution": json.loads(r["distribution"]), "passage_ids": json.loads(r["passage_ids"]),
                 "context_cut": json.loads(r["context_cut"])} for r in rows]

    def run_agent_forecasts(self, run_id: str) -> list[dict[str, Any]]:
        """One run's agent forecasts (question, agent, probability, weight, as_of), by question and agent."""
        return list(self.db.query(
            "SELECT question_id, agent, probability, weight, as_of FROM agent_forecasts WHERE run_id = ?"
            " ORDER BY question_id, agent", [run_id]))

    def contexts(self, question_id: str) -> dict[str, dict[str, Any]]:
        """Per run: the passages the agents read for the question and the sources that failed."""
        rows = self.db.query("SELECT run_id, passages, failures FROM question_context WHERE question_id = ?",
                             [question_id])
        return {r["run_id"]: {"passages": json.loads(r["passages"]), "failures": json.loads(r["failures"])}
                for r in rows}

    def failures(self, question_id: str) -> dict[str, list[dict[str, str]]]:
        """Per run: the agents that could not forecast the question, and why."""
        found: dict[str, list[dict[str, str]]] = {}
        for r in self.db.query("SELECT run_id, agent, reason FROM question_failures WHERE question_id = ?"
                               " ORDER BY created_at, agent", [question_id]):
            found.setdefault(r["run_id"], []).append({"agent": r["agent"], "reason": r["reason"]})
        return found

    def run(self, run_id: str) -> dict[str, Any] | None:
        return next(iter(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id])), None)

    def count_rows(self, question_id: str) -> dict[str, int]:
        """How many rows each table holds for a question (used to prove all-or-nothing writes)."""
        tables = (("questions", "id"), ("agent_forecasts", "question_id"), ("ensemble_forecasts", "question_id"))
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t} WHERE {c} = ?", [question_id]).fetchone()[0]
                for t, c in tables}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
