"""The event-forecasting flow end to end: real engine, real Prefect server, real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from flows.events import forecast_events
from tests import images
from forecaster.progress import LOGGER_NAME
from forecaster.settings import load_settings
from forecaster.events.store import ForecastStore

pytestmark = pytest.mark.slow

SECRETS = {"HF_TOKEN": "hf_do_not_leak_4242", "AWS_SECRET_ACCESS_KEY": "aws_do_not_leak_8181"}
QUESTIONS = [
    {"id": "q-mars", "question": "Will a crewed spacecraft land on Mars by 2027-06-30?",
     "resolution_date": "2027-06-30"},
    {"id": "q-rain", "question": "Will it rain in London on 2027-01-01?", "resolution_date": "2027-01-01"},
]
AS_OF = dt.date(2026, 11, 23)
# "Today" is an input: AS_OF lies in the past, so sources are read as they stood on AS_OF whatever the clock says.
TODAY = dt.date(2026, 12, 20)


@pytest.fixture(scope="module")
def run(prefect_server, pool, tmp_path_factory):
    """One flow run shared by the tests that inspect it: a data dir, a documents folder, secrets in the env."""
    data = tmp_path_factory.mktemp("flow-data")
    docs = data / "docs"
    docs.mkdir()
    (docs / "mars.md").write_text("---\ndate: 2026-11-01\n---\n# Mars missions\n"
                                  "No crewed Mars landing is scheduled before 2030.\n")
    # Dated after AS_OF (though before TODAY): a forecast as of AS_OF must not read it.
    (docs / "mars-later.md").write_text("---\ndate: 2026-12-01\n---\n# Mars landing announced\n"
                                        "A crewed Mars landing was announced for 2027.\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORECASTER_DATA_DIR", str(data))
        mp.setenv("FORECASTER_RETRIEVAL__DOCUMENTS_DIR", str(docs))
        mp.setenv("FORECASTER_RETRIEVAL__MIN_SCORE", "0.0")
        for key, value in SECRETS.items():
            mp.setenv(key, value)
        settings = load_settings()
        summaries = forecast_events(questions=QUESTIONS, as_of=AS_OF, today=TODAY)
        yield summaries, ForecastStore(settings.database_path), settings


def test_every_agent_forecasts_every_question(run):
    summaries, store, settings = run
    assert [s["question_id"] for s in summaries] == ["q-mars", "q-rain"]
    for s in summaries:
        assert set(s["agents"]) == {a.name for a in settings.agents}
        assert store.count_rows(s["question_id"]) == {"questions": 1, "agent_forecasts": 3, "ensemble_forecasts": 1}


def test_stored_distribution_sums_to_one_and_its_mean_is_the_forecast(run):
    _, store, _ = run
    for row in store.agent_history("q-mars"):
        assert sum(row["distribution"]) == pytest.approx(1.0, abs=1e-9)
        assert row["probability"] == pytest.approx(sum(n * p for n, p in enumerate(row["distribution"])) / 100)
        assert row["mass"] > 0


def test_ensemble_is_the_configured_pool_of_the_stored_agents(run):
    summaries, store, _ = run
    agents = [r["probability"] for r in store.agent_history("q-rain")]
    (ensemble,) = store.ensemble_history("q-rain")
    assert ensemble["method"] == "mean"
    assert ensemble["probability"] == pytest.approx(sum(agents) / len(agents))
    assert summaries[1]["ensemble"] == pytest.approx(ensemble["probability"])


def test_agents_read_the_ranked_local_documents_and_the_store_records_them(run):
    _, store, _ = run
    (context,) = store.contexts("q-mars").values()
    assert [p["title"] for p in context["passages"]][0] == "Mars missions"
    assert "Mars landing announced" not in [p["title"] for p in context["passages"]]  # dated after AS_OF
    row = next(store.db.query("SELECT prompt, passage_ids FROM agent_forecasts WHERE question_id = 'q-mars'"))
    assert "No crewed Mars landing is scheduled before 2030." in row["prompt"]
    assert json.loads(row["passage_ids"]) == [p["id"] for p in context["passages"]]


def test_a_plot_is_drawn_per_question_from_its_own_forecasts(run):
    _, _, settings = run
    mars, rain = (settings.plots_dir / f"{qid}.png" for qid in ("q-mars", "q-rain"))
    assert images.size(mars) == (700, 450)  # a first forecast: its latest distributions, no history yet
    assert images.differ(mars, rain)


def test_forecast_table_and_plots_are_prefect_artifacts(run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    _, store, _ = run
    first = next(store.db.query("SELECT flow_run_id FROM runs ORDER BY started_at LIMIT 1"))
    flow_run_id = first["flow_run_id"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    by_key = {a.key: a.data for a in artifacts}
    assert "Will a crewed spacecraft land on Mars" in by_key["event-forecasts"]
    assert by_key["plot-q-mars"].startswith("![q-mars](data:image/png;base64,")
    assert by_key["plot-q-rain"].startswith("![q-rain](data:image/png;base64,")


def test_secrets_reach_neither_database_nor_log_nor_artifacts_nor_parameters(run):
    from prefect.client.orchestration import get_client

    _, _, settings = run
    with get_client(sync_client=True) as client:
        artifacts = " ".join(str(a.data) for a in client.read_artifacts())
        parameters = " ".join(json.dumps(r.parameters, default=str) for r in client.read_flow_runs())
    db_bytes = b"".join(p.read_bytes() for p in settings.database_path.parent.glob("forecaster.db*"))
    log_text = settings.log_file.read_text()
    assert "q-mars" in log_text  # the log file is really written
    for secret in SECRETS.values():
        assert secret.encode() not in db_bytes
        assert secret not in log_text and secret not in artifacts and secret not in parameters


def test_asking_again_adds_to_history_and_reuses_the_logprob_cache(run, pool, monkeypatch):
    _, store, settings = run
    monkeypatch.setenv("FORECASTER_DATA_DIR", str(settings.data_dir))
    reader = pool.reader(settings, "smollm2-135m")
    hits = reader.cache.hits
    forecast_events(questions=QUESTIONS[:1], as_of=AS_OF, today=TODAY)
    assert len(store.ensemble_history("q-mars")) == 2
    # Same prompts: every candidate of every agent comes from the cache.
    assert reader.cache.hits - hits == len(settings.agents) * 101


def test_logic_model_reasoning_is_read_by_the_agents_and_stored(prefect_server, pool, data_dir, settings,
                                                                monkeypatch):
    monkeypatch.setenv("FORECASTER_LOGIC__MODEL", "smollm2-135m")
    monkeypatch.setenv("FORECASTER_LOGIC__MAX_TOKENS", "24")
    forecast_events(questions=QUESTIONS[:1], agents=["sceptic"], as_of=AS_OF, today=TODAY)
    row = next(ForecastStore(settings.database_path).db.query("SELECT prompt, reasoning FROM agent_forecasts"))
    assert row["reasoning"]
    assert row["reasoning"] in row["prompt"]


class Advances(logging.Handler):
    """Collects how many forecasts each progress record reports done."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "progress_advance", None):
            self.counts.append(record.progress_advance)


def test_the_first_forecast_arrives_alone_then_the_rest_as_one_batch(prefect_server, pool, data_dir, settings):
    questions = [*QUESTIONS, {"id": "q-snow", "question": "Will it snow in Rome on 2027-01-15?"}]
    advances = Advances()
    logging.getLogger(LOGGER_NAME).addHandler(advances)
    try:
        forecast_events(questions=questions, agents=[settings.agents[0].name], as_of=AS_OF, today=TODAY)
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(advances)
    assert advances.counts == [1, 2]
