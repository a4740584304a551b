"""`evaluate` end to end on three questions of the ForecastBench dev file: the demo model on the session's engine,
a real Prefect server, a real SQLite file, a local documents folder holding one note dated before and one dated
after the questions' forecast date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from flows.evaluate import evaluate
from forecaster.db import open_database
from forecaster.events.ensemble import METHODS
from forecaster.scoring.store import ScoringStore
from forecaster.settings import load_settings
from tests.images import size
from tests.shared_data import dev_records as all_dev_records

pytestmark = pytest.mark.slow

# Two manifold questions with a market (one YES, one NO) and a dbnomics question without one.
IDS = ["KCFbp1TH0RYN4j5zYdmh", "iPG19DGNrWEkbUBjfk6L", "meteofrance_TEMPERATURE_celsius.07621.D"]
FORECAST_DATE = dt.date(2024, 7, 21)
BEFORE, AFTER = "BEFOREMARK", "AFTERMARK"


def dev_records() -> list[dict]:
    records = {r["id"]: r for r in all_dev_records()}
    return [records[i] for i in IDS]


def write_documents(folder: Path) -> None:
    folder.mkdir()
    (folder / "before.md").write_text(
        f"---\ndate: {FORECAST_DATE - dt.timedelta(days=1)}\n---\n# Chess and Olympics notes\n"
        f"{BEFORE}: Ding Liren defends the World Chess Champion title; the Seine water quality worries Paris 2024.\n")
    (folder / "after.md").write_text(
        f"---\ndate: {FORECAST_DATE + dt.timedelta(days=1)}\n---\n# What happened later\n"
        f"{AFTER}: Ding Liren lost the World Chess Champion title; Paris 2024 Seine events were postponed.\n")


@pytest.fixture(scope="module")
def evaluation(prefect_server, pool, tmp_path_factory):
    """One evaluate flow run for the module; every test reads what it stored and returned."""
    root = tmp_path_factory.mktemp("evaluate")
    questions = root / "questions.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in dev_records()))
    write_documents(root / "docs")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FORECASTER_DATA_DIR", str(root / "data"))
        env.setenv("FORECASTER_RETRIEVAL__DOCUMENTS_DIR", str(root / "docs"))
        env.setenv("FORECASTER_RETRIEVAL__MIN_SCORE", "-1")  # rank every passage: only the date may filter one out
        state = evaluate(questions_file=str(questions), n_resamples=200, return_state=True)
        settings = load_settings()
    return {**state.result(), "flow_run_id": state.state_details.flow_run_id}, settings, questions


def agent_rows(settings, run_id: str, crowd: bool = False) -> list[dict]:
    """The run's agent forecasts; the crowd member's too when `crowd` (it has no prompt)."""
    db = open_database(settings.database_path)
    return list(db.query("SELECT question_id, agent, probability, as_of, prompt FROM agent_forecasts"
                         " WHERE run_id = ? AND (? OR agent != 'crowd')", [run_id, int(crowd)]))


def test_the_files_outcomes_and_market_probabilities_are_recorded(evaluation):
    _, settings, _ = evaluation
    store = ScoringStore(settings.database_path)
    records = dev_records()
    assert {q: r.outcome for q, r in store.resolutions().items()} == {r["id"]: r["outcome"] for r in records}
    assert store.market_probabilities() == {r["id"]: r["market_probability"] for r in records
                                             if r["market_probability"] is not None}


def test_every_question_is_forecast_by_every_agent_as_of_its_forecast_date(evaluation):
    result, settings, _ = evaluation
    rows = agent_rows(settings, result["run_id"])
    assert len(rows) == len(IDS) * len(settings.agents)
    assert {r["as_of"] for r in rows} == {FORECAST_DATE.isoformat()}
    assert all(f"Today is {FORECAST_DATE.isoformat()}." in r["prompt"] for r in rows)


def test_no_prompt_holds_a_document_dated_after_the_forecast_date(evaluation):
    result, settings, _ = evaluation
    prompts = [r["prompt"] for r in agent_rows(settings, result["run_id"])]
    assert not any(AFTER in p for p in prompts)


def test_documents_dated_before_the_forecast_date_do_reach_the_prompts(evaluation):
    # The control for the test above: the documents folder is read, so the later note was left out by its date.
    result, settings, _ = evaluation
    prompts = [r["prompt"] for r in agent_rows(settings, result["run_id"])]
    assert all(BEFORE in p for p in prompts)


def test_questions_with_a_market_value_have_a_crowd_member_forecasting_it(evaluation):
    result, settings, _ = evaluation
    crowd = {r["question_id"]: r["probability"] for r in agent_rows(settings, result["run_id"], crowd=True)
             if r["agent"] == "crowd"}
    assert crowd == pytest.approx({r["id"]: r["market_probability"] for r in dev_records()
                                   if r["market_probability"] is not None})


def test_the_printed_report_has_the_brier_per_source_and_band_beside_the_baselines(evaluation):
    result, _, _ = evaluation
    assert "Brier per source and horizon band" in result["text"]
    assert "naive" in result["text"] and "learned priors: no learned file" in result["text"]


def test_stored_scores_are_the_returned_table_under_the_runs_id(evaluation):
    result, settings, _ = evaluation
    stored = ScoringStore(settings.database_path).scores(result["evaluation_id"])
    assert [s.as_record() for s in stored] == result["scores"]


def test_the_table_scores_agents_every_ensemble_method_learned_ensembles_and_baselines(evaluation):
    result, settings, _ = evaluation
    overall = {(s["kind"], s["name"]) for s in result["scores"] if s["scope"] == "all"}
    method = settings.ensemble.method
    assert overall == {
        *(("agent", a.name) for a in settings.agents), ("agent", "crowd"),
        *(("ensemble", m) for m in METHODS),
        ("ensemble", f"{method}+platt"), ("ensemble", f"{method}+extremize"), ("ensemble", "score-weighted"),
        ("baseline", "market"), ("baseline", "constant 0.5"), ("baseline", "base rate"),
    }


def test_an_agents_brier_score_is_the_mean_squared_error_of_its_stored_forecasts(evaluation):
    result, settings, _ = evaluation
    outcome = {r["id"]: r["outcome"] for r in dev_records()}
    agent = settings.agents[0].name
    forecasts = [r for r in agent_rows(settings, result["run_id"]) if r["agent"] == agent]
    expected = np.mean([(r["probability"] - outcome[r["question_id"]]) ** 2 for r in forecasts])
    (row,) = [s for s in result["scores"] if s["scope"] == "all" and s["name"] == agent]
    assert row["n"] == len(IDS)
    assert row["brier"] == pytest.approx(expected)
    assert row["brier_ci_low"] <= row["brier"] <= row["brier_ci_high"]


def test_the_market_is_scored_on_the_questions_that_have_one(evaluation):
    result, _, _ = evaluation
    with_market = [r for r in dev_records() if r["market_probability"] is not None]
    expected = np.mean([(r["market_probability"] - r["outcome"]) ** 2 for r in with_market])
    market = {s["scope"]: s for s in result["scores"] if s["name"] == "market"}
    assert market["all"]["n"] == market["with market"]["n"] == len(with_market)
    assert market["all"]["brier"] == pytest.approx(expected)
    half = next(s for s in result["scores"] if s["scope"] == "all" and s["name"] == "constant 0.5")
    assert half["brier"] == 0.25 and half["n"] == len(IDS)


def test_each_question_source_gets_its_own_scope(evaluation):
    result, _, _ = evaluation
    records = dev_records()
    sizes = {s["scope"]: s["n"] for s in result["scores"] if s["name"] == "constant 0.5"}
    expected = {"all": len(records), "with market": sum(r["market_probability"] is not None for r in records)}
    for source in {r["source"] for r in records}:
        expected[f"source={source}"] = sum(r["source"] == source for r in records)
    assert sizes == expected
    assert set(expected) == {"all", "with market", "source=manifold", "source=dbnomics"}


def test_the_calibration_and_brier_over_time_plots_are_written(evaluation):
    result, _, _ = evaluation
    # figsize in inches x dpi 110 (forecaster/scoring/plots.py)
    assert size(result["plots"]["calibration"]) == (770, 770)
    assert size(result["plots"]["brier_over_time"]) == (990, 550)


def test_the_table_and_plots_are_published_as_prefect_artifacts(evaluation):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from forecaster.names import artifact_key

    result, _, _ = evaluation
    keys = [artifact_key(p, result["evaluation_id"])
            for p in ("evaluation-scores", "evaluation-calibration", "evaluation-brier-over-time")]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[result["flow_run_id"]]), key=ArtifactFilterKey(any_=keys)))
    by_key = {a.key: a.data for a in artifacts}
    assert set(by_key) == set(keys)
    assert "**all**" in by_key[keys[0]] and "constant 0.5" in by_key[keys[0]]
    assert by_key[keys[1]].startswith("![") and "data:image/png;base64," in by_key[keys[1]]


def test_the_printed_table_names_every_scope(evaluation):
    result, _, _ = evaluation
    for scope in ("[all]", "[source=manifold]", "[source=dbnomics]", "[with market]"):
        assert scope in result["text"]
