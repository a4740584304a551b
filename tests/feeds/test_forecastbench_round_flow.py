"""A ForecastBench round end to end on a slice of the real 2025-10-26 set: forecast (the demo model on the
session's engine, a real Prefect server, real SQLite, retrieval off), export, read back, score."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from flows.events import forecast_events
from forecaster.cli import app
from forecaster.events.store import ForecastStore
from forecaster.feeds.forecastbench import MARKET_SOURCES
from forecaster.feeds.forecastbench_submission import read_submission
from forecaster.scoring.store import ScoringStore
from forecaster.settings import load_settings
from tests.feeds.round_files import resolution_set_path, set_slice

pytestmark = pytest.mark.slow

# "Today" is an input: well after the set's due date, whatever the clock says.
TODAY = dt.date(2026, 12, 1)
LINE = re.compile(r"(overall|market|dataset) +brier (\d\.\d{4})  \(0\.5 everywhere (\d\.\d{4}), "
                  r"naive (\d\.\d{4})\)  n=(\d+)")


@pytest.fixture(scope="module")
def round_run(prefect_server, pool, tmp_path_factory):
    """One forecast of the slice, then `export forecastbench` and `score` through the real typer app."""
    root = tmp_path_factory.mktemp("round")
    questions = set_slice(root, markets=3, datasets=1)
    env = {"FORECASTER_DATA_DIR": str(root / "data"), "FORECASTER_RETRIEVAL__ENABLED": "false"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        summaries = forecast_events(questions_file=str(questions), today=TODAY)
        settings = load_settings()
        runner = CliRunner()
        exported = runner.invoke(app, ["export", "forecastbench", "--out", str(root), "--organization", "acme"])
        scored = runner.invoke(app, ["score", "--resolutions", str(resolution_set_path()), "--resamples", "200"])
    return {"questions": json.loads(questions.read_text()), "summaries": summaries, "settings": settings,
            "root": root, "exported": exported, "scored": scored}


def test_each_question_is_forecast_as_of_the_sets_due_date(round_run):
    run_id = round_run["summaries"][0]["run_id"]
    with ForecastStore(round_run["settings"].database_path) as store:
        as_of = {row["as_of"] for row in store.run_agent_forecasts(run_id)}
    assert as_of == {round_run["questions"]["forecast_due_date"]}


def test_the_export_covers_every_market_question_and_every_dataset_date(round_run):
    assert round_run["exported"].exit_code == 0, round_run["exported"].output
    raw = round_run["questions"]
    (path,) = round_run["root"].glob(f"{raw['forecast_due_date']}.acme.*.json")
    submission = read_submission(path)
    expected = {(q["source"], q["id"], None) for q in raw["questions"] if q["source"] in MARKET_SOURCES}
    expected |= {(q["source"], q["id"], dt.date.fromisoformat(d)) for q in raw["questions"]
                 if q["source"] not in MARKET_SOURCES for d in q["resolution_dates"]}
    assert {f.key for f in submission.forecasts} == expected
    assert submission.question_set == raw["question_set"]


def test_score_prints_three_lines_on_the_slices_resolved_rows(round_run):
    assert round_run["scored"].exit_code == 0, round_run["scored"].output
    lines = [m.groups() for m in map(LINE.fullmatch, round_run["scored"].output.splitlines()) if m]
    assert [line[0] for line in lines] == ["overall", "market", "dataset"]
    raw = round_run["questions"]["questions"]
    ours = {(q["source"], q["id"]) for q in raw}
    rows = [r for r in json.loads(resolution_set_path().read_text())["resolutions"] if (r["source"], r["id"]) in ours
            and (r["source"] in MARKET_SOURCES or r["resolved"])]
    assert int(lines[0][4]) == len(rows)
    assert int(lines[1][4]) == sum(r["source"] in MARKET_SOURCES for r in rows)


def test_score_reports_the_brier_per_source_and_band_beside_the_baselines(round_run):
    output = round_run["scored"].output
    assert "Brier per source and horizon band" in output
    header = next(line for line in output.splitlines() if line.startswith("source"))
    assert "naive" in header and "agents' mean" in header and "run (mean)" in header
    assert "learned priors: no learned file" in output


def test_the_scores_are_stored_under_the_run(round_run):
    run_id = round_run["summaries"][0]["run_id"]
    with ScoringStore(round_run["settings"].database_path) as store:
        stored = store.scores(f"round-{run_id}")
    assert {r.scope for r in stored} == {"forecastbench overall", "forecastbench market", "forecastbench dataset"}


def test_history_shows_a_dataset_question_at_one_resolution_date(round_run):
    summary = next(s for s in round_run["summaries"] if s["question_id"].endswith(
        round_run["questions"]["questions"][-1]["resolution_dates"][0]))
    result = CliRunner().invoke(app, ["history", summary["question_id"]],
                                env={"FORECASTER_DATA_DIR": str(round_run["root"] / "data")})
    assert result.exit_code == 0 and "ensemble (mean)" in result.output
