"""The learned combination over the published ForecastBench rounds, with the demo agents' own forecasts in it.

Each round of `../shared/data/forecastbench/` is cut to every K-th question (`--every`, default 10: about 50
questions and 220 forecasts a round), forecast with the demo config (retrieval off) in one process (one engine, one
temporary Prefect server), and `calibrate` is run on the published sets with each round's run, as a user would:
the priors, the crowd and the recalibration learn from every resolved question, the agents' weights from those
they forecast; each round is judged on the questions its run forecast by a fit on the earlier rounds only (per
round: 0.5, the naive forecaster, the learned-priors reference, the learned combination and the agents' mean).
The figures are those of the 135M demo model: they say whether the combiner keeps a weak model from hurting, not
what a real model adds.
Run: `.venv/bin/python -m bench.learned_rounds [--every 10] [--rounds 9] [--data-dir DIR] [--reuse-runs]`
(`--reuse-runs`: calibrate on the runs an earlier call stored in DIR, one per round in the order they started).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from forecaster.settings import PROJECT_ROOT

ROUNDS_DIR = PROJECT_ROOT.parent / "shared" / "data" / "forecastbench"


def cut_set(questions_file: Path, every: int, out_dir: Path) -> Path:
    """The set with every `every`-th question, under the same name and due date."""
    published = json.loads(questions_file.read_text())
    published["questions"] = published["questions"][::every]
    out = out_dir / questions_file.name
    out.write_text(json.dumps(published))
    return out


def forecast_round(questions_file: Path) -> str:
    """Forecast a set with the demo config; the run's id."""
    from flows.events import forecast_events

    summaries = forecast_events(questions_file=str(questions_file))
    return summaries[0]["run_id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="keep every K-th question of each round")
    parser.add_argument("--rounds", type=int, default=9, help="the first N published rounds")
    parser.add_argument("--data-dir", type=Path, help="where the runs are stored (default: a new temporary folder)")
    parser.add_argument("--reuse-runs", action="store_true", help="calibrate on the runs stored in --data-dir")
    args = parser.parse_args()
    if args.reuse_runs and not args.data_dir:
        parser.error("--reuse-runs needs --data-dir")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="learned-rounds-"))
    os.environ["FORECASTER_DATA_DIR"] = str(data_dir)
    os.environ["FORECASTER_RETRIEVAL__ENABLED"] = "false"
    pairs = [(q, q.with_name(q.name.replace("-llm.json", "_resolution_set.json")))
             for q in sorted(ROUNDS_DIR.glob("*-llm.json"))][: args.rounds]
    cut_dir = data_dir / "sets"
    cut_dir.mkdir(parents=True, exist_ok=True)
    cuts = [cut_set(q, args.every, cut_dir) for q, _ in pairs]

    start = time.perf_counter()
    runs = stored_runs(len(cuts)) if args.reuse_runs else forecast_rounds(cuts)
    print(calibration([q for q, _ in pairs], [r for _, r in pairs], runs))
    print(f"\nlearned rounds: {len(cuts)} rounds, every {args.every}th question forecast, "
          f"{time.perf_counter() - start:.0f} s; runs stored in {data_dir}")


def forecast_rounds(cuts: list[Path]) -> list[str]:
    """Each cut set forecast in this process; the runs' ids, in order."""
    from forecaster.llm.pool import model_pool
    from forecaster.runtime import prepare_environment
    from forecaster.settings import load_settings

    prepare_environment(load_settings())  # Prefect's home and start-up wait, as every command has them
    start, runs = time.perf_counter(), []
    try:
        for cut in cuts:
            runs.append(forecast_round(cut))
            print(f"{cut.name}: run {runs[-1]} ({time.perf_counter() - start:.0f} s so far)", flush=True)
    finally:
        model_pool().release_all()
    return runs


def stored_runs(count: int) -> list[str]:
    """The completed runs of the data dir, oldest first: one per round."""
    from forecaster.events.store import ForecastStore
    from forecaster.settings import load_settings

    with ForecastStore(load_settings().database_path) as store:
        runs = [run["id"] for run in store.runs_with_status("completed")]
    if len(runs) != count:
        raise SystemExit(f"--reuse-runs: {len(runs)} completed runs stored, {count} rounds asked")
    return runs


def calibration(questions: list[Path], resolutions: list[Path], runs: list[str]) -> str:
    from forecaster.events.store import ForecastStore
    from forecaster.learning.calibration import Options, calibrate, calibration_text
    from forecaster.learning.rounds import read_round, stored_run_members
    from forecaster.settings import load_settings

    with ForecastStore(load_settings().database_path) as store:
        members = [stored_run_members(store, run) for run in runs]
    rounds = [read_round(q, r, m) for q, r, m in zip(questions, resolutions, members)]
    return calibration_text(calibrate(rounds, Options()))


if __name__ == "__main__":
    main()
