"""Server-mode benchmark: the 0..100 read-out over HTTP against one plain prefill on the same server.

Starts `python -m vllm.entrypoints.openai.api_server` for the default model with the [vllm] settings, then, per
question, on prompts the server has never seen (cold prefix cache):
  prefill   one /v1/completions request, max_tokens=1, on the prompt (the floor),
  readout   the full distribution by the trie read-out through HTTPScorer (two requests).
Ratios are medians over the questions; the in-process target (readout / prefill <= 2) applies here too.
Run: `.venv/bin/python -m bench.server_mode [--questions 5] [--port 8011]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import tempfile
import time

import httpx

from bench.readout import question, timed
from forecaster.llm.http_scorer import HTTPScorer, load_tokenizer
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.llm.server_command import server_args, server_env
from forecaster.events.prompts import forecast_prompt
from forecaster.runtime import prepare_environment
from forecaster.settings import ServerSettings, load_settings


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 1200) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise SystemExit(f"server not healthy after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()

    key = "bench-" + os.urandom(6).hex()
    base = load_settings()
    settings = load_settings(server={"base_url": f"http://127.0.0.1:{args.port}", "model": base.default_model,
                                     "api_key": key})
    prepare_environment(settings)
    log = tempfile.NamedTemporaryFile(prefix="vllm-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(server_args(settings, settings.default_model, "127.0.0.1", args.port),
                            env=server_env(settings), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = wait_healthy(settings.server.base_url, proc)
        server: ServerSettings = settings.server
        scorer = HTTPScorer(server, settings.default_model, load_tokenizer(settings, settings.default_model),
                            settings.vllm.block_size or 16)
        reader = DistributionReader(scorer, LogprobCache(4096), settings.readout.end_marker,
                                    settings.readout.align_prompt_to_block)
        today = dt.date(2026, 11, 23)
        reader.read(forecast_prompt(scorer.tokenizer, question(999), "plain", today))  # warm-up
        rows = []
        for i in range(args.questions):
            ids = reader.encode(forecast_prompt(scorer.tokenizer, question(2 * i), "plain", today))
            prefill = timed(lambda: scorer.generate(ids, max_tokens=1, temperature=0.0))
            readout = timed(lambda: reader.read(forecast_prompt(scorer.tokenizer, question(2 * i + 1), "plain",
                                                                today)))
            rows.append((len(ids), prefill, readout))
            print(f"q{i}: prompt {len(ids)} tokens  prefill {prefill:.3f}s  readout {readout:.3f}s", flush=True)
        prefill = statistics.median(r[1] for r in rows)
        readout = statistics.median(r[2] for r in rows)
        print(f"\nserver start to /health: {started:.0f} s; model {settings.default_model}, dtype "
              f"{settings.vllm.dtype}, block {scorer.block_size}, questions: {len(rows)}")
        print(f"median prefill over HTTP (one-token completion): {prefill:.3f} s")
        print(f"median full distribution over HTTP (trie read-out): {readout:.3f} s  -> "
              f"{readout / prefill:.2f}x prefill (target <= 2x)")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)


if __name__ == "__main__":
    main()
