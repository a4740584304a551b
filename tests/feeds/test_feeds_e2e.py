"""End to end on the demo model and a real Prefect server: pull -> forecast -> submit -> resolve through the
command line against the Metaculus stand-in, and the `forecast-feed` flow against the Manifold stand-in."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.events.store import ForecastStore
from forecaster.feeds.store import FeedStore
from forecaster.scoring.store import ScoringStore
from forecaster.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def no_retrieval(monkeypatch):
    monkeypatch.setenv("FORECASTER_RETRIEVAL__ENABLED", "false")


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_pull_forecast_submit_resolve_chain_on_metaculus(prefect_server, pool, metaculus, no_retrieval,
                                                         data_dir, tmp_path):
    questions = tmp_path / "aib.jsonl"
    invoke("pull", "metaculus", "--tournament", "aib", "--limit", "2", "--out", str(questions))
    invoke("forecast", "--questions", str(questions))
    with ForecastStore(data_dir / "forecaster.db") as store:
        run_id = store.latest_run_id()
        forecasts = {r["question_id"]: r["probability"] for r in store.run_ensembles(run_id)}
    assert sorted(forecasts) == ["metaculus-1001", "metaculus-1002"]

    invoke("submit", "metaculus", "--run", run_id)
    assert {q: ps[-1] for q, ps in metaculus.forecasts.items()} == {
        1001: pytest.approx(forecasts["metaculus-1001"], abs=1e-6),
        1002: pytest.approx(forecasts["metaculus-1002"], abs=1e-6)}
    with FeedStore(data_dir / "forecaster.db") as feeds:
        assert [(s.question_id, s.status) for s in feeds.submissions(run_id)] == [
            ("metaculus-1001", "accepted"), ("metaculus-1002", "accepted")]

    metaculus.resolve(101, "yes")
    metaculus.resolve(102, "annulled")
    invoke("resolve", "--from", "metaculus")
    with ScoringStore(data_dir / "forecaster.db") as scoring:
        assert {q: r.outcome for q, r in scoring.resolutions().items()} == {"metaculus-1001": 1}
        assert list(scoring.voids()) == ["metaculus-1002"]


def test_forecast_feed_flow_pulls_forecasts_and_publishes_its_counts(prefect_server, pool, manifold, no_retrieval,
                                                                      data_dir):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.feed import forecast_feed

    state = forecast_feed(source="manifold", limit=2, return_state=True)
    counts = state.result()
    assert {k: counts[k] for k in ("pulled", "forecast", "submitted")} == {"pulled": 2, "forecast": 2, "submitted": 0}
    with ForecastStore(load_settings().database_path) as store:
        assert [r["question_id"] for r in store.run_ensembles(counts["run"])] == ["manifold-m1", "manifold-m2"]
    with get_client(sync_client=True) as client:
        [published] = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    assert published.key == "forecast-feed-manifold"
    assert "| pulled | 2 |" in published.data and "| submitted | 0 |" in published.data


def test_a_tournament_of_every_type_is_pulled_forecast_submitted_and_scored(prefect_server, pool, typed_metaculus,
                                                                           no_retrieval, data_dir, tmp_path):
    questions = tmp_path / "typed.jsonl"
    invoke("pull", "metaculus", "--tournament", "aib", "--limit", "4", "--out", str(questions))
    invoke("forecast", "--questions", str(questions))
    invoke("submit", "metaculus")
    assert sorted(typed_metaculus.forecasts) == [2001, 2002, 2003, 2004]  # every body accepted by the rules
    with FeedStore(data_dir / "forecaster.db") as feeds:
        assert {s.status for s in feeds.submissions()} == {"accepted"}
    assert len(typed_metaculus.forecasts[2003][0]) == 201 and set(typed_metaculus.forecasts[2002][0]) == {
        "Red", "Blue", "Green"}

    typed_metaculus.resolve(202, "Green")
    invoke("resolve", "--from", "metaculus")
    scored = invoke("score-types")
    assert "metaculus-2002" in scored.output and "1 resolved typed question(s) scored" in scored.output
