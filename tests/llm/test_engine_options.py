"""One table of engine options: the in-process kwargs and the server's flags say the same thing to vLLM."""

from __future__ import annotations

import json

from forecaster.llm.engine import engine_kwargs
from forecaster.llm.engine_options import as_flags, as_kwargs, engine_options
from forecaster.llm.server_command import server_args
from forecaster.settings import load_settings

S3_MODEL = {"big": {"path": "s3://bucket/llama"}}


def _settings(**vllm):
    return load_settings(models=S3_MODEL, vllm={"tensor_parallel_size": 2, "model_loader_extra_config":
                                                 {"concurrency": 32}, "swap_space_gb": 4, **vllm})


def test_vllms_own_parser_reads_the_server_flags_as_the_engine_kwargs():
    from vllm.engine.arg_utils import EngineArgs
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    options = engine_options(_settings(enforce_eager=False, enable_prefix_caching=True), "big")
    parsed = EngineArgs.add_cli_args(FlexibleArgumentParser()).parse_args(as_flags(options))
    for name, value in as_kwargs(options).items():
        got = getattr(parsed, name)
        assert (json.loads(got) if isinstance(value, dict) and isinstance(got, str) else got) == value, name


def test_booleans_go_to_the_server_both_ways():
    on = as_flags(engine_options(_settings(enforce_eager=True, enable_prefix_caching=False), "big"))
    off = as_flags(engine_options(_settings(enforce_eager=False, enable_prefix_caching=True), "big"))
    assert "--enforce-eager" in on and "--no-enable-prefix-caching" in on
    assert "--no-enforce-eager" in off and "--enable-prefix-caching" in off


def test_the_engine_and_the_server_get_every_option_that_is_set():
    settings = _settings()
    kwargs = engine_kwargs(settings, "big")
    flags = server_args(settings, "big")
    for name in as_kwargs(engine_options(settings, "big")):
        assert name in kwargs
        flag = "--" + name.replace("_", "-")
        assert flag in flags or "--no-" + flag[2:] in flags, name
    assert kwargs["kv_offloading_size"] == 4 and float(flags[flags.index("--kv-offloading-size") + 1]) == 4
    assert kwargs["use_tqdm_on_load"] is False  # our progress bar only


def test_the_engines_cpu_environment_is_the_same_in_process_and_for_a_server():
    from forecaster.llm.server_command import server_env
    from forecaster.llm.environment import engine_environment

    settings = load_settings(vllm={"cpu_threads_bind": "0-1", "cpu_kvcache_space_gb": 2})
    assert engine_environment(settings) == {"VLLM_CPU_OMP_THREADS_BIND": "0-1", "VLLM_CPU_KVCACHE_SPACE": "2"}
    env = server_env(settings, base={"VLLM_CPU_OMP_THREADS_BIND": "nobind"})
    assert env["VLLM_CPU_OMP_THREADS_BIND"] == "nobind"  # a value already set wins
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "2"


def test_fastest_dtype_is_bfloat16_only_where_the_cpu_computes_it_natively():
    from forecaster.llm.engine_options import resolved_dtype

    assert resolved_dtype("fastest", {"avx2", "avx512_bf16"}, gpu=False) == "bfloat16"
    assert resolved_dtype("fastest", {"avx2", "amx_bf16"}, gpu=False) == "bfloat16"
    assert resolved_dtype("fastest", {"avx2", "fma"}, gpu=False) == "float32"
    assert resolved_dtype("fastest", {"avx2"}, gpu=True) == "auto"
    assert resolved_dtype("bfloat16", {"avx2"}, gpu=False) == "bfloat16"  # a named dtype is kept
