"""Chronos-2 forecasts through vLLM's `/pooling` endpoint: model registration and the `chronos2` IO processor.

Importing this package stays light (no vllm or torch); the entry points import them when vLLM calls them.
"""

from __future__ import annotations

ARCHITECTURE = "Chronos2Model"
MODEL_CLASS = "chronos2_vllm.model:Chronos2ForForecasting"
IO_PROCESSOR_CLASS = "chronos2_vllm.processor.Chronos2IOProcessor"
IO_PROCESSOR_NAME = "chronos2"


def register_model() -> None:
    """vllm.general_plugins entry point: register the architecture and its config fix (idempotent)."""
    from vllm import ModelRegistry
    from vllm.model_executor.models.config import MODELS_CONFIG_MAP

    if ARCHITECTURE not in ModelRegistry.get_supported_archs():
        ModelRegistry.register_model(ARCHITECTURE, MODEL_CLASS)
    MODELS_CONFIG_MAP.setdefault(ARCHITECTURE, _config_fix())


def io_processor_factory() -> str:
    """vllm.io_processor_plugins entry point "chronos2": the IO processor's dotted path."""
    return IO_PROCESSOR_CLASS


def _config_fix() -> type:
    from vllm.model_executor.models.config import VerifyAndUpdateConfig

    class Chronos2ConfigFix(VerifyAndUpdateConfig):
        """Chronos-2 checkpoints say model_type "t5" without `is_encoder_decoder`, which then defaults to true."""

        @staticmethod
        def verify_and_update_model_config(model_config) -> None:
            model_config.hf_config.is_encoder_decoder = False
            # ModelConfig caches the flag before this hook runs.
            model_config.__dict__.pop("is_encoder_decoder", None)

    return Chronos2ConfigFix
