"""Built once per session: the demo CSV and flow runs (each with its own flow-run id, to read its artifacts by).

The Prefect server, the tiny checkpoint and the pooling server are the session ones of tests/conftest.py. Flows
take what users give them: a config file (`write_config`) and plain parameters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forecaster.settings import TimeSeriesSettings
from forecaster.timeseries.demo import write_demo_csv


def write_config(directory: Path, checkpoint: Path, **timeseries: Any) -> str:
    """A config file for one flow run: its database and plots under `directory`, the tiny checkpoint (never a
    random one built in its place), and any other `[timeseries]` settings."""
    directory.mkdir(parents=True, exist_ok=True)
    values = {"model_path": str(checkpoint), "build_random_if_missing": False, **timeseries}
    lines = [f"database_path = {json.dumps(str(directory / 'forecaster.db'))}",
             f"plots_dir = {json.dumps(str(directory / 'plots'))}", "", "[timeseries]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = directory / "forecaster.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture(scope="session")
def ts_settings(tiny_checkpoint) -> TimeSeriesSettings:
    return TimeSeriesSettings(model_path=str(tiny_checkpoint), build_random_if_missing=False)


@pytest.fixture(scope="session")
def demo_csv(tmp_path_factory) -> Path:
    return write_demo_csv(tmp_path_factory.mktemp("demo") / "air_passengers.csv")


@pytest.fixture(scope="session")
def forecast_run(prefect_server, tiny_checkpoint, demo_csv, tmp_path_factory) -> dict:
    """One real forecast flow run on AirPassengers (in-process backend)."""
    from flows.timeseries import forecast_series_flow

    out = tmp_path_factory.mktemp("forecast_run")
    state = forecast_series_flow(str(demo_csv), horizon=12, quantile_levels=[0.1, 0.5, 0.9],
                                 config_file=write_config(out, tiny_checkpoint), return_state=True)
    return {**state.result(), "flow_run_id": state.state_details.flow_run_id,
            "database_path": out / "forecaster.db", "plots_dir": out / "plots"}


@pytest.fixture(scope="session")
def backtest_run(prefect_server, tiny_checkpoint, tmp_path_factory) -> dict:
    """One real backtest flow run on the demo data with 1960 held out."""
    from flows.timeseries import backtest_flow

    out = tmp_path_factory.mktemp("backtest_run")
    state = backtest_flow(horizon=12, quantile_levels=[0.1, 0.5, 0.9], windows=1,
                          config_file=write_config(out, tiny_checkpoint), return_state=True)
    return {**state.result(), "flow_run_id": state.state_details.flow_run_id,
            "database_path": out / "forecaster.db", "plots_dir": out / "plots"}
