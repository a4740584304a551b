"""Forecasts served on /pooling equal Chronos2Pipeline.predict_quantiles on the same checkpoint and inputs."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pytest

from chronos2_vllm.testing import random_walk

pytestmark = pytest.mark.slow

TOLERANCE = 1e-5
# The curl example of the spec, byte for byte.
SEED_BODY = """{
    "model": "amazon/chronos-2",
    "task": "plugin",
    "data": {
      "inputs": [
        {
          "target": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
          "item_id": "series_1"
        }
      ],
      "parameters": {
        "prediction_length": 5,
        "quantile_levels": [0.1, 0.5, 0.9]
      }
    }
  }"""


def _json(value: Any) -> Any:
    """numpy → JSON lists, NaN → null."""
    if isinstance(value, np.ndarray):
        return _json(value.tolist())
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _expected(pipeline, inputs: list[dict], params: dict) -> list[dict[str, np.ndarray]]:
    """The pipeline's quantiles and mean for one schema group, keyed like the response."""
    levels = params.get("quantile_levels", [0.1, 0.5, 0.9])
    quantiles, mean = pipeline.predict_quantiles(
        inputs,
        prediction_length=params.get("prediction_length", 1),
        quantile_levels=levels,
        batch_size=params.get("batch_size", 256),
        cross_learning=params.get("cross_learning", False),
    )
    results = []
    for q, m, item in zip(quantiles, mean, inputs):
        squeeze = np.asarray(item["target"]).ndim == 1
        entry = {"mean": m.numpy()}
        entry.update({repr(float(level)): q[..., i].numpy() for i, level in enumerate(levels)})
        results.append({k: v[0] if squeeze else v for k, v in entry.items()})
    return results


def _assert_close(predictions: list[dict], expected: list[dict]) -> None:
    assert len(predictions) == len(expected)
    for got, want in zip(predictions, expected):
        for key, values in want.items():
            diff = np.max(np.abs(np.asarray(got[key], dtype=np.float64) - values.astype(np.float64)))
            assert diff <= TOLERANCE, f"{key}: max abs diff {diff}"


def _request(inputs: list[dict], **params: Any) -> dict:
    return {"inputs": [_json(item) for item in inputs], "parameters": params}


def test_seed_example_body_is_answered_verbatim(pooling, pipeline):
    response = pooling.post_raw(SEED_BODY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["request_id"].startswith("pooling-")
    assert isinstance(body["created_at"], int)
    (prediction,) = body["data"]["predictions"]
    assert set(prediction) == {"mean", "0.1", "0.5", "0.9", "item_id"}
    assert prediction["item_id"] == "series_1"
    target = np.arange(1.0, 11.0)
    _assert_close([prediction], _expected(pipeline, [{"target": target}], {"prediction_length": 5}))


def test_univariate_with_missing_values_and_interpolated_levels_match_pipeline(pooling, pipeline):
    rng = np.random.default_rng(1)
    inputs = [{"target": random_walk(rng, n)} for n in (5, 17, 64, 300)]
    inputs[2]["target"][[0, 10, 11]] = np.nan
    params = {"prediction_length": 20, "quantile_levels": [0.005, 0.1, 0.25, 0.33, 0.5, 0.9, 0.995]}
    _assert_close(pooling.forecast(_request(inputs, **params)), _expected(pipeline, inputs, params))


def test_multivariate_gives_one_list_per_variate_matching_pipeline(pooling, pipeline):
    rng = np.random.default_rng(2)
    inputs = [{"target": random_walk(rng, n, variates=3)} for n in (40, 90)]
    params = {"prediction_length": 7, "quantile_levels": [0.2, 0.5, 0.8]}
    predictions = pooling.forecast(_request(inputs, **params))
    assert [len(p["mean"]) for p in predictions] == [3, 3]
    assert all(len(row) == 7 for p in predictions for row in p["0.2"])
    _assert_close(predictions, _expected(pipeline, inputs, params))


def test_numeric_and_categorical_covariates_match_pipeline(pooling, pipeline):
    rng = np.random.default_rng(3)
    horizon = 6
    inputs = []
    for n in (30, 45, 60):
        weather = rng.choice(["sun", "rain", "snow"], size=n + horizon).astype(object)
        temperature = rng.normal(size=n + horizon)
        inputs.append(
            {
                "target": random_walk(rng, n),
                "past_covariates": {
                    "temperature": temperature[:n],
                    "weather": weather[:n],
                    "promo": rng.integers(0, 2, size=n).astype(np.float64),
                },
                "future_covariates": {"temperature": temperature[n:], "weather": weather[n:]},
            }
        )
    params = {"prediction_length": horizon}
    _assert_close(pooling.forecast(_request(inputs, **params)), _expected(pipeline, inputs, params))


@pytest.mark.parametrize("cross_learning", [False, True])
def test_cross_learning_on_and_off_match_pipeline_across_batches(pooling, pipeline, cross_learning):
    rng = np.random.default_rng(4)
    inputs = [{"target": random_walk(rng, 20 + 7 * i)} for i in range(5)]
    params = {"prediction_length": 4, "batch_size": 2, "cross_learning": cross_learning}
    _assert_close(pooling.forecast(_request(inputs, **params)), _expected(pipeline, inputs, params))


def test_cross_learning_changes_the_forecast(pooling):
    rng = np.random.default_rng(5)
    inputs = [{"target": random_walk(rng, 25)} for _ in range(4)]
    alone = pooling.forecast(_request(inputs, prediction_length=3))
    joint = pooling.forecast(_request(inputs, prediction_length=3, cross_learning=True))
    assert alone[0]["mean"] != joint[0]["mean"]


def test_concurrent_requests_each_get_their_own_forecasts(pooling, pipeline):
    rng = np.random.default_rng(6)
    requests = [([{"target": random_walk(rng, 10 + 13 * i)} for _ in range(1 + i % 3)], 1 + i) for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda r: pooling.forecast(_request(r[0], prediction_length=r[1])), requests))
    for (inputs, horizon), predictions in zip(requests, answers):
        _assert_close(predictions, _expected(pipeline, inputs, {"prediction_length": horizon}))


