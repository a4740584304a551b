"""The typed client against the real server: forecasts, server messages on rejection, health."""

from __future__ import annotations

import pytest

from chronos2_vllm.testing import SERVED_NAME, Pooling
from forecaster.timeseries.pooling_client import (
    ChronosPoolingClient,
    ForecastInput,
    ForecastParameters,
    PoolingRequestRejected,
    PoolingServerError,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pooling(pooling_server) -> Pooling:
    """A strict `/pooling` caller, to compare the client with the raw response."""
    return Pooling(pooling_server)


@pytest.fixture(scope="module")
def client(pooling_server):
    with ChronosPoolingClient(pooling_server, SERVED_NAME, timeout=60) as client:
        yield client


def test_client_forecast_equals_the_raw_response(client, pooling):
    target = [10.0, 12.0, float("nan"), 13.0, 15.0, 14.0, 16.0]
    params = ForecastParameters(prediction_length=4, quantile_levels=[0.25, 0.5, 0.75])
    (prediction,) = client.forecast([ForecastInput(target=target, item_id="a")], params)
    (raw,) = pooling.forecast(
        {"inputs": [{"target": [None if v != v else v for v in target], "item_id": "a"}], "parameters": params.model_dump()}
    )
    assert prediction.item_id == "a"
    assert prediction.mean == raw["mean"]
    assert prediction.quantiles == {0.25: raw["0.25"], 0.5: raw["0.5"], 0.75: raw["0.75"]}


def test_client_keeps_input_order_and_multivariate_shape(client):
    inputs = [{"target": [[1.0, 2, 3, 4, 5], [5.0, 4, 3, 2, 1]], "item_id": "m"}, {"target": [1.0] * 8, "item_id": "u"}]
    predictions = client.forecast(inputs, ForecastParameters(prediction_length=2))
    assert [p.item_id for p in predictions] == ["m", "u"]
    assert len(predictions[0].mean) == 2 and len(predictions[0].mean[0]) == 2
    assert len(predictions[1].mean) == 2


def test_client_raises_the_servers_message_on_a_rejected_request(client):
    with pytest.raises(PoolingRequestRejected, match=r"inputs\[0\]\.target") as caught:
        client.forecast([{"target": [1.0, 2.0]}])
    assert caught.value.status_code == 400


def test_client_health_is_true_for_a_running_server(client):
    assert client.health()


def test_unreachable_server_is_a_server_error_and_unhealthy():
    with ChronosPoolingClient("http://127.0.0.1:9", SERVED_NAME, timeout=2) as client:
        assert not client.health()
        with pytest.raises(PoolingServerError, match="cannot reach"):
            client.forecast([{"target": [1.0] * 5}])
