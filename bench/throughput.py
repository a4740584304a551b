"""Throughput: 30 questions x 3 agents, retrieval off; the flow against the bare domain, batched against one at a
time, and a fresh command's first forecast against the engine start alone. One run, real parts throughout.

Each phase reads its own question texts (generated, never repeated across phases), so neither the pool's logprob
cache nor vLLM's prefix cache serves one phase from another's prompts:
  one at a time   Agent.forecast per question and agent, on an engine already started and warmed,
  batched         Agent.forecast_many per agent (all its questions in one batch),
  flow            forecast_events end to end (tasks, ensemble, store, plots, artifacts) on a temporary Prefect
                  server as `forecaster forecast` runs it there (no heartbeats: forecaster.orchestration.local_runs),
                  engine and server already up and warmed by an untimed run on other questions,
  engine start    a fresh process that only starts the engine (ModelPool.scorer), timed as bench.engine_start does,
  fresh command   `forecaster forecast --questions FILE` in a new process with a new data dir: from its start to the
                  first forecast in its log (the first `forecaster.progress` "... done" record, i.e. the first
                  agent's pilot chunk of one question); the command is stopped there.
The fresh processes run after this process has released its engine, so nothing else of the benchmark competes.
Ratios: flow / batched, one at a time / batched, first forecast / engine start.
Targets (2-core CPU, demo model): flow/bare <= 1.10, batched speed-up >= 1.1, first-forecast/engine-start <= 1.25.
On a 2-core CPU a forecast of the demo model costs seconds, so the issue's 30 questions per phase run long;
`--questions N` runs fewer per phase; `--start-only` runs only the two fresh processes; `--repeat K` runs those two
K times, alternating, and takes their medians (a single engine start varies by +-10 s on this machine).
Run: `.venv/bin/python -m bench.throughput [--questions 30] [--start-only] [--repeat K]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from forecaster.settings import PROJECT_ROOT

DAY = dt.date(2026, 11, 23)
SUBJECTS = ["Germany", "Japan", "Brazil", "Canada", "India", "Nigeria", "Mexico", "Australia", "South Korea",
            "Indonesia", "Poland", "Kenya", "Argentina", "Norway", "Vietnam"]
EVENTS = ["hold a snap national election", "report annual inflation below 2%", "launch a crewed space mission",
          "ban the sale of new petrol cars", "raise its central bank's policy rate", "enter a technical recession",
          "open a new nuclear power plant", "sign a free-trade agreement with the EU", "host a G20 summit",
          "record its hottest month on record", "legalise recreational cannabis nationwide",
          "change its head of government"]
RESOLUTION_DATES = [dt.date(2027, 3, 31), dt.date(2027, 6, 30), dt.date(2027, 12, 31), dt.date(2028, 6, 30)]
PHASE_STRIDE = 100  # question texts per phase: phase k reads texts k*100 .. k*100+count-1 (6 phases, 720 texts)
PROGRESS_DONE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ forecaster\.progress: \d+ done")

# A fresh process that only starts the engine, as bench.engine_start times it.
ENGINE_PROBE = r"""
import json, time
from forecaster.llm.pool import model_pool
from forecaster.runtime import prepare_environment
from forecaster.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    prepare_environment(settings)
    t0 = time.perf_counter()
    model_pool().scorer(settings, settings.default_model)
    t1 = time.perf_counter()
    print("RESULT " + json.dumps({"start": t1 - t0, "ready_at": time.time()}), flush=True)
    model_pool().release_all()
