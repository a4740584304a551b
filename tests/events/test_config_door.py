"""The config door: a missing, non-UTF-8 or invalid TOML file and out-of-range settings are one clear line."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.errors import ConfigError, ForecasterError
from forecaster.settings import load_settings


def test_a_missing_config_file_is_named():
    with pytest.raises(ConfigError, match=r"--config: config file not found: .*nope\.toml"):
        load_settings("/nonexistent/nope.toml")


def test_a_missing_file_named_by_forecaster_config_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("FORECASTER_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"FORECASTER_CONFIG: config file not found: .*gone\.toml"):
        load_settings()


def test_invalid_toml_names_the_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[ensemble]\nmethod = "median"\nlogprob_cache_size = \n')
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML \(Invalid value \(at line 3, column 22\)\)"):
        load_settings(bad)


def test_a_config_file_that_is_not_utf8_names_the_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[ensemble]\nmethod = "m\xe9dian"\n')
    with pytest.raises(ForecasterError, match=r"bad\.toml:2: not UTF-8 text"):
        load_settings(bad)


def test_an_unknown_log_level_is_named(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError, match=r"log_level\n.*must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"):
        load_settings()


def test_a_log_level_in_lowercase_is_accepted(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


@pytest.mark.parametrize("levels", [[], [0.1, 1.5], [0.0, 0.5]])
def test_quantile_levels_outside_0_and_1_are_named(levels):
    with pytest.raises(ValidationError, match=r"timeseries\.quantile_levels\n.*strictly between 0 and 1"):
        load_settings(timeseries={"quantile_levels": levels})


def test_validate_config_with_invalid_toml_exits_2_with_one_line(data_dir, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("logprob_cache_size = \n")
    result = CliRunner().invoke(app, ["--config", str(bad), "validate-config"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {bad}: not valid TOML (Invalid value (at line 1, column 22))"]
