"""The flow stores chunk by chunk beside the model work, forecasts its first question alone first, and a big run
publishes its table, not a plot per question."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.events import forecast_events
from forecaster.events.store import ForecastStore
from forecaster.settings import load_settings

pytestmark = pytest.mark.slow

QUESTIONS = [{"id": f"q-chunk-{i}", "question": f"Will event {i} happen before 2027-06-30?"} for i in range(4)]
AS_OF, TODAY = dt.date(2026, 11, 23), dt.date(2026, 12, 20)


@pytest.fixture(scope="module")
def run(prefect_server, pool, tmp_path_factory):
    """Four questions, one agent, chunks of one question; a run of more than one question publishes no plots."""
    data = tmp_path_factory.mktemp("chunks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORECASTER_DATA_DIR", str(data))
        mp.setenv("FORECASTER_FORECAST__BATCH_SIZE", "1")
        mp.setenv("FORECASTER_FORECAST__PLOT_ARTIFACTS_MAX", "1")
        settings = load_settings()
        forecast_events(questions=QUESTIONS, agents=["base-rates"], as_of=AS_OF, today=TODAY)
        with ForecastStore(settings.database_path) as store:
            (row,) = store.runs_with_status("completed")
        yield row["flow_run_id"], settings


def task_runs(flow_run_id: str) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {r.name: r for r in runs}


def test_the_first_chunk_is_stored_before_the_model_work_of_the_last_ends(run):
    flow_run_id, _ = run
    runs = task_runs(flow_run_id)
    first_stored = runs["persist: q-chunk-0"].end_time
    last_forecast = runs["base-rates: q-chunk-3"].end_time
    assert first_stored < last_forecast


def test_a_run_over_the_plot_artifact_cap_draws_every_plot_but_publishes_only_its_table(run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    flow_run_id, settings = run
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    assert [a.key for a in artifacts] == ["event-forecasts"]
    assert sorted(p.stem for p in settings.plots_dir.glob("*.png")) == [q["id"] for q in QUESTIONS]


@pytest.fixture(scope="module")
def piloted(prefect_server, pool, tmp_path_factory):
    """Two questions, two agents, one chunk."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORECASTER_DATA_DIR", str(tmp_path_factory.mktemp("pilot")))
        mp.setenv("FORECASTER_FORECAST__BATCH_SIZE", "2")
        forecast_events(questions=QUESTIONS[:2], agents=["base-rates", "sceptic"], as_of=AS_OF, today=TODAY)
        with ForecastStore(load_settings().database_path) as store:
            (row,) = store.runs_with_status("completed")
        return row["flow_run_id"]


def test_the_first_agent_forecasts_the_first_question_alone_and_the_others_take_it_in_their_batch(piloted):
    forecasts = sorted((r for r in task_runs(piloted).values() if r.task_key.startswith("agent_chunk_task")),
                       key=lambda r: r.start_time)
    assert [r.name for r in forecasts] == ["base-rates: q-chunk-0", "base-rates: q-chunk-1", "sceptic: q-chunk-0 +1"]
