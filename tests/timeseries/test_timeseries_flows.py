"""The real Prefect flows on AirPassengers with the tiny checkpoint: stored rows, plots, artifacts, errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from forecaster.names import file_stem
from forecaster.errors import InputError
from forecaster.timeseries.store import SeriesStore
from tests.images import differ, size

from .conftest import write_config
from .known_scores import BASELINE_MAPE_1960

pytestmark = pytest.mark.slow

# figsize in inches x dpi 90 (forecaster/timeseries/plots.py)
FAN_CHART_SIZE = BACKTEST_CHART_SIZE = (810, 360)
SCORES_CHART_SIZE = (1080, 315)


def artifact_of_run(flow_run_id, key: str):
    """The artifact `key` that this very flow run published (not the latest of that key from any run)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]), key=ArtifactFilterKey(any_=[key])))
    assert len(found) == 1, f"{len(found)} artifacts {key!r} for flow run {flow_run_id}"
    return found[0]


def test_forecast_flow_stores_every_step_and_level_of_1961(forecast_run):
    rows = SeriesStore(forecast_run["database_path"]).forecasts(forecast_run["run_id"])
    assert len(rows) == 12 * 3
    assert set(rows["series_id"]) == {"AirPassengers"}
    assert set(rows["quantile_level"]) == {0.1, 0.5, 0.9}
    assert rows["timestamp"].min() == "1961-01-31T00:00:00" and rows["timestamp"].max() == "1961-12-31T00:00:00"
    median = rows[rows.quantile_level == 0.5]
    assert (median["value"] == median["mean"]).all()


def test_forecast_flow_records_the_run(forecast_run):
    run = SeriesStore(forecast_run["database_path"]).run(forecast_run["run_id"])
    assert (run["kind"], run["backend"], run["horizon"], run["n_series"]) == ("forecast", "in-process", 12, 1)


def test_forecast_flow_draws_a_fan_chart_per_series(forecast_run):
    [plot] = forecast_run["plots"]
    assert plot.endswith("AirPassengers.png")
    assert size(plot) == FAN_CHART_SIZE


def test_forecast_flow_publishes_the_fan_chart_as_an_artifact_of_its_run(forecast_run):
    artifact = artifact_of_run(forecast_run["flow_run_id"], "ts-fan-charts")
    assert "data:image/png;base64," in artifact.data


def test_a_bad_file_fails_the_flow_with_the_rule_and_writes_nothing(prefect_server, tiny_checkpoint, tmp_path):
    from flows.timeseries import forecast_series_flow

    bad = tmp_path / "bad.csv"
    bad.write_text("id,timestamp,target\n" + "".join(f"a,2024-01-0{d},{d}\n" for d in (1, 2, 2, 3, 4, 5)))
    config = write_config(tmp_path / "run", tiny_checkpoint)
    with pytest.raises(InputError, match=r"series 'a': duplicate timestamp"):
        forecast_series_flow(str(bad), horizon=3, config_file=config)
    assert not (tmp_path / "run" / "forecaster.db").exists()
    assert not any((tmp_path / "run" / "plots").glob("*.png"))


def test_backtest_flow_reproduces_the_baselines_mape_on_1960(backtest_run):
    mape = {row["model"]: row["mape"] for row in backtest_run["summary"]}
    for model, expected in BASELINE_MAPE_1960.items():
        assert mape[model] == pytest.approx(expected, abs=1e-3)
    assert math.isfinite(mape["Chronos-2"])


def test_backtest_flow_stores_scores_and_every_models_forecasts(backtest_run):
    metrics = SeriesStore(backtest_run["database_path"]).metrics(backtest_run["run_id"])
    assert sorted(metrics["model"]) == sorted(["Chronos-2", *BASELINE_MAPE_1960])
    stored = metrics.set_index("model")["mape"]
    for row in backtest_run["summary"]:
        assert stored[row["model"]] == pytest.approx(row["mape"])
    rows = SeriesStore(backtest_run["database_path"]).forecasts(backtest_run["run_id"])
    assert len(rows) == 4 * 12 * 3
    assert rows["timestamp"].min() == "1960-01-31T00:00:00"


def test_backtest_flow_prints_a_table_and_draws_its_charts(backtest_run):
    assert backtest_run["table"].splitlines()[0] == "| model | MASE | MAPE % | wQL |"
    assert "| AutoARIMA | " in backtest_run["table"]
    assert sorted(size(plot) for plot in backtest_run["plots"]) == sorted([BACKTEST_CHART_SIZE, SCORES_CHART_SIZE])
    assert "AutoARIMA" in artifact_of_run(backtest_run["flow_run_id"], "ts-backtest-scores").data


def test_a_flow_given_no_settings_reads_the_project_configuration(
    prefect_server, tiny_checkpoint, demo_csv, tmp_path, monkeypatch
):
    from flows.timeseries import forecast_series_flow

    monkeypatch.setenv("FORECASTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FORECASTER_TIMESERIES__MODEL_PATH", str(tiny_checkpoint))
    result = forecast_series_flow(str(demo_csv), horizon=6)
    assert len(SeriesStore(tmp_path / "forecaster.db").forecasts(result["run_id"])) == 6 * 3
    assert result["plots"][0].startswith(str(tmp_path / "plots"))


def test_forecast_flow_takes_several_series_with_known_future_covariates(prefect_server, tiny_checkpoint, tmp_path):
    from flows.timeseries import forecast_series_flow

    lines = ["id,timestamp,target,promo"]
    for sid, scale in (("north", 10), ("south/east", 1000)):
        for day in range(1, 29):
            target = "" if day > 24 else scale + day  # the last 4 days are the horizon
            lines.append(f"{sid},2024-02-{day:02d},{target},{day % 2}")
    (tmp_path / "shops.csv").write_text("\n".join(lines) + "\n")
    result = forecast_series_flow(str(tmp_path / "shops.csv"), horizon=4, quantile_levels=[0.1, 0.5, 0.9],
                                  config_file=write_config(tmp_path / "run", tiny_checkpoint))
    rows = SeriesStore(tmp_path / "run" / "forecaster.db").forecasts(result["run_id"])
    assert rows.groupby("series_id").size().to_dict() == {"north": 12, "south/east": 12}
    assert sorted(rows["timestamp"].unique())[0] == "2024-02-25T00:00:00"
    # One chart per series; a "/" in an id cannot reach the file system.
    names = sorted(Path(p).name.split("-", 2)[-1] for p in result["plots"])
    assert names == [f"{file_stem('north')}.png", f"{file_stem('south/east')}.png"]
    assert "/" not in names[1]
    # Each chart shows its own series.
    assert differ(*result["plots"])
