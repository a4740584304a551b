"""The crowd member through the real flow: real engine, real Prefect server, real SQLite file."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from flows.events import forecast_events
from forecaster.events.store import ForecastStore
from forecaster.learning.combiner import fit_combiner
from forecaster.learning.learned_file import write_combiner
from forecaster.names import file_stem
from forecaster.settings import load_settings
from tests.learning.synthetic import synthetic_round

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 2, 15)
QUESTION = {"id": "q-crowd", "question": "Will the market on rain in Paris resolve YES?", "source": "market",
            "resolution_date": "2026-03-01", "market_probability": 0.83}


def test_the_crowd_is_stored_pooled_and_plotted_beside_the_agents(prefect_server, pool, data_dir, monkeypatch):
    monkeypatch.setenv("FORECASTER_RETRIEVAL__ENABLED", "false")
    settings = load_settings()
    (summary,) = forecast_events(questions=[QUESTION], as_of=AS_OF, today=AS_OF)
    store = ForecastStore(settings.database_path)
    members = {r["agent"]: r["probability"] for r in store.agent_history("q-crowd")}
    assert set(members) == {a.name for a in settings.agents} | {"crowd"}
    assert members["crowd"] == pytest.approx(0.83)
    assert summary["ensemble"] == pytest.approx(np.mean(list(members.values())))
    assert summary["agents"]["crowd"] == pytest.approx(0.83)
    assert (settings.plots_dir / f"{file_stem('q-crowd')}.png").stat().st_size > 0


def test_the_learned_method_weighs_the_crowd_from_the_learned_file(prefect_server, pool, data_dir, monkeypatch):
    rows = synthetic_round(0, np.random.default_rng(4), 60, 0, agents=False)
    learned = write_combiner(fit_combiner(rows), data_dir / "learned.json")
    monkeypatch.setenv("FORECASTER_RETRIEVAL__ENABLED", "false")
    monkeypatch.setenv("FORECASTER_ENSEMBLE__METHOD", "learned")
    monkeypatch.setenv("FORECASTER_ENSEMBLE__LEARNED_FILE", str(learned))
    settings = load_settings()
    (summary,) = forecast_events(questions=[QUESTION], as_of=AS_OF, today=AS_OF)
    combiner_p = fit_combiner(rows).combine("market", None, 0.83, {}).probability
    assert summary["method"] == "learned"
    assert summary["ensemble"] == pytest.approx(combiner_p)
    (stored,) = ForecastStore(settings.database_path).ensemble_history("q-crowd")
    assert stored["method"] == "learned"
    assert json.loads(learned.read_text())["weights"].keys() == {"crowd"}
