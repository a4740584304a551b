"""The [vllm] settings as vLLM engine options: one table, read as `vllm.LLM` keyword arguments (in-process
engines) or as the OpenAI server's command-line flags (server mode, deployments)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forecaster.llm.model_prep import ensure_model
from forecaster.settings import Settings


def engine_options(settings: Settings, model_key: str) -> dict[str, Any]:
    """vLLM's engine argument names and their values for one configured model; None keeps vLLM's default.

    The model is converted first if it needs to be (a packaged GGUF).
    """
    spec = settings.models[model_key]
    v = settings.vllm
    return {
        "model": ensure_model(spec),
        "tokenizer": spec.tokenizer,
        "dtype": resolved_dtype(v.dtype),
        "tensor_parallel_size": v.tensor_parallel_size,
        "pipeline_parallel_size": v.pipeline_parallel_size,
        "distributed_executor_backend": v.distributed_executor_backend,
        "gpu_memory_utilization": v.gpu_memory_utilization,
        "enforce_eager": v.enforce_eager,
        "enable_prefix_caching": v.enable_prefix_caching,
        "load_format": v.load_format,
        "seed": v.seed,
        "max_model_len": v.max_model_len,
        "block_size": v.block_size,
        "max_num_seqs": v.max_num_seqs,
        "model_loader_extra_config": v.model_loader_extra_config or None,
        # vLLM 0.32 replaced swap space with CPU offloading of the KV cache (GiB).
        "kv_offloading_size": v.swap_space_gb or None,
    }


# CPU instructions that compute bfloat16 natively; without them vLLM's CPU kernels fall back to slow paths.
NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}
FASTEST = "fastest"


def resolved_dtype(dtype: str, cpu_flags: set[str] | None = None, gpu: bool | None = None) -> str:
    """`fastest`: vLLM's `auto` on a GPU; on a CPU bfloat16 where it computes bfloat16 natively, else float32
    (measured on an AVX2-only EPYC: bfloat16 4-5x slower than float32; on AVX512-BF16 about 2x faster)."""
    if dtype != FASTEST:
        return dtype
    if gpu is None:
        from forecaster.llm.devices import cuda_devices  # imports torch: only when asked

        gpu = cuda_devices() > 0
    if gpu:
        return "auto"
    flags = cpu_flags if cpu_flags is not None else _cpu_flags()
    return "bfloat16" if flags & NATIVE_BF16_FLAGS else "float32"


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags") for flag in line.split(":", 1)[1].split()}


def as_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """The options as `vllm.LLM(**kwargs)`: those set."""
    return {name: value for name, value in options.items() if value is not None}


def as_flags(options: dict[str, Any]) -> list[str]:
    """The options as server flags: `--name value`, booleans as `--name` / `--no-name`, mappings as JSON."""
    flags: list[str] = []
    for name, value in as_kwargs(options).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            # vLLM's server takes every boolean engine argument both ways (argparse.BooleanOptionalAction).
            flags.append(flag if value else "--no-" + flag[2:])
        elif isinstance(value, dict):
            flags += [flag, json.dumps(value)]
        else:
            flags += [flag, str(value)]
    return flags
