"""Time-series flows: forecast a set of series with Chronos-2, or backtest it against classical baselines."""

from __future__ import annotations

from prefect import flow

from forecaster import progress
from forecaster.runtime import bootstrap
from forecaster.settings import Settings, TimeSeriesSettings
from forecaster.timeseries.store import ModelForecast, RunRecord
from tasks.timeseries import (
    backtest_report_task,
    backtest_task,
    build_backend_task,
    fan_charts_task,
    forecast_task,
    load_series_task,
    store_task,
)


def _start(
    config_file: str | None, server_url: str | None, horizon: int | None, levels: list[float] | None
) -> tuple[Settings, TimeSeriesSettings, int, list[float]]:
    """Bootstrap; the run's time-series settings (a run may name its own /pooling server), horizon and levels."""
    full = bootstrap(config_file)
    settings = full.timeseries
    if server_url:
        settings = settings.model_copy(update={"server_url": server_url})
    return full, settings, horizon or settings.prediction_length, levels or settings.quantile_levels


def _model_name(settings: TimeSeriesSettings) -> str:
    if settings.server_url:
        return settings.server_model or settings.model_path
    return settings.model_path


@flow(name="timeseries-forecast")
def forecast_series_flow(
    source: str,
    horizon: int | None = None,
    quantile_levels: list[float] | None = None,
    table: str | None = None,
    server_url: str | None = None,
    config_file: str | None = None,
) -> dict:
    """Load and validate the series, forecast them, store the quantiles and plot a fan chart per series."""
    full, settings, horizon, levels = _start(config_file, server_url, horizon, quantile_levels)
    series = load_series_task(source, table, horizon, settings)
    backend = build_backend_task(settings)
    progress.begin(len(series), "series")
    forecasts = forecast_task(backend, series, horizon, levels)
    progress.advance(len(series))
    run = RunRecord(kind="forecast", source=_source_name(source, table), backend=backend.name,
                    model=_model_name(settings), horizon=horizon, quantile_levels=levels, n_series=len(series))
    run_id = store_task(str(full.database_path), run, [ModelForecast("Chronos-2", 0, f) for f in forecasts])
    plots = fan_charts_task(series, forecasts, str(full.plots_dir), run_id)
    return {"run_id": run_id, "n_series": len(series), "backend": backend.name, "plots": plots,
            "database_path": str(full.database_path)}


@flow(name="timeseries-backtest")
def backtest_flow(
    source: str | None = None,
    horizon: int | None = None,
    quantile_levels: list[float] | None = None,
    windows: int | None = None,
    table: str | None = None,
    server_url: str | None = None,
    config_file: str | None = None,
) -> dict:
    """Hold out the last horizon (or rolling windows), score Chronos-2 against the baselines, store and plot."""
    full, settings, horizon, levels = _start(config_file, server_url, horizon, quantile_levels)
    windows = windows or settings.backtest_windows
    series = load_series_task(source, table, horizon, settings)
    backend = build_backend_task(settings)
    progress.begin(len(series) * windows, "series-windows")
    result = backtest_task(backend, series, horizon, levels, settings, windows)
    progress.advance(len(series) * windows)
    run = RunRecord(kind="backtest", source=_source_name(source, table), backend=backend.name,
                    model=_model_name(settings), horizon=horizon, quantile_levels=levels,
                    n_series=len(series), windows=windows)
    run_id = store_task(str(full.database_path), run, result.forecasts, result.metrics)
    report = backtest_report_task(series, result, str(full.plots_dir), run_id)
    return {"run_id": run_id, "backend": backend.name, "summary": result.summary().to_dict("records"),
            "database_path": str(full.database_path), **report}


def _source_name(source: str | None, table: str | None) -> str:
    if source is None:
        return "demo:AirPassengers"
    return f"{source}::{table}" if table else source
