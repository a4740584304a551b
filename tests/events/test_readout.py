"""The 0..100 read-out on the real vLLM engine serving the demo model."""

from __future__ import annotations

import copy
import datetime as dt
import math

import pytest
import torch

from forecaster.llm.candidates import CandidateTrie, candidate_sequences
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question

pytestmark = pytest.mark.slow

QUESTION = Question(
    id="q-test",
    text="Will the average global temperature in 2024 exceed 2023?",
    background="2023 is trending to be the hottest year on record.",
    resolution_date=dt.date(2025, 1, 10),
)
TODAY = dt.date(2024, 7, 21)


class CountingScorer:
    """The real scorer, counting how many next-token queries reach the engine."""

    def __init__(self, inner) -> None:
        self.inner, self.queries = inner, 0
        self.model_key, self.tokenizer, self.block_size = inner.model_key, inner.tokenizer, inner.block_size

    def next_token_logprobs(self, queries):
        self.queries += len(queries)
        return self.inner.next_token_logprobs(queries)

    def generate(self, prompt_ids, max_tokens, temperature):
        return self.inner.generate(prompt_ids, max_tokens, temperature)


@pytest.fixture
def reader(scorer):
    return DistributionReader(CountingScorer(scorer), LogprobCache(1000))


@pytest.fixture(scope="module")
def hf_model(engine_settings):
    from transformers import AutoModelForCausalLM

    path = engine_settings.models["smollm2-135m"].path
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()


def prompt(tokenizer, style="plain"):
    return forecast_prompt(tokenizer, QUESTION, style, TODAY)


def forward_pass_logprobs(hf_model, prompt_ids, sequences) -> list[float]:
    """log P(answer n | prompt) for n = 0..100 from transformers: the prompt once, then each answer on a copy of its
    KV cache, token by token, with no code of the read-out involved."""
    with torch.no_grad():
        out = hf_model(torch.tensor([list(prompt_ids)]), use_cache=True)
        first = torch.log_softmax(out.logits[0, -1].double(), dim=-1)
        result = []
        for n in range(101):
            cache, step, total = copy.deepcopy(out.past_key_values), first, 0.0
            for i, tok in enumerate(sequences[n]):
                total += float(step[tok])
                if i + 1 < len(sequences[n]):
                    nxt = hf_model(torch.tensor([[tok]]), past_key_values=cache, use_cache=True)
                    cache, step = nxt.past_key_values, torch.log_softmax(nxt.logits[0, -1].double(), dim=-1)
            result.append(total)
    return result


@pytest.fixture(scope="module")
def sceptic_readout(scorer, hf_model):
    """The engine's read-out of one prompt beside transformers' log-probabilities of every full answer."""
    reader = DistributionReader(scorer, LogprobCache(1000))
    parts = prompt(scorer.tokenizer, "sceptic")
    readout = reader.read(parts)
    sequences = candidate_sequences(scorer.tokenizer, parts.text, "%")
    return readout, forward_pass_logprobs(hf_model, readout.prompt_ids, sequences)


@pytest.fixture(scope="module")
def second_agent_readout(scorer, hf_model):
    """A second agent's prompt read right after a first agent's on the same question: its shared blocks come from
    vLLM's prefix cache, written by the first; beside transformers on the same ids, computed from scratch."""
    reader = DistributionReader(scorer, LogprobCache(1000))
    first, second = prompt(scorer.tokenizer, "base_rate"), prompt(scorer.tokenizer, "pro_con")
    assert first.shared == second.shared and reader.shared_length(first) >= scorer.block_size
    reader.read(first)
    readout = reader.read(second)
    sequences = candidate_sequences(scorer.tokenizer, second.text, "%")
    return readout, forward_pass_logprobs(hf_model, readout.prompt_ids, sequences)


def test_a_second_agent_reading_the_shared_blocks_from_cache_equals_a_forward_pass(second_agent_readout):
    readout, expected = second_agent_readout
    for n in range(101):
        assert readout.logprobs[n] == pytest.approx(expected[n], abs=2e-3), n


def test_logprobs_of_every_answer_equal_a_transformers_forward_pass(sceptic_readout):
    """The read-out is wired to the model: same log-probabilities as a plain forward pass of the same ids."""
    readout, expected = sceptic_readout
    assert len(readout.logprobs) == 101
    for n in range(101):
        assert readout.logprobs[n] == pytest.approx(expected[n], abs=2e-3), n


def test_distribution_and_probability_follow_the_forward_pass(sceptic_readout):
    readout, expected = sceptic_readout
    weights = [math.exp(lp - max(expected)) for lp in expected]
    probs = [w / sum(weights) for w in weights]
    dist = readout.distribution
    assert max(abs(a - b) for a, b in zip(dist.probs, probs)) < 1e-3
    assert dist.mean == pytest.approx(sum(n * p for n, p in enumerate(probs)) / 100, abs=1e-3)
    assert dist.mode == max(range(101), key=probs.__getitem__) / 100


def test_one_does_not_absorb_ten_to_nineteen_or_hundred(reader):
    tokenizer = reader.scorer.tokenizer
    sequences = candidate_sequences(tokenizer, prompt(tokenizer).text, "%")
    assert sequences[1][-1] == sequences[10][-1] == tokenizer.convert_tokens_to_ids("%")
    for n, seq in sequences.items():
        others = [m for m, other in sequences.items() if m != n and other[: len(seq)] == seq]
        assert others == [], f"{n} is a prefix of {others}"


def test_prompt_is_padded_to_whole_kv_blocks(reader):
    readout = reader.read(prompt(reader.scorer.tokenizer, "pro_con"))
    assert len(readout.prompt_ids) % reader.scorer.block_size == 0


def test_whole_distribution_costs_one_query_per_trie_node(reader):
    parts = prompt(reader.scorer.tokenizer, "base_rate")
    reader.read(parts)
    trie = CandidateTrie(candidate_sequences(reader.scorer.tokenizer, parts.text, "%"))
    assert reader.scorer.queries == len(trie.internal_nodes(range(101)))


def test_repeated_question_hits_the_cache(reader):
    parts = prompt(reader.scorer.tokenizer)
    first = reader.read(parts)
    asked = reader.scorer.queries
    second = reader.read(parts)
    assert second.cache_hits == 101
    assert reader.scorer.queries == asked  # nothing reached the engine
    assert second.logprobs == first.logprobs


def test_raw_mass_on_numbers_is_reported(reader):
    readout = reader.read(prompt(reader.scorer.tokenizer))
    assert readout.mass == pytest.approx(sum(math.exp(lp) for lp in readout.logprobs))
    assert 0 < readout.mass <= 1
