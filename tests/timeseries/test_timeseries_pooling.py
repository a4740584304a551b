"""The flows through the real vLLM `/pooling` server: the same forecasts and scores as in-process."""

from __future__ import annotations

import numpy as np
import pytest

# The session server (tests/conftest.py, shared with the plugin's tests) serves the session's `tiny_checkpoint`.
from chronos2_vllm.testing import SERVED_NAME
from forecaster.timeseries.backends import PoolingBackend, build_backend
from forecaster.timeseries.loading import load_series
from forecaster.timeseries.store import SeriesStore

from .conftest import write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pooling_settings(ts_settings, pooling_server):  # noqa: F811
    return ts_settings.model_copy(update={"server_url": pooling_server, "server_model": SERVED_NAME})


@pytest.fixture
def pooling_config(tiny_checkpoint, pooling_server, tmp_path) -> str:
    """A config file naming the session's /pooling server (its own database and plots under tmp_path)."""
    return write_config(tmp_path, tiny_checkpoint, server_url=pooling_server, server_model=SERVED_NAME)


def test_a_server_url_selects_the_pooling_backend(pooling_settings):
    assert isinstance(build_backend(pooling_settings), PoolingBackend)


def test_pooling_and_in_process_forecasts_agree(pooling_settings, ts_settings, demo_csv):
    series = load_series(demo_csv, horizon=12)
    [remote] = build_backend(pooling_settings).forecast(series, 12, [0.1, 0.5, 0.9])
    [local] = build_backend(ts_settings).forecast(series, 12, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(remote.quantiles, local.quantiles, rtol=1e-6)
    np.testing.assert_allclose(remote.mean, local.mean, rtol=1e-6)


def test_forecast_flow_through_the_server_stores_the_in_process_rows(
    prefect_server, pooling_config, forecast_run, demo_csv
):
    from flows.timeseries import forecast_series_flow

    result = forecast_series_flow(str(demo_csv), horizon=12, quantile_levels=[0.1, 0.5, 0.9],
                                  config_file=pooling_config)
    assert result["backend"] == "pooling"
    remote = SeriesStore(result["database_path"]).forecasts(result["run_id"])
    local = SeriesStore(forecast_run["database_path"]).forecasts(forecast_run["run_id"])
    assert list(remote["timestamp"]) == list(local["timestamp"])
    np.testing.assert_allclose(remote["value"], local["value"], rtol=1e-6)


def test_backtest_flow_through_the_server_scores_like_in_process(prefect_server, pooling_config, backtest_run):
    from flows.timeseries import backtest_flow

    result = backtest_flow(horizon=12, quantile_levels=[0.1, 0.5, 0.9], windows=1, config_file=pooling_config)
    remote = {row["model"]: row["mape"] for row in result["summary"]}
    local = {row["model"]: row["mape"] for row in backtest_run["summary"]}
    assert remote == pytest.approx(local, rel=1e-6)
