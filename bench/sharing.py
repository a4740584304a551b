"""Shared prefill: what a question's context costs when several agents and horizons read it.

Three figures, each against a baseline measured in the same run:
  agents    the demo config's three agents on N questions (agents back to back on each chunk, as the flow runs
            them) over the first agent alone on the same questions: model work (Agent.forecast_many), each
            question with `--passages` context passages (default 5: about 800 prompt tokens, retrieval's size);
  horizons  N dataset questions of the round at all their resolution dates (eight) over the same questions at their
            first date only, one agent, the same context passages added;
  round     `forecaster forecast` on the whole ForecastBench question set (2025-10-26, 500 questions, 2,250
            forecasts) with the demo config, retrieval off, from a fresh command (engine start included), wall time.
Baseline and measured phase read the same questions: vLLM's prefix cache is emptied and a new logprob cache taken
before each, so neither phase is served from the other's work. `--round-limit N` times the first N forecasts of the
set only and extrapolates (engine start and first forecast as measured, the rest per forecast), saying so.
Targets (2-core CPU, demo model): agents <= 1.5, horizons <= 2.5, round <= 20 min.
Run: `.venv/bin/python -m bench.sharing [--questions 8] [--passages 5] [--round-limit N | --skip-round]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from forecaster.settings import PROJECT_ROOT

ROUND_FILE = PROJECT_ROOT.parent / "shared" / "data" / "forecastbench" / "2025-10-26-llm.json"
DAY = dt.date(2025, 10, 26)
PROGRESS_DONE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ forecaster\.progress: \d+ done")
TOPICS = ["a crewed Mars landing", "a new chess world champion", "US inflation below 2%", "a magnitude 8 quake in Japan",
          "fusion power on the grid", "a recession in Germany", "a new Pope", "Arsenal winning the league",
          "bitcoin above $200k", "an AI system winning IMO gold", "a total solar eclipse seen in Madrid"]


def passages(key: str, count: int) -> list[SimpleNamespace]:
    """Context passages of retrieval's size (~600 characters each), distinct per question."""
    sentence = f"Report on {key}: officials and analysts discussed the outlook, the schedule and the risks in detail. "
    return [SimpleNamespace(title=f"Source {key} {k}", text=sentence * 6) for k in range(count)]


def synthetic_questions(n: int) -> list:
    from forecaster.events.questions import Question

    return [Question(id=f"share-{i}", text=f"Will there be {TOPICS[i % len(TOPICS)]} by 2027-06-30? (case {i})",
                     resolution_date=dt.date(2027, 6, 30), background=f"Benchmark question {i}.")
            for i in range(n)]


def round_records(limit: int | None = None) -> list[dict]:
    """The set's forecasts as question records, in file order (a dataset question's horizons side by side);
    `limit`: the first of the market and of the dataset forecasts, in the set's proportion."""
    from forecaster.feeds.forecastbench import read_question_set

    chosen = read_question_set(ROUND_FILE).questions
    if limit is not None and limit < len(chosen):
        markets = [rq for rq in chosen if rq.is_market]
        take = round(limit * len(markets) / len(chosen))
        chosen = markets[:take] + [rq for rq in chosen if not rq.is_market][: limit - take]
    records = []
    for i, rq in enumerate(chosen):
        value = f"\n\nLatest value: {rq.freeze_text}." if rq.freeze_text and not rq.is_market else ""
        records.append({"id": f"fb-{rq.source}-{i}", "question": rq.text, "background": rq.background + value,
                        "resolution_criteria": rq.resolution_criteria,
                        "resolution_date": rq.resolution_date.isoformat() if rq.resolution_date else None,
                        "market_probability": rq.freeze_value if rq.is_market else None, "source": rq.source,
                        "external_id": rq.id})
    return records


def dataset_horizons(n: int) -> list[list]:
    """The first `n` dataset questions of the set, each as its list of horizons (one Question per date)."""
    from forecaster.events.questions import question_from_mapping

    by_question: dict[str, list] = {}
    for record in round_records():
        if record["market_probability"] is None and record["resolution_date"]:
            key = f"{record['source']}/{record['external_id']}"
            by_question.setdefault(key, []).append(question_from_mapping(record, record["id"]))
    return [h for h in by_question.values() if len(h) > 1][:n]


class Work:
    """Agents on one engine, each phase on an empty prefix cache and a new logprob cache."""

    def __init__(self, settings, n_passages: int) -> None:
        from forecaster.llm.pool import model_pool

        self.settings, self.n_passages = settings, n_passages
        self.scorer = model_pool().scorer(settings, settings.default_model)

    def agents(self, count: int) -> list:
        from forecaster.events.agents import Agent
        from forecaster.llm.logprob_cache import LogprobCache
        from forecaster.llm.readout import DistributionReader

        self.scorer.llm.reset_prefix_cache()
        r = self.settings.readout
        return [Agent(spec, DistributionReader(self.scorer, LogprobCache(1 << 20), r.end_marker,
                                               r.align_prompt_to_block), r.mass_floor)
                for spec in self.settings.agents[:count]]

    def time(self, agents: list, questions: list) -> float:
        """Model work of `agents` on `questions`, chunked as the flow chunks them, agents back to back."""
        size = self.settings.forecast.batch_size
        start = time.perf_counter()
        for i in range(0, len(questions), size):
            chunk = questions[i : i + size]
            # The same passages for every horizon of a question (keyed by its platform id), distinct otherwise.
            ctx = [passages(q.external_id or q.id, self.n_passages) for q in chunk]
            for agent in agents:
                results = agent.forecast_many(chunk, [DAY] * len(chunk), ctx, [None] * len(chunk))
                failed = [r for r in results if not hasattr(r, "distribution")]
                if failed:
                    raise SystemExit(f"{len(failed)} forecast(s) failed, first: {failed[0]}")
        return time.perf_counter() - start