def test_inputs_of_mixed_shapes_come_back_in_request_order(pooling, pipeline):
    rng = np.random.default_rng(7)
    uni = [{"target": random_walk(rng, n), "item_id": f"u{n}"} for n in (12, 33)]
    multi = [{"target": random_walk(rng, 20, variates=2), "item_id": "m"}]
    cov = [{"target": random_walk(rng, 15), "past_covariates": {"x": rng.normal(size=15)}, "item_id": "c"}]
    inputs = [uni[0], multi[0], cov[0], uni[1]]
    params = {"prediction_length": 5}
    predictions = pooling.forecast(_request(inputs, **params))
    assert [p["item_id"] for p in predictions] == ["u12", "m", "c", "u33"]
    strip = lambda items: [{k: v for k, v in i.items() if k != "item_id"} for i in items]  # noqa: E731
    uni_expected = _expected(pipeline, strip(uni), params)
    expected = [uni_expected[0], _expected(pipeline, strip(multi), params)[0], _expected(pipeline, strip(cov), params)[0]]
    _assert_close(predictions, expected + [uni_expected[1]])


def test_freq_and_start_add_forecast_timestamps(pooling):
    target = list(range(1, 11))
    data = {
        "inputs": [{"target": target, "start": "2024-01-01"}, {"target": target}],
        "parameters": {"prediction_length": 3, "freq": "D"},
    }
    with_start, without_start = pooling.forecast(data)
    expected = [t.isoformat() for t in pd.date_range("2024-01-11", periods=3, freq="D")]
    assert with_start["timestamps"] == expected
    assert "timestamps" not in without_start


def test_default_parameters_give_one_step_and_three_levels(pooling):
    (prediction,) = pooling.forecast({"inputs": [{"target": [3.0, 1.0, 4.0, 1.0, 5.0]}]})
    assert set(prediction) == {"mean", "0.1", "0.5", "0.9"}
    assert len(prediction["mean"]) == 1


def test_response_is_plain_json_without_nan_literals(pooling):
    response = pooling.post({"inputs": [{"target": [None, None, 1.0, None, 2.0, None]}], "parameters": {}})
    assert response.status_code == 200, response.text
    assert "NaN" not in response.text and "Infinity" not in response.text
    json.loads(response.text, parse_constant=lambda name: pytest.fail(f"literal {name}"))
