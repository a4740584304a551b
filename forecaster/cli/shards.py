"""`forecaster forecast --questions FILE --shards N`: one question set across the workers of a Prefect server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from forecaster.cli import common
from forecaster.errors import ConfigError, InputError


def run_sharded(questions_file: Path | None, shards: int, agents: list[str] | None, method: str | None,
                as_of: dt.date | None) -> None:
    """Run the sharded parent flow here; its shards run on the `gpu` pool's workers of PREFECT_API_URL."""
    from prefect.settings import PREFECT_API_URL

    from forecaster.question_files import load_questions
    from forecaster.events.sharding import split_into_shards

    settings = common.settings()
    with common.clean_errors():
        if questions_file is None:
            raise InputError("--shards: needs --questions FILE (a single question is not split)")
        if not PREFECT_API_URL.value():
            raise ConfigError("--shards: PREFECT_API_URL is not set; shards run on the workers of a Prefect "
                              "server, e.g. `export PREFECT_API_URL=http://127.0.0.1:4200/api`")
        # Fail fast with file:line before any run is created.
        split_into_shards(load_questions(questions_file), shards)
    from flows.sharded import forecast_events_sharded
    from forecaster.events.rendering import forecasts_text, run_status

    state = forecast_events_sharded(
        questions_file=str(questions_file), shards=shards, agents=agents, ensemble_method=method, as_of=as_of,
        config_file=str(common.CONFIG_FILE) if common.CONFIG_FILE else None, return_state=True)
    if not state.is_completed():
        typer.secho(f"error: sharded run ended {state.type.value}: {state.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    summaries = state.result()
    typer.echo(forecasts_text(summaries))
    typer.echo(f"\nstored in {settings.database_path} by the workers")
    common.exit_for(run_status(summaries))
