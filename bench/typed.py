"""Typed read-out benchmark: what one agent's forecast of each question type costs, against one plain prefill.

Per question, each on prompts the engine has never seen (cold prefix cache): a one-token generate of the binary
prompt (the floor), the binary 0..100 read-out, the multiple-choice read-out (4 options), the numeric CDF (eight
thresholds sharing the question's prefix). Engine calls and next-token queries are counted; times are medians.
Run: `.venv/bin/python -m bench.typed [--questions 3] [--passages 5]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics

from bench.readout import passages, plain_prefill, question, timed
from forecaster.events.agents import Agent
from forecaster.events.prompts import forecast_prompt
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.pool import model_pool
from forecaster.llm.readout import DistributionReader
from forecaster.runtime import prepare_environment
from forecaster.settings import AgentSpec, load_settings


class Counting:
    """The scorer, counting engine calls and next-token queries."""

    def __init__(self, inner) -> None:
        self.inner, self.calls, self.queries = inner, 0, 0
        self.model_key, self.tokenizer, self.block_size = inner.model_key, inner.tokenizer, inner.block_size
        self.max_model_len = inner.max_model_len

    def next_token_logprobs(self, queries):
        self.calls += 1
        self.queries += len(queries)
        return self.inner.next_token_logprobs(queries)


def typed(base, kind: str):
    if kind == "multiple_choice":
        return dataclasses.replace(base, type=kind, options=("Much earlier", "On time", "A year late", "Never"))
    return dataclasses.replace(base, type=kind, range_min=1, range_max=1000, zero_point=0, open_upper_bound=True,
                               unit="units", outcome_count=200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--passages", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings()
    prepare_environment(settings)
    scorer = Counting(model_pool().scorer(settings, settings.default_model))
    reader = DistributionReader(scorer, LogprobCache(100_000), settings.readout.end_marker)
    agent = Agent(AgentSpec(name="bench", model=settings.default_model), reader, 0.0)
    today = dt.date(2026, 11, 23)
    agent.forecast(question(999), today, passages(999, args.passages))  # warm-up (eager mode)
    rows: dict[str, list[tuple[float, int, int]]] = {k: [] for k in ("prefill", "binary", "multiple_choice", "numeric")}
    for i in range(args.questions):
        base = 4 * i  # distinct questions per measurement: no timing reads another's cached blocks
        ids = reader.encode(forecast_prompt(scorer.tokenizer, question(base), "plain", today, passages(base, 5)))
        rows["prefill"].append((timed(lambda: plain_prefill(scorer.inner, ids)), 0, 0))
        for offset, kind in ((1, "binary"), (2, "multiple_choice"), (3, "numeric")):
            q = question(base + offset) if kind == "binary" else typed(question(base + offset), kind)
            calls, queries = scorer.calls, scorer.queries
            seconds = timed(lambda: agent.forecast(q, today, passages(base + offset, args.passages)))
            rows[kind].append((seconds, scorer.calls - calls, scorer.queries - queries))
    floor = statistics.median(r[0] for r in rows["prefill"])
    print(f"model {settings.default_model}, dtype {settings.vllm.dtype}, {args.passages} passages, "
          f"{args.questions} question(s), prompt ~{len(ids)} tokens")
    for kind, measured in rows.items():
        seconds = statistics.median(r[0] for r in measured)
        print(f"{kind:<16} {seconds:.3f} s  {seconds / floor:5.2f}x prefill  engine calls {measured[0][1]}  "
              f"next-token queries {measured[0][2]}")
    model_pool().release_all()


if __name__ == "__main__":
    main()
