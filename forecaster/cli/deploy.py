"""Commands for running forecaster as a service: register deployments, start a vLLM server (workers: worker.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import typer

from forecaster.cli import common
from forecaster.settings import PROJECT_ROOT

PREFECT_FILE = PROJECT_ROOT / "deployments" / "prefect.yaml"
HOME_ENV = "FORECASTER_HOME"


def deploy(
    cron: Optional[List[str]] = typer.Option(
        None, "--cron", help='Replace a deployment\'s schedule: NAME=EXPR, e.g. "events-daily=0 */6 * * *".'),
    gpus: Optional[int] = typer.Option(
        None, "--gpus", min=1, help="Slots of the 'gpu' concurrency limit (default: GPUs visible here, 1 on CPU)."),
    prefect_file: Path = typer.Option(PREFECT_FILE, "--prefect-file", help="The deployments file."),
) -> None:
    """Register the deployments of prefect.yaml on the configured Prefect server (pool and GPU limit first)."""
    from forecaster.config_checks import visible_devices
    from forecaster.orchestration.deployments import (
        apply_cron_overrides, ensure_crash_detection, ensure_gpu_limit, ensure_work_pools, load_prefect_file,
        with_heartbeats,
    )

    common.settings()
    with common.clean_errors():
        spec = load_prefect_file(prefect_file)
        spec = with_heartbeats(apply_cron_overrides(spec, cron or []))
        slots = gpus or visible_devices()
        pools = ensure_work_pools(spec)
        ensure_gpu_limit(slots)
        ensure_crash_detection()
    typer.echo(f"work pool(s) {', '.join(pools)} ready; concurrency limit 'gpu' has {slots} slot(s); "
               "flow runs that miss their heartbeats are marked Crashed")
    code = _prefect_deploy(spec, prefect_file)
    if code != 0:
        typer.secho(f"error: prefect deploy exited with {code}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code)


def serve(
    model: Optional[str] = typer.Option(None, "--model", help="Configured model key (default: default_model)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Start a vLLM OpenAI-compatible server for a configured model with the engine settings of the config."""
    from forecaster.llm.server_command import server_args, server_env

    settings = common.settings()
    key = model or settings.default_model
    with common.clean_errors():
        args = server_args(settings, key, host, port)
    typer.echo(f"starting vLLM server for {key} on http://{host}:{port} (Ctrl-C stops it)")
    os.execve(args[0], args, server_env(settings))


def prefect_executable() -> str:
    """The `prefect` console script of this environment."""
    beside = Path(sys.executable).with_name("prefect")
    return str(beside) if beside.is_file() else (shutil.which("prefect") or "prefect")


def _prefect_deploy(spec: dict, prefect_file: Path) -> int:
    """Run Prefect's own `deploy --all` from the project root on the (possibly overridden) file."""
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory(prefix="forecaster-deploy-") as tmp:
        target = Path(tmp) / "prefect.yaml"
        target.write_text(yaml.safe_dump(spec, sort_keys=False))
        args = [prefect_executable(), "--no-prompt", "deploy", "--all", "--prefect-file", str(target)]
        return subprocess.run(args, cwd=PROJECT_ROOT, env={**os.environ, HOME_ENV: str(PROJECT_ROOT)}).returncode


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)
    app.command("serve")(serve)
