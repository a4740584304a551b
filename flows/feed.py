"""The scheduled round: pull a platform's open binary questions, forecast them, optionally submit (Metaculus)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.events import forecast_events
from forecaster.feeds.clients import check_feed_parameters
from forecaster.runtime import bootstrap
from tasks.feeds import publish_counts_task, pull_task, submit_task


@flow(name="forecast-feed", log_prints=True)
def forecast_feed(
    source: Literal["metaculus", "manifold", "polymarket"] = "manifold",
    tournament: str | None = None,
    term: str | None = None,
    limit: int = 20,
    submit: bool = False,
    config_file: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Pull up to `limit` open binary questions from `source` (Metaculus: of `tournament`; Manifold: matching
    `term`), forecast them with the `forecast-events` flow, and with `submit` post the forecasts to Metaculus.

    The token comes from the worker's settings (FORECASTER_FEEDS__METACULUS__TOKEN), never from a parameter.
    Publishes how many questions were pulled, forecast and submitted.
    """
    check_feed_parameters(source, tournament, term, limit, submit)
    settings = bootstrap(config_file)
    out = settings.data_dir / "feeds" / f"{source}-{flow_run.get_id() or 'local'}.jsonl"
    counts: dict[str, Any] = {"source": source, "query": tournament or term or "", "pulled": 0, "forecast": 0,
                              "submitted": 0, "not submitted": 0, "run": ""}
    counts["pulled"] = pull_task(settings, source, tournament or term, limit, str(out))
    if counts["pulled"]:
        results = forecast_events(questions_file=str(out), config_file=config_file, today=today)
        counts["forecast"] = sum(1 for r in results if r["ensemble"] is not None)
        counts["run"] = results[0]["run_id"]
        if submit and counts["forecast"]:
            counts["submitted"], counts["not submitted"] = submit_task(settings, counts["run"])
    else:
        get_run_logger().warning("%s: no open binary questions pulled; nothing to forecast", source)
    publish_counts_task(counts)
    return counts
