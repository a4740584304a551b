"""The flows' parameters (from the CLI, the Prefect UI or the API) are checked before anything runs or loads."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from forecaster.errors import InputError
from forecaster.flow_parameters import check_evaluate_parameters, check_forecast_parameters

TODAY = dt.date(2026, 12, 20)
FINE = [{"id": "p-1", "question": "Will X happen by 2027-06-30?"}]


def test_valid_parameters_give_the_run_questions():
    (q,) = check_forecast_parameters(None, FINE, ["plain"], "median", dt.date(2026, 12, 1), TODAY)
    assert q.id == "p-1"


@pytest.mark.parametrize("kwargs, message", [
    (dict(questions=None), r"questions_file, questions: give a questions file or at least one question"),
    (dict(questions=[]), r"questions_file, questions: give a questions file or at least one question"),
    (dict(questions=[{"id": "../../x", "question": "A?"}]), r"questions\[0\]: field 'id' must not contain a path"),
    (dict(questions=[{"question": "A?", "market_probability": 1.7}]), r"questions\[0\]: field 'market_probability'"),
    (dict(questions=[42]), r"questions\[0\]: a question must be a mapping of fields, got int"),
    (dict(ensemble_method="majority"), r"ensemble_method: must be one of \['mean', 'median'"),
    (dict(agents=["plain", "plain"]), r"agents: each agent may be named once; \['plain'\] named more than once"),
    (dict(as_of=dt.date(2026, 12, 21)), r"as_of: 2026-12-21 is after today \(2026-12-20\)"),
    (dict(as_of=dt.datetime(2026, 12, 1, 12)), r"as_of: must be a date YYYY-MM-DD"),
    (dict(resume="../runs/x"), r"resume: "),
    (dict(resume=7), r"resume: must be text"),
])
def test_a_bad_forecast_parameter_is_named_with_its_rule(kwargs, message):
    arguments = dict(questions_file=None, questions=FINE, agents=None, ensemble_method=None, as_of=None,
                     today=TODAY) | kwargs
    with pytest.raises(InputError, match=message):
        check_forecast_parameters(**arguments)


def test_a_questions_file_parameter_is_checked_like_the_cli_checks_it(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_bytes(b'{"question": "\xff"}\n')
    with pytest.raises(InputError, match=r"q\.jsonl:1: not UTF-8 text"):
        check_forecast_parameters(str(path), None, today=TODAY)


def test_a_missing_questions_file_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nope\.jsonl: questions file not found"):
        check_forecast_parameters(str(tmp_path / "nope.jsonl"), None, today=TODAY)


def evaluation_file(tmp_path, **extra) -> str:
    record = {"id": "e-1", "question": "A?", "forecast_date": "2024-07-21", "resolution_date": "2024-08-01",
              "outcome": 1} | extra
    path = tmp_path / "eval.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return str(path)


def test_valid_evaluate_parameters_give_the_file_questions(tmp_path):
    (q,) = check_evaluate_parameters(evaluation_file(tmp_path), run_id="run-20261123T101010-abc123")
    assert q.id == "e-1"


@pytest.mark.parametrize("kwargs, message", [
    (dict(run_id="../../x"), r"run_id: must not contain a path separator"),
    (dict(learned_split="random"), r"learned_split: must be one of \['kfold', 'time'\]"),
    (dict(n_folds=1), r"n_folds: must be a whole number >= 2, got 1"),
    (dict(n_resamples=10), r"n_resamples: must be a whole number >= 100, got 10"),
    (dict(agents=["a", "a"]), r"agents: each agent may be named once"),
])
def test_a_bad_evaluate_parameter_is_named_with_its_rule(tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message):
        check_evaluate_parameters(evaluation_file(tmp_path), **kwargs)


def test_an_evaluation_file_with_a_bad_outcome_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(InputError, match=r"eval\.jsonl:1: field 'outcome' must be"):
        check_evaluate_parameters(evaluation_file(tmp_path, outcome="maybe"))


def flow_run_task_count(flow_run_id) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return len(client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))))


@pytest.mark.slow
def test_a_bad_question_parameter_fails_the_run_at_once_with_its_message_as_state_message(prefect_server,
                                                                                          data_dir):
    from flows.events import forecast_events

    state = forecast_events(questions=[{"id": "../../x", "question": "Will it escape?"}], today=TODAY,
                            return_state=True)
    assert state.is_failed()
    assert "questions[0]: field 'id' must not contain a path separator" in state.message
    assert flow_run_task_count(state.state_details.flow_run_id) == 0  # no question loaded, no run recorded
    assert not (data_dir / "forecaster.db").exists()
    assert not list(data_dir.parent.glob("x.png")) and not (data_dir / "plots").exists()


@pytest.mark.slow
def test_a_bad_question_fails_a_sharded_set_before_any_shard_run_starts(prefect_server, data_dir):
    from flows.sharded import forecast_events_sharded

    state = forecast_events_sharded(questions=[{"id": "q-1", "question": "Fine?"},
                                               {"id": "q-2", "question": "Bad?", "market_probability": 1.7}],
                                    shards=2, today=TODAY, return_state=True)
    assert state.is_failed()
    assert "questions[1]: field 'market_probability'" in state.message
    assert flow_run_task_count(state.state_details.flow_run_id) == 0  # no shard started
    assert not (data_dir / "forecaster.db").exists()


@pytest.mark.slow
def test_a_bad_evaluate_parameter_fails_the_run_at_once_with_its_message_as_state_message(prefect_server,
                                                                                         data_dir, tmp_path):
    from flows.evaluate import evaluate

    state = evaluate(questions_file=evaluation_file(tmp_path), run_id="/tmp/x", return_state=True)
    assert state.is_failed()
    assert "run_id: must not contain a path separator" in state.message
    assert flow_run_task_count(state.state_details.flow_run_id) == 0
    assert not (data_dir / "forecaster.db").exists()


@pytest.mark.slow
def test_an_unknown_agent_fails_evaluate_before_the_file_outcomes_are_recorded(prefect_server, data_dir, tmp_path):
    from flows.evaluate import evaluate

    state = evaluate(questions_file=evaluation_file(tmp_path), agents=["nobody"], return_state=True)
    assert state.is_failed()
    assert "agents: unknown agent 'nobody'" in state.message
    assert flow_run_task_count(state.state_details.flow_run_id) == 0
    assert not (data_dir / "forecaster.db").exists()