def model_phases(settings, n: int, n_passages: int) -> tuple[float, float]:
    from forecaster.llm.pool import model_pool

    work = Work(settings, n_passages)
    work.time(work.agents(1), synthetic_questions(2)[1:])  # warm-up (eager mode), untimed
    qs = synthetic_questions(n)
    one = work.time(work.agents(1), qs)
    three = work.time(work.agents(3), qs)
    print(f"agents: 1 agent {one:6.2f} s, 3 agents {three:6.2f} s on {n} questions "
          f"({n_passages} passages each)", flush=True)
    horizons = dataset_horizons(n)
    first = [h[0] for h in horizons]
    every = [q for h in horizons for q in h]
    single = work.time(work.agents(1), first)
    eight = work.time(work.agents(1), every)
    print(f"horizons: {len(first)} dataset question(s) at one date {single:6.2f} s, at all {len(every)} dates "
          f"{eight:6.2f} s ({len(every) / len(first):.1f} per question)", flush=True)
    model_pool().release_all()
    return three / one, eight / single


def round_minutes(limit: int | None, tmp: Path) -> tuple[float, str]:
    """Wall time of a fresh `forecaster forecast` on the set (or its first `limit` forecasts, extrapolated)."""
    total = len(round_records())
    records = round_records(limit)
    questions_file = tmp / "round.jsonl"
    questions_file.write_text("".join(json.dumps(r) + "\n" for r in records))
    data_dir = tmp / "round-data"
    env = {**os.environ, "FORECASTER_DATA_DIR": str(data_dir), "FORECASTER_RETRIEVAL__ENABLED": "false"}
    command = [str(Path(sys.executable).parent / "forecaster"), "forecast", "--questions", str(questions_file),
               "--as-of", DAY.isoformat()]
    start = time.time()
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    wall = time.time() - start
    if done.returncode != 0:
        raise SystemExit(f"forecaster forecast exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    if len(records) == total:
        return wall / 60, f"the whole set, {total} forecasts, measured"
    first = _first_done(data_dir / "logs" / "forecaster.log") - start
    per_forecast = (wall - first) / max(len(records) - 1, 1)
    minutes = (first + per_forecast * (total - 1)) / 60
    return minutes, (f"EXTRAPOLATED from the first {len(records)} of {total} forecasts: {wall:.0f} s wall, "
                     f"{first:.0f} s to the first forecast, then {per_forecast:.2f} s per forecast")


def _first_done(log_file: Path) -> float:
    for line in log_file.read_text(errors="replace").splitlines():
        match = PROGRESS_DONE.match(line)
        if match:
            return dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    raise SystemExit(f"no forecast found in {log_file}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=8, help="questions of the agents and horizons phases")
    parser.add_argument("--passages", type=int, default=5, help="context passages per question")
    parser.add_argument("--round-limit", type=int, default=None,
                        help="time only the round's first N forecasts and extrapolate to the whole set")
    parser.add_argument("--skip-round", action="store_true", help="leave out the fresh command on the round")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-sharing-") as tmp:
        try:
            os.chdir(PROJECT_ROOT)  # the demo model's path in config/ is relative to the project root
            os.environ["FORECASTER_RETRIEVAL__ENABLED"] = "false"
            os.environ["FORECASTER_DATA_DIR"] = str(Path(tmp) / "data")
            from forecaster.runtime import prepare_environment
            from forecaster.settings import load_settings

            settings = load_settings()
            prepare_environment(settings)
            print(f"model {settings.default_model}, dtype {settings.vllm.dtype}, block {settings.vllm.block_size}, "
                  f"agents {', '.join(a.name for a in settings.agents)}, batch_size {settings.forecast.batch_size}",
                  flush=True)
            agents, horizons = model_phases(settings, args.questions, args.passages)
            os.environ.clear()
            os.environ.update(saved_env)
            minutes, how = (float("nan"), "skipped") if args.skip_round else round_minutes(args.round_limit, Path(tmp))
            print(f"round: {minutes:.1f} min ({how})", flush=True)
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
    print(f"load average (1 min) before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs: "
          "other work on this machine shares the cores, so single-run figures are noisy")
    print("targets: agents <= 1.5, horizons <= 2.5, round <= 20 min")
    print(f"sharing: agents 3/1 {agents:.2f}, horizons 8/1 {horizons:.2f}, round {minutes:.1f} min")


if __name__ == "__main__":
    main()