"""


def records(phase: int, count: int) -> list[dict]:
    """`count` question records, distinct from every other phase's (each phase has its own slice of texts)."""
    if count > PHASE_STRIDE:
        raise SystemExit(f"at most {PHASE_STRIDE} questions per phase")
    out = []
    for i in range(count):
        j = phase * PHASE_STRIDE + i
        subject = SUBJECTS[j % len(SUBJECTS)]
        event = EVENTS[j // len(SUBJECTS) % len(EVENTS)]
        date = RESOLUTION_DATES[j // (len(SUBJECTS) * len(EVENTS)) % len(RESOLUTION_DATES)]
        out.append({"id": f"tp-{phase}-{i}", "question": f"Will {subject} {event} before {date:%B} {date.day}, "
                    f"{date.year}?", "resolution_date": date.isoformat()})
    if phase * PHASE_STRIDE + count > len(SUBJECTS) * len(EVENTS) * len(RESOLUTION_DATES):
        raise SystemExit(f"not enough distinct question texts for phase {phase}")
    return out


def questions(phase: int, count: int) -> list:
    from forecaster.events.questions import Question

    return [Question(id=r["id"], text=r["question"], resolution_date=dt.date.fromisoformat(r["resolution_date"]))
            for r in records(phase, count)]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def check_bare(results) -> None:
    from forecaster.events.agents import ForecastFailure

    failed = [r for r in results if isinstance(r, ForecastFailure)]
    if failed:
        raise SystemExit(f"{len(failed)} bare forecast(s) failed, first: {failed[0]}")


def check_flow(summaries: list[dict], count: int) -> None:
    failed = [s for s in summaries if s.get("ensemble") is None]
    if len(summaries) != count or failed:
        raise SystemExit(f"flow: {len(summaries)} result(s) for {count} question(s), {len(failed)} failed")


def in_process(settings, n: int, agents: list[str]) -> dict[str, float]:
    """One at a time, batched and the flow, all on this process's one engine."""
    from forecaster.llm.pool import model_pool

    pool = model_pool()
    try:  # an engine left at exit hangs it: interpreter exit joins the engine's process
        return _phases(pool, settings, n, agents)
    finally:
        pool.release_all()


def _phases(pool, settings, n: int, agents: list[str]) -> dict[str, float]:
    from prefect.testing.utilities import prefect_test_harness

    from flows.events import forecast_events
    from forecaster.events.agents import pool_agent
    from forecaster.orchestration.local_runs import without_heartbeats

    started, _ = timed(lambda: pool.scorer(settings, settings.default_model))
    team = {name: pool_agent(pool, settings, name) for name in agents}
    print(f"engine up in this process: {started:.1f} s (not a measured phase)", flush=True)

    warm = questions(0, 3)  # untimed: one forecast and one small batch (eager mode warms up here)
    first_agent = next(iter(team.values()))
    first_agent.forecast(warm[0], DAY)
    check_bare(first_agent.forecast_many(warm[1:], [DAY] * 2, [()] * 2, [None] * 2))

    qs = questions(1, n)
    one, _ = timed(lambda: [agent.forecast(q, DAY) for agent in team.values() for q in qs])
    print(f"bare, one at a time: {len(agents) * n} forecasts in {one:6.2f} s "
          f"({one / (len(agents) * n):.3f} s each)", flush=True)

    qs = questions(2, n)
    batched, results = timed(lambda: [r for agent in team.values()
                                      for r in agent.forecast_many(qs, [DAY] * n, [()] * n, [None] * n)])
    check_bare(results)
    print(f"bare, batched:       {len(agents) * n} forecasts in {batched:6.2f} s "
          f"({len(agents)} batches of {n})", flush=True)

    with prefect_test_harness(server_startup_timeout=180), without_heartbeats():
        warm_flow = records(3, 1)
        check_flow(forecast_events(questions=warm_flow, agents=agents, today=DAY), len(warm_flow))  # untimed
        flow, summaries = timed(lambda: forecast_events(questions=records(4, n), agents=agents, today=DAY))
        check_flow(summaries, n)
    print(f"flow end to end:     {len(agents) * n} forecasts in {flow:6.2f} s "
          f"(engine and temporary Prefect server already up; store, ensemble, plots, artifacts)", flush=True)
    return {"one": one, "batched": batched, "flow": flow}


def engine_start_alone(env: dict[str, str]) -> tuple[float, float]:
    """Engine start in a fresh process; also that process's start to engine up."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", ENGINE_PROBE], env=env, cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"engine probe exited {out.returncode}:\n{out.stderr[-3000:]}")
    result = json.loads(next(l for l in out.stdout.splitlines() if l.startswith("RESULT "))[len("RESULT "):])
    return result["start"], result["ready_at"] - t0


def first_forecast(env: dict[str, str], data_dir: Path, questions_file: Path) -> float:
    """A fresh `forecaster forecast` command: its start to the first forecast in its log. The command is stopped
    there (its process group, which holds its temporary Prefect server and engine core): the rest of its run is
    what the flow phase measures already."""
    command = [str(Path(sys.executable).parent / "forecaster"), "forecast", "--questions", str(questions_file),
               "--as-of", DAY.isoformat()]
    log_file = data_dir / "logs" / "forecaster.log"
    output = questions_file.with_name("command-output.txt")
    first = None
    with output.open("w") as sink:
        t0 = time.time()
        proc = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            while first is None and proc.poll() is None and time.time() - t0 < 900:
                time.sleep(0.2)
                first = _first_done(log_file)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(60)
    first = first or _first_done(log_file)
    if first is None or proc.returncode not in (0, -signal.SIGTERM, 128 + signal.SIGTERM):
        raise SystemExit(f"`{' '.join(command)}` exited {proc.returncode}, first forecast "
                         f"{'found' if first else 'not found'} in {log_file}:\n{output.read_text()[-3000:]}")
    return first - t0


def _first_done(log_file: Path) -> float | None:
    """The wall-clock time of the log's first progress "done" record (its own timestamp, not when it was seen)."""
    with contextlib.suppress(FileNotFoundError):
        for line in log_file.read_text(errors="replace").splitlines():
            match = PROGRESS_DONE.match(line)
            if match:
                return dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return None


def start_phases(fresh_env: dict[str, str], tmp: Path, n: int, repeat: int) -> tuple[float, float]:
    """Engine start alone and a fresh command's first forecast, alternated `repeat` times: their medians."""
    engines, firsts = [], []
    questions_file = tmp / "questions.jsonl"
    questions_file.write_text("".join(json.dumps(r) + "\n" for r in records(5, n)))
    for i in range(repeat):
        # Fresh data dirs each time: the first run of a new user, vLLM's model-info cache empty in both.
        engine, engine_ready = engine_start_alone({**fresh_env, "FORECASTER_DATA_DIR": str(tmp / f"probe-{i}")})
        print(f"engine start alone (fresh process): {engine:6.2f} s "
              f"(process start to engine up {engine_ready:.1f} s)", flush=True)
        command_dir = tmp / f"command-{i}"
        first = first_forecast({**fresh_env, "FORECASTER_DATA_DIR": str(command_dir)}, command_dir, questions_file)
        print(f"fresh command start -> first forecast: {first:6.2f} s (its pilot chunk: one question x one "
              f"agent; command stopped there)", flush=True)
        engines.append(engine)
        firsts.append(first)
    if repeat > 1:
        print(f"medians of {repeat}: engine start {statistics.median(engines):.2f} s, first forecast "
              f"{statistics.median(firsts):.2f} s", flush=True)
    return statistics.median(engines), statistics.median(firsts)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--start-only", action="store_true",
                        help="only the fresh processes: engine start alone and the command's first forecast")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the two fresh-process phases this many times, alternating; report their medians")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    n = args.questions

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        try:
            os.chdir(PROJECT_ROOT)  # the demo model's path in config/ is relative to the project root
            os.environ["FORECASTER_RETRIEVAL__ENABLED"] = "false"
            fresh_env = dict(os.environ)  # for the fresh processes: the caller's environment, retrieval off
            os.environ["FORECASTER_DATA_DIR"] = str(Path(tmp) / "data")

            from forecaster.logging_setup import configure_console
            from forecaster.runtime import prepare_environment
            from forecaster.settings import load_settings

            settings = load_settings()
            prepare_environment(settings)
            configure_console(settings)  # as the command does: records to the log file, warnings to the console
            agents = [a.name for a in settings.agents]
            print(f"model {settings.default_model}, dtype {settings.vllm.dtype}, agents {', '.join(agents)}, "
                  f"{n} questions per phase, retrieval off, batch_size {settings.forecast.batch_size}", flush=True)
            bare = None if args.start_only else in_process(settings, n, agents)

            engine, first = start_phases(fresh_env, Path(tmp), n, args.repeat)
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    print(f"load average (1 min) before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs: "
          f"other work on this machine shares the cores, so single-run figures are noisy")
    print(f"targets: flow/bare <= 1.10, batched speed-up >= 1.1, first-forecast/engine-start <= 1.25")
    if bare is None:
        print(f"throughput (start only): first-forecast/engine-start {first / engine:.2f}")
        return
    print(f"throughput: flow/bare {bare['flow'] / bare['batched']:.2f}, "
          f"batched speed-up {bare['one'] / bare['batched']:.2f}, "
          f"first-forecast/engine-start {first / engine:.2f}")


if __name__ == "__main__":
    main()
