"""Built once per session: the demo CSV and flow runs (each with its own flow-run id, to read its artifacts by).

The Prefect server, the tiny checkpoint and the pooling server are the session ones of tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forecaster.settings import TimeSeriesSettings
from forecaster.timeseries.demo import write_demo_csv


@pytest.fixture(scope="session")
def ts_settings(tiny_checkpoint) -> TimeSeriesSettings:
    return TimeSeriesSettings(model_path=str(tiny_checkpoint), build_random_if_missing=False)


@pytest.fixture(scope="session")
def demo_csv(tmp_path_factory) -> Path:
    return write_demo_csv(tmp_path_factory.mktemp("demo") / "air_passengers.csv")


@pytest.fixture(scope="session")
def forecast_run(prefect_server, ts_settings, demo_csv, tmp_path_factory) -> dict:
    """One real forecast flow run on AirPassengers (in-process backend)."""
    from flows.timeseries import forecast_series_flow

    out = tmp_path_factory.mktemp("forecast_run")
    state = forecast_series_flow(str(demo_csv), ts_settings, str(out / "forecaster.db"), str(out / "plots"),
                                 horizon=12, quantile_levels=[0.1, 0.5, 0.9], return_state=True)
    return {**state.result(), "flow_run_id": state.state_details.flow_run_id,
            "database_path": out / "forecaster.db", "plots_dir": out / "plots"}


@pytest.fixture(scope="session")
def backtest_run(prefect_server, ts_settings, tmp_path_factory) -> dict:
    """One real backtest flow run on the demo data with 1960 held out."""
    from flows.timeseries import backtest_flow

    out = tmp_path_factory.mktemp("backtest_run")
    state = backtest_flow(ts_settings, str(out / "forecaster.db"), str(out / "plots"), horizon=12,
                          quantile_levels=[0.1, 0.5, 0.9], windows=1, return_state=True)
    return {**state.result(), "flow_run_id": state.state_details.flow_run_id,
            "database_path": out / "forecaster.db", "plots_dir": out / "plots"}
