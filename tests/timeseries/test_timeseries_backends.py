"""The in-process Chronos-2 backend on the tiny random checkpoint, and the demo checkpoint rule."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from forecaster.errors import ConfigError
from forecaster.settings import TimeSeriesSettings
from forecaster.timeseries.backends import InProcessBackend, build_backend, ensure_checkpoint, request_input
from forecaster.timeseries.pooling_client import plain_json
from forecaster.timeseries.loading import frame_to_series, load_series


@pytest.fixture(scope="module")
def backend(ts_settings) -> InProcessBackend:
    return build_backend(ts_settings)


def test_without_a_server_url_the_backend_is_in_process(backend):
    assert backend.name == "in-process"


def test_forecast_has_one_column_per_requested_level_over_the_horizon(backend, demo_csv):
    series = load_series(demo_csv, horizon=12)
    [fc] = backend.forecast(series, 12, [0.1, 0.5, 0.9])
    [median_only] = backend.forecast(series, 12, [0.5])
    assert fc.quantiles.shape == (12, 3) and fc.mean.shape == (12,)
    assert list(fc.timestamps) == list(series[0].future_timestamps)
    np.testing.assert_allclose(median_only.quantile(0.5), fc.quantile(0.5), rtol=1e-6)
    # Chronos-2 reports its median as the mean.
    np.testing.assert_array_equal(fc.mean, fc.quantile(0.5))


def test_each_series_gets_its_own_forecast_in_input_order(backend):
    stamps = pd.date_range("2024-01-01", periods=40, freq="D")
    frame = pd.concat([
        pd.DataFrame({"id": "low", "timestamp": stamps, "target": np.linspace(1, 2, 40)}),
        pd.DataFrame({"id": "high", "timestamp": stamps, "target": np.linspace(1000, 2000, 40)}),
    ])
    low, high = backend.forecast(frame_to_series(frame, 5), 5, [0.5])
    assert (low.series_id, high.series_id) == ("low", "high")
    assert low.mean.max() < 100 < high.mean.min()


def test_known_future_covariates_reach_the_model(backend):
    stamps = pd.date_range("2024-01-01", periods=30, freq="D")
    base = pd.DataFrame({"id": "a", "timestamp": stamps, "target": np.sin(np.arange(30)) + 10})
    future = pd.DataFrame({"id": "a", "timestamp": pd.date_range("2024-01-31", periods=4, freq="D")})
    with_cov = pd.concat([base, future]).assign(promo=[0.0] * 30 + [5.0] * 4)
    plain = backend.forecast(frame_to_series(base, 4), 4, [0.5])[0]
    covaried = backend.forecast(frame_to_series(with_cov, 4), 4, [0.5])[0]
    assert not np.allclose(plain.mean, covaried.mean)


def test_pooling_request_inputs_are_plain_json(demo_csv):
    item = request_input(load_series(demo_csv, horizon=12)[0])
    assert item["item_id"] == "AirPassengers"
    assert isinstance(item["target"], list) and item["target"][:2] == [112.0, 118.0]


def test_a_missing_model_folder_gets_a_random_tiny_checkpoint_and_a_warning(tmp_path, caplog):
    path = tmp_path / "models" / "chronos-2-tiny"
    with caplog.at_level(logging.WARNING):
        assert ensure_checkpoint(TimeSeriesSettings(model_path=str(path))) == str(path)
    assert (path / "config.json").is_file()
    assert "RANDOM tiny checkpoint" in caplog.text


def test_a_missing_model_folder_is_an_error_when_building_is_off(tmp_path):
    settings = TimeSeriesSettings(model_path=str(tmp_path / "none"), build_random_if_missing=False)
    with pytest.raises(ConfigError, match="timeseries.model_path"):
        ensure_checkpoint(settings)


def test_missing_values_travel_as_null_in_arrays_lists_and_mappings():
    assert plain_json({"target": np.array([1.0, np.nan, 3.0]), "x": [float("inf"), "a", None]}) == {
        "target": [1.0, None, 3.0], "x": [None, "a", None]}
