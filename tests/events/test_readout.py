"""The 0..100 read-out on the real vLLM engine serving the demo model."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import torch

from forecaster.llm.candidates import CandidateTrie, candidate_sequences
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.prompts import forecast_prompt
from forecaster.questions import Question

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


def test_distribution_sums_to_one_over_0_to_100(reader):
    dist = reader.read(prompt(reader.scorer.tokenizer)).distribution
    assert len(dist.probs) == 101
    assert sum(dist.probs) == pytest.approx(1.0, abs=1e-9)
    assert all(p >= 0 for p in dist.probs)


def test_mean_is_expected_percentage_over_100(reader):
    dist = reader.read(prompt(reader.scorer.tokenizer)).distribution
    assert dist.mean == pytest.approx(sum(n * p for n, p in enumerate(dist.probs)) / 100)
    assert 0 <= dist.median <= 1 and 0 <= dist.mode <= 1


def test_logprobs_equal_a_transformers_forward_pass(reader, hf_model):
    """The read-out is wired to the model: same log-probabilities as a plain forward pass of the same ids."""
    parts = prompt(reader.scorer.tokenizer, "sceptic")
    readout = reader.read(parts)
    sequences = candidate_sequences(reader.scorer.tokenizer, parts.text, "%")
    for n in (0, 1, 10, 42, 100):
        ids = list(readout.prompt_ids) + list(sequences[n])
        with torch.no_grad():
            logits = hf_model(torch.tensor([ids])).logits[0]
        logprobs = torch.log_softmax(logits.double(), dim=-1)
        start = len(readout.prompt_ids)
        expected = sum(float(logprobs[start - 1 + i, tok]) for i, tok in enumerate(sequences[n]))
        assert readout.logprobs[n] == pytest.approx(expected, abs=2e-3), n


def test_one_does_not_absorb_ten_to_nineteen_or_hundred(reader):
    sequences = candidate_sequences(reader.scorer.tokenizer, prompt(reader.scorer.tokenizer).text, "%")
    end = sequences[1][-1]
    assert all(seq[-1] == end for seq in sequences.values())
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
