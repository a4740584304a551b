"""`forecaster calibrate` through the real typer app on published ForecastBench rounds from the shared data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from tests.shared_data import FORECASTBENCH_DIR

ROUNDS = sorted(FORECASTBENCH_DIR.glob("*-llm.json"))[:3]


def pairs(rounds=ROUNDS) -> list[str]:
    args = []
    for q in rounds:
        args += ["--questions", str(q), "--resolutions", str(q).replace("-llm.json", "_resolution_set.json")]
    return args


@pytest.fixture
def invoke(tmp_path):
    env = {"FORECASTER_DATA_DIR": str(tmp_path / "data"), "PREFECT_HOME": str(tmp_path / "prefect")}
    return lambda *args: CliRunner().invoke(app, ["calibrate", *args], env=env)


def test_calibrate_prints_each_judged_round_beside_the_baselines_and_writes_the_file(invoke, tmp_path):
    result = invoke(*pairs(), "--out", str(tmp_path / "learned.json"))
    assert result.exit_code == 0, result.output
    judged = [line.split()[0] for line in result.output.splitlines() if line.startswith(ROUNDS[1].name[:10])]
    assert judged == [ROUNDS[1].name]  # the first round is only fitted on, never judged
    assert "naive" in result.output and "learned priors" in result.output
    assert "agents' weights are not fitted" in result.output
    assert json.loads((tmp_path / "learned.json").read_text())["weights"].keys() == {"crowd"}


def test_as_of_before_every_resolution_leaves_nothing_to_fit_and_writes_nothing(invoke, tmp_path):
    result = invoke(*pairs(), "--out", str(tmp_path / "learned.json"), "--as-of", "2020-01-01")
    assert result.exit_code == 2
    assert "no resolution dated before --as-of 2020-01-01" in result.output
    assert not (tmp_path / "learned.json").exists()


def test_as_of_fits_on_fewer_rows_than_the_whole_record(invoke, tmp_path):
    full = invoke(*pairs(), "--out", str(tmp_path / "a.json"))
    cut = invoke(*pairs(), "--out", str(tmp_path / "b.json"), "--as-of", "2025-12-01")
    rows = [json.loads((tmp_path / f).read_text())["fitted"]["rows"] for f in ("a.json", "b.json")]
    assert full.exit_code == cut.exit_code == 0
    assert rows[1] < rows[0]


def test_unpaired_files_are_refused(invoke, tmp_path):
    result = invoke(*pairs()[:-2], "--questions", str(ROUNDS[0]), "--out", str(tmp_path / "x.json"))
    assert result.exit_code == 2 and "come in pairs" in result.output


def test_a_run_per_pair_is_required_when_runs_are_given(invoke, tmp_path):
    result = invoke(*pairs(), "--run", "abc", "--out", str(tmp_path / "x.json"))
    assert result.exit_code == 2 and "one per question set" in result.output
