"""Engine start-up: eager against compiled (torch.compile + CUDA/CPU graphs), to a first distribution.

Each mode runs in a fresh process (as the CLI and the tests do), timing engine construction and then the first
full 0..100 distribution (where eager mode pays its warm-up). The faster total is the right CPU default.
Run: `.venv/bin/python -m bench.engine_start`.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import datetime as dt, json, os, sys, time
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question
from forecaster.runtime import prepare_environment
from forecaster.settings import load_settings
from forecaster.llm.pool import model_pool

if __name__ == "__main__":
    settings = load_settings(vllm={"enforce_eager": sys.argv[1] == "eager"})
    prepare_environment(settings)
    t0 = time.perf_counter()
    scorer = model_pool().scorer(settings, settings.default_model)
    t1 = time.perf_counter()
    reader = DistributionReader(scorer, LogprobCache(4096), settings.readout.end_marker)
    q = Question(id="b", text="Will a crewed spacecraft land on Mars by 2027-06-30?")
    reader.read(forecast_prompt(scorer.tokenizer, q, "plain", dt.date(2026, 11, 23)))
    t2 = time.perf_counter()
    reader.read(forecast_prompt(scorer.tokenizer, q, "sceptic", dt.date(2026, 11, 23)))
    t3 = time.perf_counter()
    print("RESULT " + json.dumps({"start": t1 - t0, "first": t2 - t1, "second": t3 - t2}), flush=True)
    model_pool().release_all()
"""


def measure(mode: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    line = next(l for l in out.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main() -> None:
    results = {mode: measure(mode) for mode in ("eager", "compiled")}
    for mode, r in results.items():
        total = r["start"] + r["first"]
        print(f"{mode:>8}: engine start {r['start']:6.1f} s, first distribution {r['first']:6.2f} s, "
              f"to first answer {total:6.1f} s, next distribution {r['second']:.2f} s")
    eager, compiled = (results[m]["start"] + results[m]["first"] for m in ("eager", "compiled"))
    print(f"compiled / eager time to first answer: {compiled / eager:.2f}x "
          f"-> default enforce_eager = {str(eager <= compiled).lower()}")


if __name__ == "__main__":
    main()
