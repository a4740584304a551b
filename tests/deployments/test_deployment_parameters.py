"""A deployment run triggered with bad parameters (as from the UI) fails on the worker at once, writing nothing."""

from __future__ import annotations

import pytest

from tests.deployments.runs import rows, trigger, wait_final
from tests.processes import tail

pytestmark = pytest.mark.slow


def task_runs_of(client, flow_run_id) -> list:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))


def test_a_path_like_question_id_from_the_ui_fails_the_run_at_once_and_no_file_escapes(worker, prefect_client,
                                                                                       worker_data):
    run = trigger(prefect_client, "forecast-events/events-daily", {
        "questions_file": None, "questions": [{"id": "../../escaped", "question": "Will it escape?"}]})
    state = wait_final(prefect_client, run.id, 300, worker)
    assert state.is_failed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    assert "questions[0]: field 'id' must not contain a path separator" in state.message
    assert task_runs_of(prefect_client, run.id) == []  # no question loaded, no run recorded, no model
    database = worker_data / "forecaster.db"
    assert not database.exists() or rows(database, "SELECT id FROM runs WHERE flow_run_id = ?", str(run.id)) == []
    # Unchecked, the plot would have gone to plots/../../escaped.png: beside the worker's data dir.
    assert not (worker_data.parent / "escaped.png").exists() and not list(worker_data.rglob("escaped*"))


def test_an_unknown_ensemble_method_from_the_ui_fails_the_run_at_once(worker, prefect_client):
    run = trigger(prefect_client, "forecast-events/events-daily", {
        "questions_file": None, "questions": ["Will it snow in Paris on 2027-01-15?"], "ensemble_method": "vote"})
    state = wait_final(prefect_client, run.id, 300, worker)
    assert state.is_failed(), f"{state.type}: {state.message}\n{tail(worker.log, 60)}"
    assert "ensemble_method: must be one of ['mean', 'median'" in state.message
    assert task_runs_of(prefect_client, run.id) == []
