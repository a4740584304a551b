"""`forecaster serve-chronos MODEL`: vLLM's OpenAI server with the chronos2 plugin and the flags it needs."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Optional

import typer

from forecaster.llm.server_command import SERVER_MODULE
REQUIRED_FLAGS = (
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
    argv = [python, "-m", SERVER_MODULE, "--model", model, *REQUIRED_FLAGS, "--host", host, "--port", str(port)]
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


def serve_chronos(
    model: str = typer.Argument(..., help="Chronos-2 checkpoint: local folder or hub id (e.g. amazon/chronos-2)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    served_model_name: Optional[str] = typer.Option(None, help="Name clients send as `model` (default: MODEL)."),
    max_num_seqs: int = typer.Option(8, min=1, help="Most engine requests (batches of series) per step."),
    memory_fraction: float = typer.Option(0.1, min=0.01, max=0.95, help="--gpu-memory-utilization for vLLM."),
    cpu_threads_bind: str = typer.Option("all", help="VLLM_CPU_OMP_THREADS_BIND on CPU: 'all', 'nobind', or e.g. 0-3."),
    dry_run: bool = typer.Option(False, help="Print the command and environment changes instead of running it."),
) -> None:
    """Serve Chronos-2 forecasts on /pooling (vLLM with the chronos2 IO processor plugin)."""
    from forecaster.cli import common

    base = dict(os.environ)  # before the settings add the LLM engines' thread binding
    common.settings()
    # vLLM's caches go under the data dir (created if missing), like every other command's.
    base.setdefault("VLLM_CACHE_ROOT", os.environ["VLLM_CACHE_ROOT"])
    argv = server_command(model, host, port, served_model_name, max_num_seqs, memory_fraction)
    env = server_environment(base, cpu_threads_bind=cpu_threads_bind)
    if dry_run:
        for name in ("VLLM_USE_V2_MODEL_RUNNER", "VLLM_CPU_OMP_THREADS_BIND"):
            if name in env:
                typer.echo(f"{name}={env[name]}")
        typer.echo(" ".join(argv))
        return
    raise typer.Exit(subprocess.call(argv, env=env))


def register(app: typer.Typer) -> None:
    app.command("serve-chronos")(serve_chronos)
