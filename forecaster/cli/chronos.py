"""`forecaster serve-chronos MODEL`: vLLM's OpenAI server with the chronos2 plugin and the flags it needs."""

from __future__ import annotations

import os
import subprocess
from typing import Optional

import typer

from chronos2_vllm.serve import server_command, server_environment


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
