"""Fitting a prompt to the context: passages go lowest-ranked first, then the background is shortened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from forecaster.events.fitting import fit_prompt
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question

DAY = dt.date(2026, 11, 23)
SENTENCE = "The committee reviewed the launch schedule again. "


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from forecaster.llm.model_prep import ensure_model
    from forecaster.settings import load_settings

    return AutoTokenizer.from_pretrained(ensure_model(load_settings().models["smollm2-135m"]))


@pytest.fixture
def fit(tokenizer):
    def build(question, passages):
        return forecast_prompt(tokenizer, question, "plain", DAY, passages)

    def length(parts):
        return len(tokenizer(parts.text, add_special_tokens=False)["input_ids"])

    return lambda limit, question, passages: (fit_prompt(build, length, limit, question, passages), length)


def passages(n: int) -> list[Passage]:
    return [Passage(f"p{i}", f"Passage {i}", SENTENCE * 20) for i in range(n)]


def test_a_prompt_that_fits_is_left_whole(fit):
    question = Question("q", "Will the launch happen by 2027-06-30?", background="It slipped twice.")
    fitted, _ = fit(10_000, question, passages(3))
    assert fitted.cut == () and [p.id for p in fitted.passages] == ["p0", "p1", "p2"]


def test_the_lowest_ranked_passages_go_first(fit):
    question = Question("q", "Will the launch happen by 2027-06-30?")
    whole, length = fit(None, question, passages(3))
    fitted, _ = fit(length(whole.parts) - 10, question, passages(3))
    assert [p.id for p in fitted.passages] == ["p0", "p1"]
    assert fitted.cut == ("passage p2",)
    assert length(fitted.parts) <= length(whole.parts) - 10


def test_then_the_background_is_shortened_to_the_longest_part_that_fits(fit):
    question = Question("q", "Will the launch happen by 2027-06-30?", background=SENTENCE * 40)
    bare, length = fit(None, Question("q", question.text), [])
    limit = length(bare.parts) + 100
    fitted, _ = fit(limit, question, passages(2))
    assert fitted.cut[:2] == ("passage p1", "passage p0")
    kept = int(fitted.cut[2].split(" to ")[1].split()[0])
    assert 0 < kept < len(question.background)
    assert length(fitted.parts) <= limit
    longer, _ = fit(None, Question("q", question.text, background=question.background[: kept + 40]), [])
    assert length(longer.parts) > limit  # the longest that fits, not just one that does


def test_a_question_whose_own_text_cannot_fit_fails_with_its_size(fit):
    question = Question("q", SENTENCE * 100 + "Will it happen?")
    fitted, _ = fit(200, question, passages(1))
    assert fitted.parts is None
    assert "the question alone takes" in fitted.reason and "holds 200" in fitted.reason
