"""`forecaster evaluate` through the real typer app: bad input stops before anything runs; `--run` rescores a
stored run through the real flow without forecasting again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from forecaster.events.agents import AgentForecast
from forecaster.cli import app
from forecaster.events.ensemble import EnsembleForecast
from forecaster.events.questions import Question
from forecaster.scoring.store import ScoringStore
from forecaster.events.store import ForecastStore, QuestionResult

DAY = dt.date(2024, 7, 21)


def invoke(*args: str):
    return CliRunner().invoke(app, ["evaluate", *args])


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def record(qid: str, outcome, market=None, source="manifold") -> dict:
    return {"id": qid, "question": f"Will {qid} happen?", "source": source, "forecast_date": DAY.isoformat(),
            "resolution_date": "2024-08-01", "market_probability": market, "outcome": outcome}


def test_a_bad_outcome_stops_the_command_naming_file_line_and_field(data_dir, tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", [record("q1", 1), record("q2", "maybe")])
    result = invoke("--questions", path)
    assert result.exit_code == 2
    assert f"{path}:2: field 'outcome'" in result.output
    assert not (data_dir / "forecaster.db").exists()


def test_an_unknown_agent_stops_the_command_naming_it(data_dir, tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", [record("q1", 1)])
    result = invoke("--questions", path, "--agent", "oracle")
    assert result.exit_code == 2
    assert "unknown agent 'oracle'" in result.output


def test_an_unknown_split_is_refused(data_dir, tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", [record("q1", 1)])
    result = invoke("--questions", path, "--split", "random")
    assert result.exit_code == 2
    assert "--split must be 'kfold' or 'time'" in result.output


@pytest.mark.slow
def test_rescoring_a_stored_run_prints_and_stores_the_table(prefect_server, settings, tmp_path):
    records = [record("q1", 1, 0.8), record("q2", 0, 0.3), record("q3", 1, None, source="acled")]
    path = write_jsonl(tmp_path / "q.jsonl", records)
    store = ForecastStore(settings.database_path)
    store.start_run("run-old", None, "mean", ["a", "b"])
    for r, (pa, pb) in zip(records, [(0.7, 0.9), (0.4, 0.2), (0.5, 0.5)]):
        agents = tuple(AgentForecast(r["id"], name, "m", "plain", 1.0, (1.0,), p, 50.0, 50.0, 0.0, 0.5, False, "x")
                       for name, p in (("a", pa), ("b", pb)))
        question = Question(r["id"], r["question"], forecast_date=DAY, source=r["source"])
        store.save_question("run-old", QuestionResult(question, DAY, agents,
                                                      EnsembleForecast(r["id"], "mean", (pa + pb) / 2, ("a", "b"))))

    result = invoke("--questions", path, "--run", "run-old", "--resamples", "100")

    assert result.exit_code == 0, result.output
    assert "[all]" in result.output and "[source=acled]" in result.output
    assert "evaluation run-old: 3 question(s)" in result.output
    scores = {(s.scope, s.name): s for s in ScoringStore(settings.database_path).scores("run-old")}
    assert scores[("all", "a")].brier == pytest.approx(((0.7 - 1) ** 2 + 0.4**2 + 0.5**2) / 3)
    assert scores[("all", "mean")].brier == pytest.approx(((0.8 - 1) ** 2 + 0.3**2 + 0.5**2) / 3)
    assert scores[("with market", "market")].n == 2
