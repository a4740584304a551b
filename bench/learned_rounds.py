"""The learned combination over the published ForecastBench rounds, with the demo agents' own forecasts in it.

Each round of `../shared/data/forecastbench/` is cut to every K-th question (`--every`, default 10: about 50
questions and 220 forecasts a round), forecast with the demo config (retrieval off) in one process (one engine, one
temporary Prefect server), and `calibrate` is run on the cut sets with each round's run: the rolling-origin table
(per round: 0.5, the naive forecaster, the learned-priors reference, the learned combination and the agents' mean,
each round judged by a fit on the earlier ones only) and the weights fitted on all of them. The figures are those of
the 135M demo model: they say whether the combiner keeps a weak model from hurting, not what a real model adds.
Run: `.venv/bin/python -m bench.learned_rounds [--every 10] [--rounds 9] [--data-dir DIR]`.
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
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="learned-rounds-"))
    os.environ["FORECASTER_DATA_DIR"] = str(data_dir)
    os.environ["FORECASTER_RETRIEVAL__ENABLED"] = "false"
    pairs = [(q, q.with_name(q.name.replace("-llm.json", "_resolution_set.json")))
             for q in sorted(ROUNDS_DIR.glob("*-llm.json"))][: args.rounds]
    cut_dir = data_dir / "sets"
    cut_dir.mkdir(parents=True, exist_ok=True)
    cuts = [cut_set(q, args.every, cut_dir) for q, _ in pairs]

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
    print(calibration(cuts, [r for _, r in pairs], runs))
    print(f"\nlearned rounds: {len(cuts)} rounds, every {args.every}th question, "
          f"{time.perf_counter() - start:.0f} s of forecasting; runs stored in {data_dir}")


def calibration(cuts: list[Path], resolutions: list[Path], runs: list[str]) -> str:
    from forecaster.events.store import ForecastStore
    from forecaster.learning.calibration import Options, calibrate, calibration_text
    from forecaster.learning.rounds import read_round, stored_run_members
    from forecaster.settings import load_settings

    with ForecastStore(load_settings().database_path) as store:
        members = [stored_run_members(store, run) for run in runs]
    rounds = [read_round(q, r, m) for q, r, m in zip(cuts, resolutions, members)]
    return calibration_text(calibrate(rounds, Options()))


if __name__ == "__main__":
    main()
