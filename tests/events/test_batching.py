"""Batched read-out: a chunk's prompts go to the engine together and read what one-at-a-time reads."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.events.agents import ForecastFailure, pool_agent
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader, ReadFailure
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import Question

pytestmark = pytest.mark.slow

DAY = dt.date(2026, 11, 23)
QUESTIONS = [
    Question("b-1", "Will a crewed spacecraft land on Mars by 2027-06-30?", dt.date(2027, 6, 30)),
    Question("b-2", "Will it rain in London on 2027-01-01?", dt.date(2027, 1, 1),
             background="London sees rain on about a third of its days."),
    Question("b-3", "Will the Thames freeze over by 2027-03-01?", dt.date(2027, 3, 1)),
]


def fresh_reader(scorer) -> DistributionReader:
    return DistributionReader(scorer, LogprobCache(4096))


def prompts(scorer, questions):
    return [forecast_prompt(scorer.tokenizer, q, "plain", DAY, (), None) for q in questions]


def over_long(scorer) -> Question:
    words = " ".join(["The committee reviewed the launch schedule again."] * (scorer.max_model_len // 4))
    # The text names no date: the prompt states a question's own resolution date as "the resolution date".
    return Question("b-long", "Will the launch happen on schedule?", dt.date(2027, 6, 30), background=words)


def test_a_batch_reads_the_same_distributions_as_one_at_a_time(scorer):
    parts = prompts(scorer, QUESTIONS)
    batched = fresh_reader(scorer).read_many(parts)
    single = [fresh_reader(scorer).read(p) for p in parts]
    for b, s in zip(batched, single):
        assert b.prompt_ids == s.prompt_ids
        assert max(abs(x - y) for x, y in zip(b.distribution.probs, s.distribution.probs)) <= 1e-5
        # Raw log-probabilities (sums over an answer's tokens) agree to float32 batching noise.
        assert b.logprobs == pytest.approx(s.logprobs, rel=1e-5)


def test_a_batch_still_consults_the_cache_per_prompt(scorer):
    reader = fresh_reader(scorer)
    reader.read(prompts(scorer, QUESTIONS[:1])[0])
    first, second = reader.read_many(prompts(scorer, QUESTIONS[:2]))
    assert (first.cache_hits, second.cache_hits) == (101, 0)


def test_a_prompt_longer_than_the_context_fails_alone_and_the_batch_goes_on(scorer):
    parts = prompts(scorer, [QUESTIONS[0], over_long(scorer), QUESTIONS[1]])
    first, failure, last = fresh_reader(scorer).read_many(parts)
    assert isinstance(failure, ReadFailure)
    assert f"context of {scorer.max_model_len} tokens" in failure.reason
    assert not isinstance(first, ReadFailure) and not isinstance(last, ReadFailure)


def test_an_agent_reports_the_question_whose_own_text_cannot_fit(pool, engine_settings):
    agent = pool_agent(pool, engine_settings, engine_settings.agents[0].name)
    long_text = over_long(agent.reader.scorer)
    questions = [QUESTIONS[0], Question("b-long", long_text.background + " Will it happen?")]
    forecast, failure = agent.forecast_many(questions, [DAY, DAY], [(), ()], [None, None])
    assert forecast.question_id == "b-1" and 0 <= forecast.probability <= 1
    assert isinstance(failure, ForecastFailure)
    assert (failure.question_id, failure.agent) == ("b-long", agent.spec.name)
    assert "the question alone takes" in failure.reason


def test_an_agent_shortens_a_background_too_long_for_the_context_and_records_it(pool, engine_settings):
    agent = pool_agent(pool, engine_settings, engine_settings.agents[0].name)
    question = over_long(agent.reader.scorer)
    (forecast,) = agent.forecast_many([question], [DAY], [()], [None])
    (cut,) = forecast.context_cut
    assert cut.startswith(f"background shortened from {len(question.background)} to ")
    assert question.text in forecast.prompt
