"""The ``forecaster`` command line: each area registers its commands from its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forecaster.cli import common

app = typer.Typer(
    name="forecaster",
    help="Event-probability and time-series forecasting on vLLM, orchestrated with Prefect.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    config: Optional[Path] = typer.Option(
        None, "--config", "-c", help="Extra TOML file over config/forecaster.toml (also FORECASTER_CONFIG)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Every library's log lines on the console too (also LOG_LEVEL=...)."
    ),
) -> None:
    """Forecaster: schedule, trigger and run forecasts like any production pipeline."""
    common.CONFIG_FILE = config
    common.VERBOSE = verbose


def _register_all() -> None:
    from forecaster.cli import (calibrate, chronos, deploy, evaluate, events, feeds, rounds, scoring, server,
                                timeseries, typed_scoring, worker)

    for module in (events, scoring, typed_scoring, timeseries, evaluate, rounds, calibrate, feeds, deploy, worker,
                   server, chronos):
        module.register(app)


_register_all()
