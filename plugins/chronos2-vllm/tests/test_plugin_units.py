"""Plain-Python parts of the plugin: request validation, output packing, pending-plan bookkeeping."""

from __future__ import annotations

import pytest
import torch

from chronos2_vllm.postprocess import level_key, pack_outputs, unpack_output
from chronos2_vllm.preprocess import ForecastPlan, build_plan, group_by_schema
from chronos2_vllm.processor import PendingPlans
from chronos2_vllm.protocol import ForecastRequestError, parse_request

TARGET = [1.0, 2.0, 3.0, 4.0, 5.0]


def test_outputs_of_different_shapes_survive_packing():
    a, b = torch.randn(3, 21, 5), torch.randn(1, 21, 17)
    packed = pack_outputs([a, b])
    assert packed.shape[0] == 2
    assert torch.equal(unpack_output(packed[0], 21), a)
    assert torch.equal(unpack_output(packed[1], 21), b)


def test_quantile_keys_are_the_levels_as_written():
    assert [level_key(q) for q in (0.1, 0.5, 0.25, 0.005)] == ["0.1", "0.5", "0.25", "0.005"]


def test_pending_plans_drop_the_oldest_beyond_capacity():
    plans = PendingPlans(capacity=2)
    for request_id in ("a", "b", "c"):
        plans.put(request_id, ForecastPlan(1, [0.5], 1, [None], [False], [None]))
    assert len(plans) == 2
    with pytest.raises(RuntimeError, match="'a'"):
        plans.pop("a")
    assert plans.pop("c").n_inputs == 1


def test_inputs_are_grouped_by_target_width_and_covariates_in_request_order():
    request = parse_request(
        {
            "inputs": [
                {"target": TARGET},
                {"target": [TARGET, TARGET]},
                {"target": TARGET, "past_covariates": {"x": TARGET}},
                {"target": TARGET},
            ]
        }
    )
    assert group_by_schema(request.inputs) == [[0, 3], [1], [2]]


def test_batch_size_splits_prompts_like_the_pipeline():
    request = parse_request({"inputs": [{"target": TARGET}] * 5, "parameters": {"batch_size": 2}})
    plan = build_plan(request, context_length=8192, output_patch_size=16)
    assert [len(batch.targets) for batch in plan.batches] == [2, 2, 1]
    assert [t.input_index for batch in plan.batches for t in batch.targets] == [0, 1, 2, 3, 4]


def test_every_broken_rule_is_reported_with_its_location():
    with pytest.raises(ForecastRequestError) as caught:
        parse_request({"inputs": [{"target": [1.0]}], "parameters": {"prediction_length": 0}})
    message = str(caught.value)
    assert "inputs[0].target: must have at least 5 observations" in message
    assert "parameters.prediction_length" in message
