"""Chronos-2 as a vLLM pooling model: a thin wrapper, all computation in `chronos.chronos2.model.Chronos2Model`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
import torch.nn as nn
from vllm.config import VllmConfig
from vllm.model_executor.layers.pooler import IdentityPooler
from vllm.model_executor.model_loader.weight_utils import default_weight_loader
from vllm.model_executor.models.interfaces import IsAttentionFree, SupportsMultiModal
from vllm.model_executor.models.interfaces_base import attn_type
from vllm.multimodal import MULTIMODAL_REGISTRY

from chronos2_vllm.multimodal import (
    Chronos2DummyInputsBuilder,
    Chronos2MultiModalProcessor,
    Chronos2ProcessingInfo,
)
from chronos2_vllm.postprocess import pack_outputs

# Chronos2Pipeline.predict's default for horizons beyond one forward pass.
UNROLLED_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

try:  # GPU builds check for hidden device syncs; chronos' forward has some.
    from vllm.utils.gpu_sync_debug import gpu_sync_allowed
except ImportError:  # pragma: no cover - older vLLM
    from contextlib import nullcontext as gpu_sync_allowed  # type: ignore[assignment]


def _item(value: Any, index: int) -> torch.Tensor:
    # Batched fields arrive stacked (N, ...) when shapes agree, else as a list of N tensors.
    return value[index]


@attn_type("attention_free")
@MULTIMODAL_REGISTRY.register_processor(
    Chronos2MultiModalProcessor, info=Chronos2ProcessingInfo, dummy_inputs=Chronos2DummyInputsBuilder
)
class Chronos2ForForecasting(nn.Module, IsAttentionFree, SupportsMultiModal):
    """One engine request = one batch of series; the output row per request packs its quantile forecasts."""

    supports_multimodal_raw_input_only = True
    is_pooling_model = True

    @classmethod
    def get_placeholder_str(cls, modality: str, i: int) -> str | None:
        return None

    def __init__(self, vllm_config: VllmConfig, prefix: str = "") -> None:
        super().__init__()
        from chronos.chronos2 import Chronos2Model
        from chronos.chronos2.config import Chronos2CoreConfig
        from chronos.chronos2.pipeline import Chronos2Pipeline

        config = Chronos2CoreConfig.from_dict(vllm_config.model_config.hf_config.to_dict())
        self.model = Chronos2Model(config).eval()
        # The pipeline only orchestrates (batch step, long-horizon unrolling); the network is Chronos2Model.
        self._pipeline = Chronos2Pipeline(self.model)
        self.embeds_width = vllm_config.model_config.get_inputs_embeds_size()
        self.pooler = IdentityPooler()

    def embed_input_ids(self, input_ids: torch.Tensor, multimodal_embeddings: Any = None, **kwargs: Any) -> torch.Tensor:
        # The dummy token carries nothing; the engine's buffer still expects its width.
        return torch.zeros((input_ids.shape[0], self.embeds_width), device=input_ids.device)

    def forward(
        self,
        input_ids: torch.Tensor | None,
        positions: torch.Tensor,
        intermediate_tensors: Any = None,
        inputs_embeds: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> torch.Tensor:
        n_tokens = positions.shape[0]
        if kwargs.get("context") is None:  # profiling and dummy runs
            return torch.zeros((n_tokens, self.embeds_width), device=positions.device)
        n_requests = len(kwargs["context"])
        with gpu_sync_allowed():
            predictions = [self._forecast(**{k: _item(kwargs[k], i) for k in self._FIELDS}) for i in range(n_requests)]
        packed = pack_outputs(predictions)
        if n_tokens > n_requests:
            packed = torch.cat([packed, packed.new_full((n_tokens - n_requests, packed.shape[1]), float("nan"))])
        return packed.to(positions.device)

    _FIELDS = ("context", "group_ids", "future_covariates", "prediction_length")

    def _forecast(
        self,
        context: torch.Tensor,
        group_ids: torch.Tensor,
        future_covariates: torch.Tensor,
        prediction_length: torch.Tensor,
    ) -> torch.Tensor:
        """(rows, quantiles, horizon) for one batch, exactly as Chronos2Pipeline.predict computes it."""
        return self._pipeline._predict_batch(
            context=context,
            group_ids=group_ids,
            future_covariates=future_covariates,
            unrolled_quantiles_tensor=torch.tensor(UNROLLED_QUANTILES),
            prediction_length=int(prediction_length.reshape(-1)[0]),
            max_output_patches=self._pipeline.max_output_patches,
            target_idx_ranges=[(0, context.shape[0])],
        )[0]

    def load_weights(self, weights: Iterable[tuple[str, torch.Tensor]]) -> set[str]:
        """Load a `Chronos2Model.save_pretrained` checkpoint (its names carry no prefix)."""
        own = dict(self.model.named_parameters())
        own.update(dict(self.model.named_buffers()))
        loaded: set[str] = set()
        for name, tensor in weights:
            name = name.removeprefix("model.") if name not in own else name
            if name not in own:
                raise ValueError(f"checkpoint weight {name!r} is not a Chronos2Model parameter")
            target = own[name]
            getattr(target, "weight_loader", default_weight_loader)(target, tensor)
            loaded.add(f"model.{name}")
        return loaded
