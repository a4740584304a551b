"""End to end: a ForecastBench dataset question whose FRED series a stand-in serves gets a `series` member in the
event flow (the demo model on the session's engine, a real Prefect server, real SQLite, retrieval off): stored
with its quantiles, pooled with the agent, plotted, shown by `history`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from flows.events import forecast_events
from forecaster.cli import app
from forecaster.events.store import ForecastStore
from forecaster.names import SERIES, file_stem
from forecaster.series.store import MemberStore
from forecaster.settings import load_settings
from tests.series.conftest import DUE
from tests.series.fb_set import dataset_question
from tests.series.standins import FredStandIn, series_settings_env, weekday_points

pytestmark = pytest.mark.slow


def test_a_dataset_question_gets_a_stored_plotted_series_member(prefect_server, pool, tmp_path, monkeypatch):
    questions = tmp_path / f"{DUE}-llm.json"
    questions.write_text(json.dumps({"forecast_due_date": DUE.isoformat(), "question_set": questions.name,
                                     "questions": [dataset_question("fred", "DAAA")]}))
    values = [100.0 + i for i in range(80)]
    with FredStandIn({"DAAA": weekday_points(dt.date(2025, 12, 1), values)}) as fred:
        for key, value in {**series_settings_env(fred=fred.url), "FORECASTER_DATA_DIR": str(tmp_path / "data"),
                           "FORECASTER_RETRIEVAL__ENABLED": "false"}.items():
            monkeypatch.setenv(key, value)
        summaries = forecast_events(questions_file=str(questions), agents=["base-rates"], today=dt.date(2026, 12, 1))
    settings = load_settings()
    assert len(summaries) == 2 and all(set(s["agents"]) == {"base-rates", SERIES} for s in summaries)
    assert all(s["agents"][SERIES] > 0.5 for s in summaries)  # a rising series
    qid = summaries[0]["question_id"]
    with MemberStore(settings.database_path) as members, ForecastStore(settings.database_path) as store:
        row = members.latest(qid)
        ensemble = store.ensemble_history(qid)[-1]
    assert row["probability"] == summaries[0]["agents"][SERIES] and len(row["quantiles"]) == 21
    assert ensemble["probability"] == pytest.approx(sum(summaries[0]["agents"].values()) / 2)
    assert (settings.plots_dir / f"{file_stem(qid)}-series.png").is_file()
    shown = CliRunner().invoke(app, ["history", qid])
    assert "fred:DAAA: P(value on" in shown.output
