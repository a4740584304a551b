"""ForecastBench's submission file: written as ForecastBench reads it, read back with its rules."""

from __future__ import annotations

import json
from datetime import date

import pytest

from forecaster.errors import InputError
from forecaster.feeds.forecastbench_submission import (
    FORECAST_KEYS, SUBMISSION_KEYS, Submission, SubmittedForecast, read_submission, submission_file_name,
    write_submission)

ROWS = [SubmittedForecast("7994", "metaculus", 0.31, None, "crowd and base rate"),
        SubmittedForecast("DAAA", "fred", 0.55, date(2025, 11, 2), None),
        SubmittedForecast("DAAA", "fred", 0.6, date(2025, 11, 25), None)]
SUBMISSION = Submission("acme", "smollm2-135m", "huggingface", "2025-10-26-llm.json", ROWS)


def test_a_written_submission_reads_back_equal(tmp_path):
    path = write_submission(SUBMISSION, tmp_path / "s.json")
    assert read_submission(path) == SUBMISSION


def test_the_file_has_exactly_forecastbenchs_keys(tmp_path):
    raw = json.loads(write_submission(SUBMISSION, tmp_path / "s.json").read_text())
    assert tuple(raw) == SUBMISSION_KEYS
    assert all(tuple(row) == FORECAST_KEYS and row["direction"] is None for row in raw["forecasts"])
    assert raw["forecasts"][0]["resolution_date"] is None and raw["forecasts"][1]["resolution_date"] == "2025-11-02"


def test_the_file_name_is_due_organization_model():
    assert submission_file_name(date(2025, 10, 26), "acme", "m/1") == "2025-10-26.acme.m_1.json"


def _rewritten(tmp_path, change) -> str:
    raw = json.loads(write_submission(SUBMISSION, tmp_path / "s.json").read_text())
    change(raw)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(InputError) as error:
        read_submission(path)
    return str(error.value)


def test_a_repeated_dataset_row_is_an_error(tmp_path):
    message = _rewritten(tmp_path, lambda raw: raw["forecasts"].append(raw["forecasts"][1]))
    assert "forecast #4 repeats forecast #2" in message


def test_a_forecast_outside_zero_one_is_refused_naming_the_row(tmp_path):
    message = _rewritten(tmp_path, lambda raw: raw["forecasts"][2].update(forecast=1.2))
    assert "forecast #3" in message and "'forecast'" in message


def test_a_market_row_with_a_resolution_date_is_refused(tmp_path):
    message = _rewritten(tmp_path, lambda raw: raw["forecasts"][0].update(resolution_date="2025-11-02"))
    assert "forecast #1" in message and "'resolution_date'" in message


def test_a_missing_top_level_key_is_refused(tmp_path):
    message = _rewritten(tmp_path, lambda raw: raw.pop("model_organization"))
    assert "model_organization" in message


def test_an_empty_submission_is_not_written(tmp_path):
    with pytest.raises(InputError, match="at least one forecast"):
        write_submission(Submission("a", "m", "a", "s", []), tmp_path / "s.json")
    assert not list(tmp_path.iterdir())
