"""The typed read-outs on the real vLLM engine serving the demo model: option probabilities equal the normalised
probabilities of the option labels from a transformers forward pass of the same prompt; a numeric forecast's cost
in engine calls."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import torch

from forecaster.events.agents import Agent
from forecaster.events.questions import Question
from forecaster.events.typed.prompts import choice_prompt
from forecaster.llm.choice_readout import ChoiceReader, label_sequences
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.settings import AgentSpec
from tests.events.test_readout import CountingScorer, hf_model  # noqa: F401  (a module fixture, shared)

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 12, 1)
CHOICE = Question("mc-1", "Which party will win the most seats in the 2027 election?", dt.date(2027, 6, 30),
                  background="Polls put Red and Blue close.", type="multiple_choice",
                  options=("Red", "Blue", "Green", "Yellow"))
NUMERIC = Question("num-1", "How many orbital launches will there be in 2027?", dt.date(2028, 1, 15),
                   type="numeric", range_min=100, range_max=400, open_upper_bound=True, unit="launches",
                   outcome_count=200)
LABELS = [" A", " B", " C", " D"]


def forward_pass_label_logprobs(hf_model, prompt_ids, sequences) -> list[float]:
    """log P(label tokens | prompt) from transformers, each label on the whole prompt, nothing of the read-out."""
    result = []
    with torch.no_grad():
        for index in range(len(sequences)):
            ids = list(prompt_ids) + list(sequences[index])
            logits = hf_model(torch.tensor([ids])).logits[0].double()
            steps = torch.log_softmax(logits, dim=-1)
            start = len(prompt_ids) - 1
            result.append(sum(float(steps[start + d, tok]) for d, tok in enumerate(sequences[index])))
    return result


def test_option_probabilities_equal_the_normalised_label_probabilities_of_a_forward_pass(scorer, hf_model):
    counting = CountingScorer(scorer)
    parts = choice_prompt(scorer.tokenizer, CHOICE, "sceptic", TODAY)
    [readout] = ChoiceReader(DistributionReader(counting, LogprobCache(1000))).read_many([parts], [LABELS])
    expected = forward_pass_label_logprobs(hf_model, readout.prompt_ids,
                                           label_sequences(scorer.tokenizer, parts.text, LABELS))
    top = max(expected)
    normalised = [math.exp(lp - top) / sum(math.exp(e - top) for e in expected) for lp in expected]
    assert readout.logprobs == pytest.approx(expected, abs=2e-3)
    assert readout.probabilities == pytest.approx(normalised, abs=1e-3)
    assert counting.queries == 1  # single-token labels: the prompt's one prefill reads every option


def test_a_numeric_forecast_is_a_full_cdf_from_eight_reads_in_four_engine_calls(scorer):
    counting = CallCounter(scorer)
    agent = Agent(AgentSpec(name="a", model="smollm2-135m", style="plain"),
                  DistributionReader(counting, LogprobCache(5000)), 0.0)
    forecast = agent.forecast(NUMERIC, TODAY)
    cdf = forecast.typed.values
    assert len(cdf) == 201 and cdf[0] == 0.0 and 0.001 <= cdf[-1] <= 0.999
    assert all(b > a for a, b in zip(cdf, cdf[1:]))
    print(f"numeric forecast: {counting.calls} engine calls, {counting.queries} next-token queries")
    assert counting.calls == 4  # first thresholds' roots and branches, then the other seven's roots and branches


class CallCounter(CountingScorer):
    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.calls = 0
        self.max_model_len = getattr(inner, "max_model_len", None)

    def next_token_logprobs(self, queries):
        self.calls += 1
        return super().next_token_logprobs(queries)
