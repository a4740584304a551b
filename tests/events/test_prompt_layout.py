"""The prompt layout shares: agents and horizons of a question begin with the same whole KV blocks (tokenizer
only, no engine)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pytest

from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader

DAY = dt.date(2025, 10, 26)
BLOCK = 32
QUESTION = Question(
    id="fb-fred-DAAA-2025-11-02",
    text="Will Moody's Seasoned Aaa Corporate Bond Yield have increased by 2025-11-02 as compared to its value "
         "on 2025-10-26?",
    resolution_date=dt.date(2025, 11, 2),
    resolution_criteria="Resolves to the value found at https://fred.stlouisfed.org/series/DAAA.",
    background="These instruments are based on bonds with maturities 20 years and above.",
)


@dataclass(frozen=True)
class Passage:
    title: str
    text: str


PASSAGES = [Passage(f"Source {k}", "Analysts discussed the bond market's outlook in detail. " * 8) for k in range(3)]


@dataclass
class TokenizerOnly:
    """What `DistributionReader.encode` needs of a scorer: the demo model's tokenizer and a block size."""

    tokenizer: object
    block_size: int = BLOCK
    model_key: str = "smollm2-135m"


@pytest.fixture(scope="module")
def reader():
    from transformers import AutoTokenizer

    from forecaster.llm.model_prep import ensure_model
    from forecaster.settings import load_settings

    tokenizer = AutoTokenizer.from_pretrained(ensure_model(load_settings().models["smollm2-135m"]))
    return DistributionReader(TokenizerOnly(tokenizer), LogprobCache(101))


def at_horizon(question: Question, when: dt.date) -> Question:
    old = question.resolution_date.isoformat()
    return dataclasses.replace(question, text=question.text.replace(old, when.isoformat()), resolution_date=when)


def common_blocks(a: list[int], b: list[int]) -> int:
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return same // BLOCK


def test_two_agents_share_every_block_of_the_question_and_its_context(reader):
    one = forecast_prompt(reader.scorer.tokenizer, QUESTION, "base_rate", DAY, PASSAGES)
    two = forecast_prompt(reader.scorer.tokenizer, QUESTION, "sceptic", DAY, PASSAGES)
    shared = reader.shared_length(one)
    assert shared == reader.shared_length(two) and shared >= 8 * BLOCK
    ids_one, ids_two = reader.encode(one), reader.encode(two)
    assert ids_one[:shared] == ids_two[:shared]
    assert common_blocks(ids_one, ids_two) == shared // BLOCK


def test_two_horizons_share_every_block_before_the_resolution_date(reader):
    near = forecast_prompt(reader.scorer.tokenizer, QUESTION, "plain", DAY, PASSAGES)
    far = forecast_prompt(reader.scorer.tokenizer, at_horizon(QUESTION, dt.date(2035, 10, 24)), "plain", DAY,
                          PASSAGES)
    assert "2035-10-24" not in far.shared + far.agent and "2035-10-24" in far.head
    assert (far.agent + far.head).endswith("Resolution date: 2035-10-24")
    assert "increased by the resolution date as compared to its value on 2025-10-26?" in far.shared
    shared = reader.shared_length(near)
    assert reader.encode(near)[:shared] == reader.encode(far)[:shared]


def test_one_agents_horizons_share_its_approach_and_each_pays_one_block_of_its_own(reader):
    near = forecast_prompt(reader.scorer.tokenizer, QUESTION, "sceptic", DAY, PASSAGES)
    far = forecast_prompt(reader.scorer.tokenizer, at_horizon(QUESTION, dt.date(2035, 10, 24)), "sceptic", DAY,
                          PASSAGES)
    ids_near, ids_far = reader.encode(near), reader.encode(far)
    agent = reader.agent_length(near)
    assert agent > reader.shared_length(near) and agent == reader.agent_length(far)
    assert common_blocks(ids_near, ids_far) == agent // BLOCK
    assert len(ids_near) - agent == len(ids_far) - agent == BLOCK


def test_the_shared_part_the_agents_part_and_the_whole_prompt_end_on_block_boundaries(reader):
    for style in ("plain", "pro_con"):
        parts = forecast_prompt(reader.scorer.tokenizer, QUESTION, style, DAY, PASSAGES[:1])
        assert reader.shared_length(parts) % BLOCK == 0
        assert reader.agent_length(parts) % BLOCK == 0
        assert len(reader.encode(parts)) % BLOCK == 0


def test_what_differs_comes_after_the_shared_part(reader):
    parts = forecast_prompt(reader.scorer.tokenizer, QUESTION, "sceptic", DAY, PASSAGES, crowd=0.42)
    assert "Be sceptical" not in parts.shared and "Be sceptical" in parts.agent
    assert "2025-11-02" not in parts.shared + parts.agent and "2025-11-02" in parts.head
    assert PASSAGES[0].text in parts.shared and "42%" in parts.shared
    assert parts.text.endswith("resolves YES is ")


def test_the_encoded_prompt_is_the_text_with_newlines_at_the_three_slots(reader):
    parts = forecast_prompt(reader.scorer.tokenizer, QUESTION, "plain", DAY, PASSAGES)
    ids = reader.encode(parts)
    text = reader.scorer.tokenizer.decode(ids)
    count = lambda text: len(reader.scorer.tokenizer(text, add_special_tokens=False)["input_ids"])  # noqa: E731
    first = reader.shared_length(parts) - count(parts.shared)
    second = reader.agent_length(parts) - reader.shared_length(parts) - count(parts.agent)
    third = len(text) - len(parts.text) - first - second
    assert all(0 <= pad < BLOCK for pad in (first, second, third))
    assert text == parts.shared + "\n" * (first + second) + parts.agent + parts.head + "\n" * third + parts.tail
