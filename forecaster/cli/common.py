"""What every command shares: loading the settings once and turning known errors into clean exits."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import typer
from pydantic import ValidationError

from forecaster.errors import ForecasterError
from forecaster.settings import Settings, load_settings

CONFIG_FILE: Path | None = None
VERBOSE = False


def settings(runs_work: bool = False) -> Settings:
    """The settings for this invocation, with the process environment and the console prepared from them.

    `runs_work`: a command that runs flows here (engines, a temporary Prefect server): what those child processes
    print goes to the log file, not the console (unless --verbose).
    """
    from forecaster.logging_setup import configure_console
    from forecaster.runtime import prepare_environment

    with clean_errors():
        loaded = load_settings(CONFIG_FILE)
    prepare_environment(loaded)
    configure_console(loaded, VERBOSE, children_to_log=runs_work)
    return loaded


def config_file_parameter() -> str | None:
    """The --config file as a flow parameter (a plain string; None for the default configuration)."""
    return str(CONFIG_FILE) if CONFIG_FILE else None


def warm_up_locally(settings: Settings, model_key: str | None) -> None:
    """Start the first engine now, while the temporary Prefect server starts and the flow sets up.

    Only for a run on a temporary server: against a real one, the flow starts it under its GPU slot.
    """
    from prefect.settings import PREFECT_API_URL

    from forecaster.llm.engine import import_engine_library
    from forecaster.llm.pool import model_pool

    if model_key and not PREFECT_API_URL.value():
        # For start-up speed: vLLM's import is seconds of pure Python. In the warm-up thread it shared the GIL
        # with the flow's import and Prefect's start, and took 23 s instead of 9 s on 2 cores. Imported here
        # first, the thread's remaining work mostly waits on the engine's own processes.
        import_engine_library()
        model_pool().warm_up(settings, model_key)


@contextlib.contextmanager
def model_work() -> Iterator[None]:
    """Around a flow that runs models here: a progress bar, clean errors, the engines it started released,
    SIGTERM or Ctrl-C ending it all (forecaster.cli.stopping), no heartbeats on a temporary server."""
    from forecaster.cli.progress_bar import progress_bar
    from forecaster.cli.stopping import stopping_on_signals
    from forecaster.llm.pool import model_pool
    from forecaster.orchestration.local_runs import local_runs

    with stopping_on_signals(), progress_bar(), model_pool().releasing_new(), clean_errors(), local_runs():
        yield


def exit_for(status: str) -> None:
    """End the command with the exit status of a run that ended `completed`, `partial` or `failed`."""
    from forecaster.cli.stopping import exit_status

    code = exit_status(status)
    if code:
        raise typer.Exit(code)


@contextlib.contextmanager
def clean_errors() -> Iterator[None]:
    """Print a user error as one clear line and exit 2, instead of a traceback."""
    try:
        yield
    except ForecasterError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        for line in format_validation_error(exc):
            typer.secho(f"error: {line}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def format_validation_error(exc: ValidationError) -> list[str]:
    """One line per broken rule, naming the setting by its dotted path; never echoes the value."""
    return [f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()]
