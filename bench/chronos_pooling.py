"""Chronos-2 throughput: series/s through vLLM `/pooling` against the in-process pipeline, same batch, same run.

A random-weight checkpoint of the published size (~120M parameters; weights do not change the cost of a
forward pass). Timed runs alternate between the two sides, each after the server has gone idle (vLLM
busy-polls for about a CPU-second after each engine step). Target: ratio >= 0.9.
Run: `.venv/bin/python -m bench.chronos_pooling [--series 256 --length 512 --horizon 24 --repeats 5]`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from chronos2_vllm.checkpoint import build_random_checkpoint
from chronos2_vllm.serve import server_command, server_environment
from forecaster.settings import PROJECT_ROOT

CHECKPOINT = PROJECT_ROOT / "data" / "models" / "chronos-2-base-random"
SERVED_NAME = "chronos-2-base"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_cpu_seconds(pid: int) -> float:
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
    except psutil.Error:
        pass
    return total


def wait_idle(pid: int, max_cores: float = 0.1, window_s: float = 1.0, timeout_s: float = 30.0) -> None:
    """Wait until the server's process tree uses less than `max_cores` over a window."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = _tree_cpu_seconds(pid)
        time.sleep(window_s)
        if (_tree_cpu_seconds(pid) - before) / window_s < max_cores:
            return


def start_server(checkpoint: Path, cache: Path) -> tuple[subprocess.Popen, str, float]:
    """Start the server (all cores to the model); return process, base URL and seconds to /health."""
    port = _free_port()
    env = server_environment(cpu_threads_bind="all")
    env["VLLM_CACHE_ROOT"] = str(cache)
    argv = server_command(str(checkpoint), port=port, served_model_name=SERVED_NAME)
    started = time.monotonic()
    process = subprocess.Popen(
        argv, env=env, stdout=open(cache / "server.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    while process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url, time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"server exited:\n{(cache / 'server.log').read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    """Terminate the server's whole process group."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=256)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=5)
    return parser.parse_args()


def _pipeline() -> tuple[Path, object]:
    """The published-size random checkpoint and the in-process pipeline on it, on every core."""
    import torch
    from chronos import Chronos2Pipeline

    checkpoint = build_random_checkpoint(CHECKPOINT, size="base")
    pipeline = Chronos2Pipeline.from_pretrained(str(checkpoint), device_map="cpu", torch_dtype=torch.float32)
    torch.set_num_threads(os.cpu_count() or 1)
    return checkpoint, pipeline


def main() -> None:
    args = _arguments()

    checkpoint, pipeline = _pipeline()
    n_params = sum(p.numel() for p in pipeline.model.parameters())

    rng = np.random.default_rng(0)
    batch = 50 + np.cumsum(rng.normal(size=(args.series, args.length)), axis=-1)
    levels = [0.1, 0.5, 0.9]
    body = {
        "model": SERVED_NAME,
        "task": "plugin",
        "data": {
            "inputs": [{"target": row.tolist()} for row in batch],
            "parameters": {"prediction_length": args.horizon, "quantile_levels": levels, "batch_size": args.series},
        },
    }

    def in_process() -> list:
        return pipeline.predict_quantiles(
            [{"target": row} for row in batch], prediction_length=args.horizon, quantile_levels=levels,
            batch_size=args.series,
        )[1]

    with tempfile.TemporaryDirectory(prefix="bench-chronos-") as tmp:
        process, url, start_s = start_server(checkpoint, Path(tmp))
        try:
            http = httpx.Client(base_url=url, timeout=600)

            def served() -> list:
                response = http.post("/pooling", json=body)
                response.raise_for_status()
                return response.json()["data"]["predictions"]

            reference, answer = in_process(), served()  # warm-up, and the outputs must agree
            diff = max(float(np.max(np.abs(np.asarray(a["mean"]) - r.numpy()))) for a, r in zip(answer, reference))
            pipeline_s, server_s = [], []
            for _ in range(args.repeats):
                for run, times in ((in_process, pipeline_s), (served, server_s)):
                    wait_idle(process.pid)
                    started = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - started)
        finally:
            stop_server(process)

    _report(args, n_params, start_s, pipeline_s, server_s, diff)


def _report(args: argparse.Namespace, n_params: int, start_s: float, pipeline_s: list[float],
            server_s: list[float], diff: float) -> None:
    pipe_rate = args.series / statistics.median(pipeline_s)
    server_rate = args.series / statistics.median(server_s)
    paired = [p / s for p, s in zip(pipeline_s, server_s)]
    print(f"checkpoint: random Chronos-2, {n_params / 1e6:.1f}M parameters, float32, {os.cpu_count()} cores")
    print(f"batch: {args.series} series x {args.length} points, horizon {args.horizon}, {args.repeats} timed runs each")
    print(f"server start to /health: {start_s:.1f} s")
    print(f"in-process pipeline: {pipe_rate:.1f} series/s (median of {[round(t, 2) for t in pipeline_s]} s)")
    print(f"/pooling:            {server_rate:.1f} series/s (median of {[round(t, 2) for t in server_s]} s)")
    print(f"ratio /pooling / pipeline: {server_rate / pipe_rate:.2f} (ratio of medians)")
    # Other load on the machine shifts between runs; the back-to-back pairs see about the same load.
    print(f"paired ratios: {[round(r, 2) for r in paired]}, median {statistics.median(paired):.2f}")
    print(f"max abs diff of means: {diff:.2e}")
    print(f"target ratio >= 0.9: {'met' if server_rate / pipe_rate >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
