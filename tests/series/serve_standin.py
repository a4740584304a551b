"""Serve the FRED, DBnomics and Yahoo stand-ins on 127.0.0.1 with a few series, to try the series member offline.

    .venv/bin/python -m tests.series.serve_standin [--due 2026-03-02] [--write-set FILE]

It prints the settings that point the forecaster at them (eval them in a shell); `--write-set` also writes a small
ForecastBench question set asking about each series, to forecast with `forecaster forecast --questions FILE`.
Series: FRED `DAAA` (rising, business days), DBnomics `meteofrance_TEMPERATURE_celsius.07621.D` (seasonal, daily,
some "NA"), Yahoo `^GSPC` (a random walk, business days, a null). Ctrl-C stops them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path

import numpy as np

from tests.series.fb_set import dataset_question
from tests.series.standins import DbnomicsStandIn, FredStandIn, YahooStandIn, series_settings_env, weekday_points

DBNOMICS_CODE = "meteofrance/TEMPERATURE/celsius.07621.D"


def series(due: dt.date) -> dict[str, dict]:
    """Two years of each series up to a year past `due` (the as-of cut keeps the rest from the model)."""
    start = due - dt.timedelta(days=730)
    rng = np.random.default_rng(0)
    walk = 4000 + np.cumsum(rng.normal(1, 30, 800))
    days = [start + dt.timedelta(days=i) for i in range(1095)]
    temperature = {d: (None if i % 97 == 5 else round(12 + 8 * math.sin(2 * math.pi * (i - 100) / 365.25)
                                                      + rng.normal(0, 2), 2)) for i, d in enumerate(days)}
    return {"fred": weekday_points(start, [round(3 + 0.002 * i + rng.normal(0, 0.02), 2) for i in range(780)]),
            "dbnomics": temperature,
            "yahoo": weekday_points(start, [None if i == 300 else round(float(v), 2) for i, v in enumerate(walk)])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=dt.date.fromisoformat, default=dt.date(2026, 3, 2))
    parser.add_argument("--write-set", type=Path, help="write a ForecastBench question set about the series here")
    args = parser.parse_args()
    data = series(args.due)
    with FredStandIn({"DAAA": data["fred"]}) as fred, DbnomicsStandIn({DBNOMICS_CODE: data["dbnomics"]}) as dbn, \
            YahooStandIn({"^GSPC": data["yahoo"]}) as yahoo:
        for name, value in series_settings_env(fred.url, dbn.url, yahoo.url).items():
            print(f"export {name}={value}", flush=True)  # flushed: a pipe reading these lines gets them now
        if args.write_set:
            dates = tuple((args.due + dt.timedelta(days=h)).isoformat() for h in (7, 30, 90, 180, 365))
            questions = [dataset_question(source, qid, dates) for source, qid in
                         (("fred", "DAAA"), ("dbnomics", DBNOMICS_CODE.replace("/", "_")), ("yfinance", "^GSPC"))]
            args.write_set.write_text(json.dumps({"forecast_due_date": args.due.isoformat(),
                                                  "question_set": args.write_set.name, "questions": questions}))
            print(f"# question set written to {args.write_set}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
