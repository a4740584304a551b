"""`forecaster forecast-series` and `forecaster backtest` from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.cli.timeseries import parse_quantiles
from forecaster.errors import InputError


@pytest.fixture
def cli_env(tmp_path, tiny_checkpoint, prefect_server, monkeypatch) -> dict:
    monkeypatch.setenv("FORECASTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORECASTER_TIMESERIES__MODEL_PATH", str(tiny_checkpoint))
    return {"data": tmp_path / "data"}


def test_quantiles_option_is_parsed_and_sorted():
    assert parse_quantiles("0.9,0.1,0.5") == [0.1, 0.5, 0.9]


@pytest.mark.parametrize("text", ["0.1,1.5", "a,b", ","])
def test_quantiles_outside_zero_one_or_not_numbers_are_refused(text):
    with pytest.raises(InputError, match="--quantiles"):
        parse_quantiles(text)


@pytest.mark.slow
def test_forecast_series_command_stores_the_run_and_draws_the_chart(cli_env, demo_csv):
    result = CliRunner().invoke(app, ["forecast-series", str(demo_csv), "--horizon", "12",
                                      "--quantiles", "0.1,0.5,0.9"])
    assert result.exit_code == 0, result.output
    assert "1 series forecast (in-process)" in result.output
    assert (cli_env["data"] / "forecaster.db").is_file()
    assert list((cli_env["data"] / "plots").glob("forecast-*-AirPassengers.png"))


@pytest.mark.slow
def test_a_bad_file_exits_2_with_the_series_and_rule(cli_env, tmp_path):
    bad = tmp_path / "short.csv"
    bad.write_text("id,timestamp,target\nshop,2024-01-01,1\nshop,2024-01-02,2\n")
    result = CliRunner().invoke(app, ["forecast-series", str(bad), "--horizon", "3"])
    assert result.exit_code == 2
    assert "series 'shop': too few points (2 observed, at least 5 needed)" in result.output
    assert not (cli_env["data"] / "forecaster.db").exists()


@pytest.mark.slow
def test_backtest_command_defaults_to_air_passengers_and_prints_the_table(cli_env):
    result = CliRunner().invoke(app, ["backtest", "--horizon", "12"])
    assert result.exit_code == 0, result.output
    assert "| model | MASE | MAPE % | wQL |" in result.output
    assert "| SeasonalNaive | 1.571 | 9.99 |" in result.output
