"""vLLM's multimodal path used as a raw-tensor channel: each prompt carries one batch of series to the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from transformers import BatchFeature
from vllm.config.multimodal import MultiModalDummyOptions
from vllm.inputs import MultiModalDataDict, MultiModalInput, mm_input
from vllm.multimodal.inputs import MultiModalFieldConfig, MultiModalKwargsItems, PlaceholderRange
from vllm.multimodal.parse import DictEmbeddingItems, MultiModalDataItems, MultiModalDataParser
from vllm.multimodal.processing import (
    BaseDummyInputsBuilder,
    BaseMultiModalProcessor,
    BaseProcessingInfo,
    ProcessorInputs,
    PromptUpdate,
    TimingContext,
)

from chronos2_vllm.preprocess import FIELDS

# vLLM only routes its built-in modality names; "image" carries our tensors (as vLLM's Terratorch model does).
MODALITY = "image"
# One dummy token per prompt: the scheduler needs a token, the model never reads it. A tuple, copied into
# each prompt: vLLM's profiling pads the list it gets in place to max_model_len.
PROMPT_TOKEN_IDS = (1,)


def _fields(batched: bool) -> Mapping[str, MultiModalFieldConfig]:
    # Parsed data is one item per prompt (shared); processed data must be batched, or concurrent requests
    # scheduled in one step overwrite each other's tensors.
    config = MultiModalFieldConfig.batched(MODALITY) if batched else MultiModalFieldConfig.shared(MODALITY, 1)
    return {name: config for name in FIELDS}


class Chronos2DataParser(MultiModalDataParser):
    """Accepts the dict of tensors built by the IO processor as one item."""

    def _parse_image_data(self, data: Any):
        if isinstance(data, dict):
            return DictEmbeddingItems(
                data, modality=MODALITY, required_fields=set(FIELDS), fields_factory=lambda _: _fields(False)
            )
        raise ValueError("Chronos-2 prompts carry a dict of tensors, built by the chronos2 IO processor")

    def parse_mm_data(self, mm_data: MultiModalDataDict) -> MultiModalDataItems:
        if MODALITY not in mm_data:
            mm_data = {MODALITY: mm_data}
        return super().parse_mm_data(mm_data)


class Chronos2ProcessingInfo(BaseProcessingInfo):
    """Processing info: one unlimited pseudo-image modality."""

    def get_data_parser(self) -> MultiModalDataParser:
        return Chronos2DataParser(expected_hidden_size=self._get_expected_hidden_size())

    def get_supported_mm_limits(self) -> Mapping[str, int | None]:
        return {MODALITY: None}


class Chronos2DummyInputsBuilder(BaseDummyInputsBuilder[Chronos2ProcessingInfo]):
    """A one-series batch for vLLM's profiling run."""

    def get_dummy_text(self, mm_counts: Mapping[str, int]) -> str:
        return ""

    def get_dummy_mm_data(
        self, seq_len: int, mm_counts: Mapping[str, int], mm_options: MultiModalDummyOptions | None = None
    ) -> MultiModalDataDict:
        return {MODALITY: dummy_tensors()}


def dummy_tensors() -> dict[str, torch.Tensor]:
    """A minimal valid batch: one series of 16 ones, horizon 1."""
    return {
        "context": torch.ones(1, 16),
        "group_ids": torch.zeros(1, dtype=torch.long),
        "future_covariates": torch.full((1, 1), float("nan")),
        "prediction_length": torch.tensor([1], dtype=torch.long),
    }


class Chronos2MultiModalProcessor(BaseMultiModalProcessor[Chronos2ProcessingInfo]):
    """Passes the tensors through untouched, behind one dummy token with a zero-length placeholder."""

    requires_tokenizer = False

    def _get_mm_fields_config(
        self, hf_inputs: BatchFeature, hf_processor_mm_kwargs: Mapping[str, object]
    ) -> Mapping[str, MultiModalFieldConfig]:
        return _fields(True)

    def _get_prompt_updates(
        self, mm_items: MultiModalDataItems, hf_processor_mm_kwargs: Mapping[str, object], out_mm_kwargs: Any
    ) -> Sequence[PromptUpdate]:
        return []

    def apply(self, inputs: ProcessorInputs, timing_ctx: TimingContext) -> MultiModalInput:
        with timing_ctx.record("apply_hf_processor"):
            passthrough = self._get_hf_mm_inputs(inputs.mm_data_items, inputs.hf_processor_mm_kwargs).passthrough_data
            processed = BatchFeature(
                {name: torch.as_tensor(value).unsqueeze(0) for name, value in passthrough.items()}, tensor_type="pt"
            )
        mm_kwargs = MultiModalKwargsItems.from_hf_inputs(processed, _fields(True))
        with timing_ctx.record("get_mm_hashes"):
            mm_hashes = inputs.get_mm_hashes(self.info.model_id, self.info.ctx.get_mm_config().mm_hasher_algorithm)
        return mm_input(
            prompt_token_ids=list(PROMPT_TOKEN_IDS),
            mm_kwargs=mm_kwargs,
            mm_hashes=mm_hashes,
            mm_placeholders={MODALITY: [PlaceholderRange(offset=0, length=0)]},
        )
