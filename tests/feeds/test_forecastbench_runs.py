"""A stored run as a ForecastBench round: what the export writes and what scoring reads (real SQLite, no model)."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.errors import InputError
from forecaster.events.agents import ForecastFailure
from forecaster.events.questions import Question
from forecaster.question_files import load_questions
from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.feeds.forecastbench_runs import read_run_round, round_submission
from forecaster.feeds.forecastbench_submission import read_submission
from tests.events.factories import agent_forecast
from tests.feeds.round_files import set_slice


def _store_run(store: ForecastStore, run_id: str, questions: list[Question], failed: set[str] = frozenset()):
    from forecaster.events.ensemble import ensemble_forecast
    from forecaster.settings import EnsembleSettings

    store.start_run(run_id, None, "mean", ["agent-0"])
    for q in questions:
        if q.id in failed:
            result = QuestionResult(q, dt.date(2025, 10, 26), (), None, failures=(ForecastFailure(q.id, "agent-0", "x"),))
        else:
            forecasts = (agent_forecast(q.id, "agent-0", 30),)
            result = QuestionResult(q, dt.date(2025, 10, 26), forecasts,
                                    ensemble_forecast(q.id, forecasts, EnsembleSettings()))
        store.save_question(run_id, result)
    store.finish_run(run_id, "completed")


def _env(tmp_path, data) -> dict[str, str]:
    # Every variable the command may set is given, so CliRunner restores them all afterwards.
    return {"FORECASTER_DATA_DIR": str(data), "PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "TOKENIZERS_PARALLELISM": "false",
            "VLLM_CPU_OMP_THREADS_BIND": "nobind"}


@pytest.fixture
def slice_questions(tmp_path):
    return load_questions(set_slice(tmp_path, 2, 1))


@pytest.fixture
def store(tmp_path):
    with ForecastStore(tmp_path / "forecaster.db") as opened:
        yield opened


def test_a_run_reads_back_one_forecast_per_row_with_the_gaps(store, slice_questions):
    _store_run(store, "run-1", slice_questions, failed={slice_questions[0].id})
    run_round = read_run_round(store, "run-1")
    assert len(run_round.forecasts) == len(slice_questions)
    assert [f.question_id for f in run_round.gaps] == [slice_questions[0].id]
    assert run_round.question_set == slice_questions[0].question_set
    assert run_round.due_date == slice_questions[0].forecast_date


def test_the_submission_leaves_the_gaps_out(store, slice_questions):
    _store_run(store, "run-1", slice_questions, failed={slice_questions[0].id})
    submission = round_submission(read_run_round(store, "run-1"), "acme", "m")
    assert len(submission.forecasts) == len(slice_questions) - 1
    assert all((f.resolution_date is None) == (f.source in ("manifold", "metaculus", "polymarket", "infer"))
               for f in submission.forecasts)


def test_a_run_without_forecastbench_questions_is_refused(store):
    _store_run(store, "run-1", [Question("q-1", "Will it rain?")])
    with pytest.raises(InputError, match="holds no ForecastBench questions"):
        read_run_round(store, "run-1")


def test_a_run_of_two_sets_is_refused(store, slice_questions):
    other = [Question(**{**q.to_record(), "id": q.id + "-x", "question_set": "2025-11-09-llm.json",
                         "resolution_date": q.resolution_date, "forecast_date": q.forecast_date})
             for q in slice_questions[:1]]
    _store_run(store, "run-1", slice_questions + other)
    with pytest.raises(InputError, match="2 ForecastBench sets"):
        read_run_round(store, "run-1")


def test_latest_is_the_run_started_last(store, slice_questions):
    _store_run(store, "run-1", slice_questions)
    _store_run(store, "run-2", slice_questions[:1])
    assert store.resolve_run(None) == store.resolve_run("latest") == "run-2"
    with pytest.raises(InputError, match="not found"):
        store.resolve_run("run-9")


def test_export_writes_the_submission_into_a_folder(tmp_path, slice_questions):
    data = tmp_path / "data"
    data.mkdir()
    with ForecastStore(data / "forecaster.db") as store:
        _store_run(store, "run-1", slice_questions, failed={slice_questions[-1].id})
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["export", "forecastbench", "--out", str(out), "--organization", "acme",
                                      "--model", "demo"], env=_env(tmp_path, data))
    assert result.exit_code == 0, result.output
    path = out / f"{slice_questions[0].forecast_date}.acme.demo.json"
    assert len(read_submission(path).forecasts) == len(slice_questions) - 1
    assert "1 forecast(s) the run could not make are left out" in result.output


def test_export_of_a_run_without_forecastbench_questions_fails_clearly(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with ForecastStore(data / "forecaster.db") as store:
        _store_run(store, "run-1", [Question("q-1", "Will it rain?")])
    result = CliRunner().invoke(app, ["export", "forecastbench", "--out", str(tmp_path / "s.json")],
                                env=_env(tmp_path, data))
    assert result.exit_code == 2 and "holds no ForecastBench questions" in result.output
    assert not (tmp_path / "s.json").exists()


def test_score_refuses_a_run_without_forecastbench_questions_before_any_flow(tmp_path):
    from tests.feeds.round_files import resolution_set_path

    data = tmp_path / "data"
    data.mkdir()
    with ForecastStore(data / "forecaster.db") as store:
        _store_run(store, "run-1", [Question("q-1", "Will it rain?")])
    result = CliRunner().invoke(app, ["score", "--resolutions", str(resolution_set_path())], env=_env(tmp_path, data))
    assert result.exit_code == 2 and "holds no ForecastBench questions" in result.output


def test_score_refuses_a_malformed_resolution_set_naming_the_file(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text('{"forecast_due_date": "2025-10-26", "question_set": "x", "resolutions": [{"id": "A"}]}')
    result = CliRunner().invoke(app, ["score", "--resolutions", str(bad)], env=_env(tmp_path, tmp_path / "data"))
    assert result.exit_code == 2 and f"{bad}: resolution #1" in result.output and "'source'" in result.output
