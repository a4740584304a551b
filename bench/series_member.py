"""The series member on a synthetic round with known answers: Brier beside 0.5 and ForecastBench's naive rule.

50 daily series (25 with a linear trend of random sign and noise, 25 white noise around a level), 400 days of
history before the due date, asked ForecastBench's question at 7, 30, 90, 180 and 365 days: is the value on the
resolution date strictly higher than on the due date (a tie is NO)? The answers come from the same generated paths,
so every forecaster is scored on the same 250 rows, in the same run:
  member      `forecaster.series` as the flow runs it (as-of cut, calendar, quantiles, P(value > reference));
  0.5         0.5 everywhere;
  naive rule  ForecastBench's naive forecaster's rule (a forecast interval at the resolution date turned into
              P(increase) by a normal approximation, clipped to [0.05, 0.95]), on an AutoETS fit: Prophet, which
              ForecastBench fits, does not install beside our pins.
The member's AutoETS damps its trend by default (`[series] damped_trend`); the undamped variant is scored beside
it: on these straight synthetic trends it wins, on a seasonal series it extrapolates an upswing without end.
`--model chronos` runs Chronos-2 instead of AutoETS; with no real weights here that is a RANDOM tiny checkpoint,
so its figures measure the plumbing, not Chronos-2.
Run: `.venv/bin/python -m bench.series_member [--model autoets|chronos] [--series 50] [--seed 0]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time

import numpy as np
from scipy.stats import norm

DUE = dt.date(2026, 3, 2)
HORIZONS = (7, 30, 90, 180, 365)
HISTORY = 400


def paths(n: int, seed: int) -> list[tuple[str, np.ndarray]]:
    """(kind, values) per series: history, the due date's value at index HISTORY, then the horizons' days."""
    rng = np.random.default_rng(seed)
    days = HISTORY + max(HORIZONS) + 1
    out = []
    for i in range(n):
        if i % 2 == 0:
            slope = rng.choice([-1, 1]) * rng.uniform(0.05, 0.5)
            out.append(("trend", 100 + slope * np.arange(days) + rng.normal(0, 2, days)))
        else:
            out.append(("noise", 50 + rng.normal(0, 3, days)))
    return out


def naive_rule(history: np.ndarray, horizon: int) -> float:
    """ForecastBench's naive rule on an AutoETS fit: a 95% interval's normal approximation, clipped."""
    from statsforecast.models import AutoETS

    fit = AutoETS(season_length=1).forecast(y=history, h=horizon, level=[95])
    mean, low, high = fit["mean"][-1], fit["lo-95"][-1], fit["hi-95"][-1]
    sigma = max((high - low) / (2 * norm.ppf(0.975)), 1e-9)
    return float(np.clip(1 - norm.cdf((history[-1] - mean) / sigma), 0.05, 0.95))


def run(model: str, n: int, seed: int, model_dir: str, damped: bool = True) -> dict:
    from forecaster.series.member import SeriesQuestion, forecast_groups
    from forecaster.series.observations import Observations
    from forecaster.series.ref import SeriesRef
    from forecaster.settings import Settings

    settings = Settings(series={"model": model, "damped_trend": damped}, timeseries={"model_path": model_dir})
    start = DUE - dt.timedelta(days=HISTORY)
    generated = paths(n, seed)
    fetched = []
    for i, (_, values) in enumerate(generated):
        # The whole path goes in: the member's own as-of cut must keep the due date and later out.
        obs = Observations.of((start + dt.timedelta(days=d), float(v)) for d, v in enumerate(values))
        fetched.append(([SeriesQuestion(f"s{i}-{h}", SeriesRef("file", f"s{i}"), DUE + dt.timedelta(days=h), DUE)
                         for h in HORIZONS], obs))
    began = time.perf_counter()
    out = forecast_groups(fetched, settings)  # as the flow runs it: every series in one model call
    seconds = time.perf_counter() - began
    rows = []
    for i, (kind, values) in enumerate(generated):
        for h in HORIZONS:
            outcome = float(values[HISTORY + h] > values[HISTORY])
            rows.append((kind, outcome, out[f"s{i}-{h}"].probability, naive_rule(values[:HISTORY], h + 1)))
    return {"rows": rows, "seconds": seconds}


def brier(rows: list, column: int, kind: str | None = None) -> float:
    picked = [r for r in rows if kind is None or r[0] == kind]
    return float(np.mean([(r[column] - r[1]) ** 2 for r in picked]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["autoets", "chronos"], default="autoets")
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = run(args.model, args.series, args.seed, f"{folder}/chronos-2-tiny")
        undamped = (run(args.model, args.series, args.seed, folder, False)["rows"] if args.model == "autoets"
                    else result["rows"])
    # (kind, outcome, member, naive rule, 0.5, member with AutoETS's trend undamped)
    rows = [r + (0.5, u[2]) for r, u in zip(result["rows"], undamped)]
    print(f"series member ({args.model}{', RANDOM tiny checkpoint: plumbing only' if args.model == 'chronos' else ''})"
          f" on {args.series} synthetic series x {len(HORIZONS)} horizons = {len(rows)} forecasts, seed {args.seed}")
    extra = (("member, AutoETS's trend undamped", 5),) if args.model == "autoets" else ()
    for name, column in (("member", 2), *extra, ("0.5", 4), ("naive rule", 3)):
        print(f"  brier {name:<33} {brier(rows, column):.3f}  (trend {brier(rows, column, 'trend'):.3f}, "
              f"noise {brier(rows, column, 'noise'):.3f})")
    print(f"  member / 0.5 {brier(rows, 2) / brier(rows, 4):.2f}; member / naive rule "
          f"{brier(rows, 2) / brier(rows, 3):.2f}; member {1000 * result['seconds'] / args.series:.0f} ms per series")


if __name__ == "__main__":
    main()
