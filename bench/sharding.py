"""A sharded set of 12 questions in 3 shards, on one worker and on two, against a Prefect server on PostgreSQL.

    .venv/bin/python -m bench.sharding [--questions 12] [--shards 3] [--agents base-rates]

Prints the wall time of each, their ratio, and where the time went: the shards' own run times (each starts its
own engine) against the set's wall time. On a 2-core CPU machine two workers share the same cores: expect no
speed-up there; on GPU hosts each worker has its own device.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from forecaster.settings import PROJECT_ROOT
from tests.deployments.scale.cluster import WORKER_ENV, start_worker, stop_workers
from tests.deployments.servers import BIN, base_env
from tests.postgres import Postgres
from tests.processes import free_port, start, stop, wait_until


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--agents", nargs="+", default=["base-rates"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sharding-"))
    pg = Postgres().start()
    server = None
    try:
        server, env = _server(pg, work)
        _deploy(env)
        figures = {n: _run_set(env, work / f"workers-{n}", n, args) for n in (1, 2)}
    finally:
        if server is not None:
            stop(server)
        pg.stop()
    for n, (wall, shard_times) in figures.items():
        print(f"{n} worker(s): {args.questions} questions in {args.shards} shards: {wall:.0f} s wall; shard runs "
              + ", ".join(f"{t:.0f} s" for t in shard_times) + f" (sum {sum(shard_times):.0f} s)")
    print(f"two workers / one worker wall time: {figures[2][0] / figures[1][0]:.2f}x")


def _server(pg: Postgres, work: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    port = free_port()
    env = base_env(work / "server-home")
    env["PREFECT_API_DATABASE_CONNECTION_URL"] = pg.url()
    log = work / "server.log"
    proc = start([str(BIN / "forecaster"), "server", "--port", str(port), "--no-ui"], env, log)
    url = f"http://127.0.0.1:{port}/api"
    wait_until(lambda: httpx.get(f"{url}/health", timeout=5).status_code == 200, 300, "server", proc, log)
    client_env = base_env(work / "client-home")
    client_env["PREFECT_API_URL"] = url
    return proc, client_env


def _deploy(env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "forecaster"), "deploy", "--gpus", "2"], env=env, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=600)


def _run_set(env: dict[str, str], folder: Path, workers: int, args: argparse.Namespace) -> tuple[float, list]:
    """Wall time of the sharded command with `workers` workers, and each shard run's own duration."""
    folder.mkdir(parents=True)
    data = folder / "data"
    questions = folder / "questions.yaml"
    questions.write_text(yaml.safe_dump([{"id": f"w{workers}-{i:02d}", "question": f"Will event {i} happen "
                                          "before 2027-06-30?"} for i in range(args.questions)]))
    procs = [start_worker(env, data, folder / f"worker-{i}.log", "--limit", "1") for i in range(workers)]
    try:
        since = time.time()
        command = [str(BIN / "forecaster"), "forecast", "--questions", str(questions), "--shards",
                   str(args.shards), *[a for name in args.agents for a in ("--agent", name)]]
        subprocess.run(command, env={**env, **WORKER_ENV, "FORECASTER_DATA_DIR": str(data)}, cwd=PROJECT_ROOT,
                       check=True, capture_output=True, timeout=3600)
        wall = time.time() - since
    finally:
        stop_workers(*procs)
    return wall, _shard_times(env["PREFECT_API_URL"], since)


def _shard_times(url: str, since: float) -> list[float]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=["shard"])))
    return [r.total_run_time.total_seconds() for r in runs if r.created.timestamp() >= since]


if __name__ == "__main__":
    main()
