"""Every malformed forecast request is an HTTP 400 naming index, field and rule; the server stays up."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

GOOD_TARGET = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def _data(inputs=None, **parameters):
    return {"inputs": inputs if inputs is not None else [{"target": GOOD_TARGET}], "parameters": parameters}


CASES = {
    # name: (data, fragment the 400 message must contain)
    "data not an object": ([1, 2], "data"),
    "inputs missing": ({"parameters": {}}, "inputs"),
    "inputs empty": (_data(inputs=[]), "inputs"),
    "1025 inputs": (_data(inputs=[{"target": GOOD_TARGET}] * 1025), "inputs"),
    "unknown data field": ({**_data(), "extra": 1}, "extra"),
    "unknown input field": (_data(inputs=[{"target": GOOD_TARGET, "colour": "red"}]), "inputs[0].colour"),
    "unknown parameter": (_data(horizon=3), "parameters.horizon"),
    "target missing": (_data(inputs=[{"item_id": "a"}]), "inputs[0].target"),
    "target empty": (_data(inputs=[{"target": []}]), "inputs[0].target"),
    "target of strings": (_data(inputs=[{"target": ["1", "2", "3", "4", "5"]}]), "inputs[0].target"),
    "target of booleans": (_data(inputs=[{"target": [True] * 5}]), "inputs[0].target"),
    "target too short": (_data(inputs=[{"target": [1.0, 2.0, 3.0, 4.0]}]), "at least 5"),
    "target all null": (_data(inputs=[{"target": [None] * 6}]), "inputs[0].target"),
    "target 3-D": (_data(inputs=[{"target": [[[1.0] * 5]]}]), "inputs[0].target"),
    "ragged 2-D target": (_data(inputs=[{"target": [[1.0] * 5, [1.0] * 6]}]), "same length"),
    "mixed 1-D and 2-D": (_data(inputs=[{"target": [1.0, [1.0] * 5, 2.0, 3.0, 4.0]}]), "inputs[0].target"),
    "second input bad": (_data(inputs=[{"target": GOOD_TARGET}, {"target": "abc"}]), "inputs[1].target"),
    "item_id not a string": (_data(inputs=[{"target": GOOD_TARGET, "item_id": 7}]), "inputs[0].item_id"),
    "start not a timestamp": (_data(inputs=[{"target": GOOD_TARGET, "start": "yesterday-ish"}]), "inputs[0].start"),
    "past covariate one short": (
        _data(inputs=[{"target": GOOD_TARGET, "past_covariates": {"x": [1.0] * 5}}]),
        "past_covariates.x",
    ),
    "past covariate one long": (
        _data(inputs=[{"target": GOOD_TARGET, "past_covariates": {"x": [1.0] * 7}}]),
        "past_covariates.x",
    ),
    "covariate mixing numbers and strings": (
        _data(inputs=[{"target": GOOD_TARGET, "past_covariates": {"x": [1.0, "a", 1.0, 1.0, 1.0, 1.0]}}]),
        "past_covariates.x",
    ),
    "covariates not a dict": (_data(inputs=[{"target": GOOD_TARGET, "past_covariates": [1.0] * 6}]), "past_covariates"),
    "future covariate one short": (
        _data(
            inputs=[{"target": GOOD_TARGET, "past_covariates": {"x": [1.0] * 6}, "future_covariates": {"x": [1.0]}}],
            prediction_length=2,
        ),
        "future_covariates.x",
    ),
    "future covariate one long": (
        _data(
            inputs=[
                {"target": GOOD_TARGET, "past_covariates": {"x": [1.0] * 6}, "future_covariates": {"x": [1.0] * 3}}
            ],
            prediction_length=2,
        ),
        "future_covariates.x",
    ),
    "future covariate without past": (
        _data(inputs=[{"target": GOOD_TARGET, "future_covariates": {"x": [1.0]}}]),
        "future_covariates",
    ),
    "prediction_length 0": (_data(prediction_length=0), "parameters.prediction_length"),
    "prediction_length 1025": (_data(prediction_length=1025), "parameters.prediction_length"),
    "prediction_length float": (_data(prediction_length=2.5), "parameters.prediction_length"),
    "prediction_length string": (_data(prediction_length="3"), "parameters.prediction_length"),
    "quantile level 0": (_data(quantile_levels=[0.0, 0.5]), "parameters.quantile_levels"),
    "quantile level 1": (_data(quantile_levels=[0.5, 1.0]), "parameters.quantile_levels"),
    "quantile levels empty": (_data(quantile_levels=[]), "parameters.quantile_levels"),
    "quantile levels repeated": (_data(quantile_levels=[0.5, 0.5]), "parameters.quantile_levels"),
    "quantile level string": (_data(quantile_levels=["0.5"]), "parameters.quantile_levels"),
    "freq unknown": (_data(freq="fortnightly-ish"), "parameters.freq"),
    "batch_size 0": (_data(batch_size=0), "parameters.batch_size"),
    "cross_learning string": (_data(cross_learning="yes"), "parameters.cross_learning"),
    "parameters not an object": ({"inputs": [{"target": GOOD_TARGET}], "parameters": 5}, "parameters"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_request_is_a_400_naming_the_field(pooling, name):
    data, fragment = CASES[name]
    response = pooling.post(data)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]["message"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["target", "covariate", "level"])
def test_nan_and_infinity_literals_are_rejected(pooling, literal, field):
    bodies = {
        "target": f'{{"target": [1.0, 2.0, {literal}, 4.0, 5.0]}}',
        "covariate": f'{{"target": [1.0, 2.0, 3.0, 4.0, 5.0], "past_covariates": {{"x": [1, 2, {literal}, 4, 5]}}}}',
    }
    inputs = bodies.get(field, bodies["target"].replace(literal, "3.0"))
    levels = f"[0.5, {literal}]" if field == "level" else "[0.5]"
    body = f'{{"model": "amazon/chronos-2", "task": "plugin", "data": {{"inputs": [{inputs}], "parameters": {{"quantile_levels": {levels}}}}}}}'
    response = pooling.post_raw(body)
    assert response.status_code == 400, response.text
    assert "finite" in response.json()["error"]["message"]


def test_server_is_healthy_after_the_sweep(pooling):
    for data, _ in CASES.values():
        pooling.post(data)
    assert pooling.http.get("/health").status_code == 200
    assert pooling.post(_data(prediction_length=2)).status_code == 200


_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 2000), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5)
)
_json = st.recursive(
    _json_leaf,
    lambda children: st.lists(children, max_size=8) | st.dictionaries(st.sampled_from(
        ["target", "inputs", "parameters", "item_id", "past_covariates", "future_covariates", "prediction_length",
         "quantile_levels", "freq", "start", "batch_size", "cross_learning", "x"]), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=_json)
def test_arbitrary_json_never_gets_a_server_error(pooling, data):
    response = pooling.post(data)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        json.loads(response.text, parse_constant=lambda name: pytest.fail(f"literal {name}"))
