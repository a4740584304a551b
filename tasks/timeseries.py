"""Thin Prefect tasks over forecaster.timeseries: retries for transient failures, PNG and table artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from forecaster.errors import ForecasterError
from forecaster.names import file_stem
from forecaster.settings import TimeSeriesSettings
from forecaster.timeseries import backtest as bt
from forecaster.timeseries import plots
from forecaster.timeseries.backends import ForecastBackend, build_backend
from forecaster.timeseries.demo import air_passengers
from forecaster.timeseries.loading import columns_of, frame_to_series, load_series
from forecaster.timeseries.series import Forecast, Series
from forecaster.timeseries.store import ModelForecast, RunRecord, SeriesStore
from tasks.artifacts import publish_pngs


def _transient(task, task_run, state) -> bool:
    # A user error (bad file, bad setting) fails the same way every time: never retry it.
    return not isinstance(state.data, ForecasterError)


RETRY = dict(retries=2, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)


@task(name="load-series", **RETRY)
def load_series_task(
    source: str | None, table: str | None, horizon: int, settings: TimeSeriesSettings
) -> list[Series]:
    """Validated series from a file or SQLite table, or the AirPassengers demo when `source` is None."""
    columns = columns_of(settings)
    if source is None:
        get_run_logger().info("no input given: using the AirPassengers demo series")
        frame = air_passengers().rename(columns={"id": columns.id, "timestamp": columns.timestamp,
                                                 "target": columns.target})
        return frame_to_series(frame, horizon, columns=columns, min_points=settings.min_points,
                               origin="demo:AirPassengers")
    return load_series(source, horizon, table=table, columns=columns, min_points=settings.min_points)


@task(name="build-backend", **RETRY)
def build_backend_task(settings: TimeSeriesSettings) -> ForecastBackend:
    """The configured backend (pooling server or in-process), building the demo checkpoint when missing."""
    backend = build_backend(settings, get_run_logger())
    get_run_logger().info("time-series backend: %s", backend.name)
    return backend


@task(name="forecast-series", **RETRY)
def forecast_task(
    backend: ForecastBackend, series: list[Series], horizon: int, quantile_levels: Sequence[float]
) -> list[Forecast]:
    """Quantile forecasts of every series."""
    return backend.forecast(series, horizon, quantile_levels)


@task(name="backtest", **RETRY)
def backtest_task(
    backend: ForecastBackend, series: list[Series], horizon: int, quantile_levels: Sequence[float],
    settings: TimeSeriesSettings, windows: int,
) -> bt.BacktestResult:
    """Chronos-2 and the baselines on every held-out window, scored."""
    return bt.run_backtest(series, backend, horizon, quantile_levels, windows=windows,
                           season_length=settings.season_length, min_points=settings.min_points)


@task(name="store-run", **RETRY)
def store_task(
    database_path: str, run: RunRecord, forecasts: list[ModelForecast], metrics: pd.DataFrame | None = None
) -> str:
    """Write the run in one transaction; returns its id."""
    with SeriesStore(database_path) as store:
        run_id = store.save_run(run, forecasts, metrics)
    get_run_logger().info("stored run %s (%d forecasts)", run_id, len(forecasts))
    return run_id


@task(name="fan-charts", **RETRY)
def fan_charts_task(series: list[Series], forecasts: list[Forecast], plots_dir: str, run_id: str) -> list[str]:
    """One fan chart PNG per series, also published as a markdown artifact."""
    by_id = {s.id: s for s in series}
    paths = [
        plots.fan_chart(by_id[f.series_id], f,
                        Path(plots_dir) / f"forecast-{run_id[:8]}-{file_stem(f.series_id)}.png")
        for f in forecasts
    ]
    publish_pngs(paths, "ts-fan-charts", f"Fan charts of run {run_id}")
    return [str(p) for p in paths]


@task(name="backtest-report", **RETRY)
def backtest_report_task(
    series: list[Series], result: bt.BacktestResult, plots_dir: str, run_id: str
) -> dict:
    """Score table and charts (last window per series, bars per metric) as files and artifacts."""
    last = result.windows - 1
    cut = bt.split_windows(series, result.horizon, result.windows, min_points=1)[last]
    out = Path(plots_dir)
    paths = [plots.scores_chart(result.summary(), out / f"backtest-{run_id[:8]}-scores.png")]
    for s in cut:
        per_model = {m.model: m.forecast for m in result.forecasts
                     if m.window == last and m.forecast.series_id == s.id}
        full = next(x for x in series if x.id == s.id)
        actual = full.target[len(s.target): len(s.target) + result.horizon]
        paths.append(plots.backtest_chart(s, actual, per_model,
                                          out / f"backtest-{run_id[:8]}-{file_stem(s.id)}.png"))
    table = bt.markdown_table(result.summary())
    create_markdown_artifact(key="ts-backtest-scores", markdown=f"## Backtest {run_id}\n\n{table}\n",
                             description="MASE, MAPE and weighted quantile loss per model")
    publish_pngs(paths, "ts-backtest-charts", f"Backtest charts of run {run_id}")
    return {"table": table, "plots": [str(p) for p in paths]}
