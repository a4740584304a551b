"""Entry points, registration and the serve command, without starting a server."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

from chronos2_vllm.serve import server_command, server_environment


def test_entry_points_name_the_plugin_functions():
    general = {ep.name: ep.value for ep in entry_points(group="vllm.general_plugins")}
    io = {ep.name: ep.value for ep in entry_points(group="vllm.io_processor_plugins")}
    assert general["chronos2_model"] == "chronos2_vllm:register_model"
    assert io["chronos2"] == "chronos2_vllm:io_processor_factory"


def test_this_distribution_alone_registers_the_chronos2_names():
    found = [(ep.group, ep.dist.name) for group in ("vllm.general_plugins", "vllm.io_processor_plugins")
             for ep in entry_points(group=group) if ep.name in ("chronos2", "chronos2_model")]
    assert sorted(found) == [("vllm.general_plugins", "chronos2-vllm"), ("vllm.io_processor_plugins", "chronos2-vllm")]


def test_importing_the_plugin_package_loads_neither_vllm_nor_torch():
    code = "import sys, chronos2_vllm; print('vllm' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_register_model_is_idempotent_and_fixes_the_encoder_decoder_flag():
    from vllm import ModelRegistry
    from vllm.model_executor.models.config import MODELS_CONFIG_MAP

    from chronos2_vllm import register_model

    register_model()
    register_model()
    assert "Chronos2Model" in ModelRegistry.get_supported_archs()

    class FakeModelConfig:  # only the attributes the hook touches
        def __init__(self):
            self.hf_config = type("Cfg", (), {"is_encoder_decoder": True})()
            self.__dict__["is_encoder_decoder"] = True

    config = FakeModelConfig()
    MODELS_CONFIG_MAP["Chronos2Model"].verify_and_update_model_config(config)
    assert config.hf_config.is_encoder_decoder is False
    assert "is_encoder_decoder" not in config.__dict__


def test_io_processor_factory_names_an_importable_class():
    import importlib

    from chronos2_vllm import io_processor_factory

    module, _, name = io_processor_factory().rpartition(".")
    assert getattr(importlib.import_module(module), name).__name__ == "Chronos2IOProcessor"


def test_the_serve_command_carries_the_flags_the_plugin_needs():
    argv = " ".join(server_command("some/model", port=8123, served_model_name="amazon/chronos-2"))
    for flag in ("-m vllm.entrypoints.openai.api_server", "--io-processor-plugin chronos2", "--runner pooling",
                 "--enforce-eager", "--no-enable-prefix-caching", "--skip-tokenizer-init", "--enable-mm-embeds",
                 "--dtype float32", "--max-model-len 8192", "--port 8123", "--model some/model",
                 "--served-model-name amazon/chronos-2"):
        assert flag in argv


def test_the_server_environment_keeps_the_v1_runner_and_binds_every_core():
    env = server_environment({}, cpu_threads_bind="all")
    assert env["VLLM_USE_V2_MODEL_RUNNER"] == "0"
    assert env["VLLM_CPU_OMP_THREADS_BIND"].startswith("0-")
    assert "VLLM_CPU_OMP_THREADS_BIND" not in server_environment({}, cpu_threads_bind=None)
