"""Commands for time series: forecast a file of series, backtest Chronos-2 against classical baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from chronos2_vllm.protocol import MAX_PREDICTION_LENGTH

from forecaster.cli import common
from forecaster.errors import InputError


def parse_quantiles(text: str | None) -> list[float] | None:
    """"0.1,0.5,0.9" as sorted levels, each strictly between 0 and 1."""
    if text is None:
        return None
    try:
        levels = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--quantiles: {text!r} is not a comma-separated list of numbers") from None
    if not levels or any(not 0 < q < 1 for q in levels):
        raise InputError(f"--quantiles: every level must lie strictly between 0 and 1 (got {text!r})")
    return sorted(set(levels))


QUANTILES = typer.Option(None, "--quantiles", "-q", help="Comma-separated levels, e.g. 0.1,0.5,0.9.")
TABLE = typer.Option(None, "--table", help="Read the series from this table of the SQLite FILE.")
SERVER_URL = typer.Option(None, "--server-url", help="Chronos-2 /pooling server (default: in-process).")


def forecast_series(
    file: Path = typer.Argument(
        ..., help="Long-format CSV/Parquet (id, timestamp, target, covariates), or a SQLite file with --table."
    ),
    horizon: Optional[int] = typer.Option(
        None, "--horizon", min=1, max=MAX_PREDICTION_LENGTH, help="Steps ahead (default: timeseries.prediction_length)."
    ),
    quantiles: Optional[str] = QUANTILES,
    table: Optional[str] = TABLE,
    server_url: Optional[str] = SERVER_URL,
) -> None:
    """Forecast every series in FILE with Chronos-2, store the quantiles and draw a fan chart per series."""
    settings = common.settings(runs_work=True)
    with common.model_work():
        from flows.timeseries import forecast_series_flow

        result = forecast_series_flow(
            str(file), horizon=horizon, quantile_levels=parse_quantiles(quantiles), table=table,
            server_url=server_url, config_file=common.config_file_parameter(),
        )
    typer.echo(f"run {result['run_id']}: {result['n_series']} series forecast ({result['backend']}), "
               f"stored in {settings.database_path}")
    for path in result["plots"]:
        typer.echo(f"fan chart: {path}")


def backtest(
    file: Optional[Path] = typer.Argument(None, help="Long-format CSV/Parquet (default: the AirPassengers demo)."),
    horizon: Optional[int] = typer.Option(
        None, "--horizon", min=1, max=MAX_PREDICTION_LENGTH, help="Held-out steps per window."
    ),
    windows: Optional[int] = typer.Option(
        None, "--windows", "-w", min=1, help="Rolling windows (default 1: the last horizon)."
    ),
    quantiles: Optional[str] = QUANTILES,
    table: Optional[str] = TABLE,
    server_url: Optional[str] = SERVER_URL,
) -> None:
    """Score Chronos-2 against SeasonalNaive, AutoETS and AutoARIMA on held-out windows (MASE, MAPE, wQL)."""
    settings = common.settings(runs_work=True)
    with common.model_work():
        from flows.timeseries import backtest_flow

        result = backtest_flow(
            source=str(file) if file else None, horizon=horizon, quantile_levels=parse_quantiles(quantiles),
            windows=windows, table=table, server_url=server_url, config_file=common.config_file_parameter(),
        )
    typer.echo(result["table"])
    typer.echo(f"run {result['run_id']} ({result['backend']}), stored in {settings.database_path}")
    for path in result["plots"]:
        typer.echo(f"chart: {path}")


def register(app: typer.Typer) -> None:
    app.command("forecast-series")(forecast_series)
    app.command("backtest")(backtest)
