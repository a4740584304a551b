"""Read-out benchmark: a full 0..100 distribution against one plain prefill of the same prompt.

Three timings per question, each on a prompt the engine has never seen (cold prefix cache):
  prefill   one-token generate of the prompt (the floor: one pass over the prompt),
  readout   the full distribution by the trie read-out (forecaster.llm.readout),
  simple    the 101 candidates scored with `prompt_logprobs`, vLLM defaults (the simple way).
Ratios are medians over the questions. Target: readout / prefill <= 2.
Prompts carry `--passages` context passages (default 5, as retrieval gives; 0 for a bare ~160-token prompt).
Run: `.venv/bin/python -m bench.readout [--questions 5] [--passages 5] [--no-align]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from types import SimpleNamespace

from forecaster.llm.candidates import candidate_sequences
from forecaster.llm.engine_options import resolved_dtype
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question
from forecaster.runtime import prepare_environment
from forecaster.settings import load_settings
from forecaster.llm.pool import model_pool

TOPICS = ["a crewed Mars landing", "a new chess world champion", "US inflation below 2%", "a magnitude 8 quake in Japan",
          "fusion power on the grid", "a recession in Germany", "a new Pope", "Arsenal winning the league",
          "bitcoin above $200k", "an AI system winning IMO gold", "a total solar eclipse seen in Madrid"]


def question(i: int) -> Question:
    return Question(id=f"bench-{i}", text=f"Will there be {TOPICS[i % len(TOPICS)]} by 2027-06-30? (case {i})",
                    resolution_date=dt.date(2027, 6, 30), background="Benchmark question. " * (i % 3))


def passages(i: int, count: int) -> list[SimpleNamespace]:
    """Context passages of retrieval's size (~600 characters each), distinct per question."""
    sentence = f"Report {i}: officials and analysts discussed the outlook, the schedule and the risks in detail. "
    return [SimpleNamespace(title=f"Source {i}.{k}", text=sentence * 6) for k in range(count)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plain_prefill(scorer, ids: list[int]) -> None:
    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt

    scorer.llm.generate([TokensPrompt(prompt_token_ids=ids)], SamplingParams(max_tokens=1, temperature=0),
                        use_tqdm=False)


def simple_way(scorer, ids: list[int], sequences: dict[int, tuple[int, ...]]) -> None:
    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt

    prompts = [TokensPrompt(prompt_token_ids=ids + list(seq)) for seq in sequences.values()]
    scorer.llm.generate(prompts, SamplingParams(max_tokens=1, prompt_logprobs=0, temperature=0), use_tqdm=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--passages", type=int, default=5)
    parser.add_argument("--no-align", action="store_true", help="do not pad prompts to whole KV blocks")
    parser.add_argument("--skip-simple", action="store_true", help="skip the slow simple way")
    args = parser.parse_args()

    settings = load_settings()
    prepare_environment(settings)
    scorer = model_pool().scorer(settings, settings.default_model)
    reader = DistributionReader(scorer, LogprobCache(4096), settings.readout.end_marker, not args.no_align)
    today = dt.date(2026, 11, 23)

    def prompt(k: int):
        return forecast_prompt(scorer.tokenizer, question(k), "plain", today, passages(k, args.passages))

    reader.read(prompt(999))  # warm-up (eager mode)

    rows = []
    for i in range(args.questions):
        # Distinct prompts per measurement so no timing reads another's cached blocks.
        base = 3 * i
        ids_prefill = reader.encode(prompt(base))
        prefill = timed(lambda: plain_prefill(scorer, ids_prefill))
        readout = timed(lambda: reader.read(prompt(base + 1)))
        simple = float("nan")
        if not args.skip_simple:
            parts = prompt(base + 2)
            ids = reader.encode(parts)
            seqs = candidate_sequences(scorer.tokenizer, parts.text, settings.readout.end_marker)
            simple = timed(lambda: simple_way(scorer, ids, seqs))
        rows.append((len(ids_prefill), prefill, readout, simple))
        print(f"q{i}: prompt {rows[-1][0]} tokens  prefill {prefill:.3f}s  readout {readout:.3f}s  "
              f"simple {simple:.2f}s", flush=True)

    med = {name: statistics.median(r[k] for r in rows) for k, name in ((1, "prefill"), (2, "readout"), (3, "simple"))}
    print(f"\nmodel {settings.default_model}, dtype {resolved_dtype(settings.vllm.dtype)}, block {scorer.block_size}, "
          f"aligned prompts: {not args.no_align}, questions: {len(rows)}")
    print(f"median prefill (one-token generate): {med['prefill']:.3f} s")
    print(f"median full distribution (trie read-out): {med['readout']:.3f} s  -> {med['readout'] / med['prefill']:.2f}x prefill (target <= 2x)")
    if not args.skip_simple:
        print(f"median 101 candidates with prompt_logprobs: {med['simple']:.2f} s  -> {med['simple'] / med['prefill']:.1f}x prefill")
        print(f"read-out speed-up over the simple way: {med['simple'] / med['readout']:.1f}x")
    model_pool().release_all()


if __name__ == "__main__":
    main()
