"""The `chronos2` IO processor: `/pooling` request data → engine prompts → forecast response."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from vllm.config import VllmConfig
from vllm.outputs import PoolingRequestOutput
from vllm.plugins.io_processors.interface import IOProcessor

from chronos2_vllm.multimodal import MODALITY, PROMPT_TOKEN_IDS
from chronos2_vllm.postprocess import build_predictions
from chronos2_vllm.preprocess import ForecastPlan, build_plan
from chronos2_vllm.protocol import ForecastRequest, ForecastRequestError, parse_request

# Plans wait here between pre_process and post_process; a request that fails in between never collects
# its plan, so the oldest are dropped beyond this many.
MAX_PENDING = 4096


class PendingPlans:
    """Thread-safe, bounded map from request id to plan (pre_process runs on the event loop, post_process in a pool)."""

    def __init__(self, capacity: int = MAX_PENDING) -> None:
        self._plans: OrderedDict[str | None, ForecastPlan] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def put(self, request_id: str | None, plan: ForecastPlan) -> None:
        """Remember the plan of a request (offline calls use request id None, one at a time)."""
        with self._lock:
            self._plans[request_id] = plan
            while len(self._plans) > self._capacity:
                self._plans.popitem(last=False)

    def pop(self, request_id: str | None) -> ForecastPlan:
        """Take the plan of a request back."""
        with self._lock:
            try:
                return self._plans.pop(request_id)
            except KeyError:
                raise RuntimeError(f"no forecast plan for request {request_id!r}") from None

    def __len__(self) -> int:
        with self._lock:
            return len(self._plans)


class Chronos2IOProcessor(IOProcessor[ForecastRequest, dict[str, Any]]):
    """Validates forecast requests, batches them like Chronos2Pipeline, and shapes the quantile response."""

    def __init__(self, vllm_config: VllmConfig, renderer: Any = None) -> None:
        super().__init__(vllm_config, renderer)
        chronos = vllm_config.model_config.hf_config.chronos_config
        self.context_length = int(chronos["context_length"])
        self.output_patch_size = int(chronos["output_patch_size"])
        self.training_levels = [float(q) for q in chronos["quantiles"]]
        self.pending = PendingPlans()

    def parse_data(self, data: object) -> ForecastRequest:
        """Validate the request's `data`; a broken rule raises ValueError, which vLLM answers with 400."""
        return parse_request(data)

    def pre_process(self, prompt: ForecastRequest, request_id: str | None = None, **kwargs: Any) -> list[dict]:
        """One prompt per batch of series, as the pipeline batches them."""
        try:
            plan = build_plan(prompt, self.context_length, self.output_patch_size)
        except ForecastRequestError:
            raise
        except ValueError as exc:
            raise ForecastRequestError(f"data.inputs: {exc}") from None
        self.pending.put(request_id, plan)
        return [
            {"prompt_token_ids": list(PROMPT_TOKEN_IDS), "multi_modal_data": {MODALITY: batch.tensors}}
            for batch in plan.batches
        ]

    def post_process(
        self, model_output: Sequence[PoolingRequestOutput], request_id: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The response `data`: one prediction per input, in request order."""
        plan = self.pending.pop(request_id)
        outputs = [output.outputs.data for output in model_output]
        return {"predictions": build_predictions(plan, outputs, self.training_levels)}
