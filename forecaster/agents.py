"""An agent is a model plus a prompting style: question in, full 0..100 distribution out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from forecaster.llm.readout import DistributionReader
from forecaster.llm.scorer import TokenScorer
from forecaster.prompts import ContextPassage, check_style, forecast_prompt, reasoning_prompt
from forecaster.questions import Question
from forecaster.settings import AgentSpec, LogicSettings


@dataclass(frozen=True)
class AgentForecast:
    """One agent's answer to one question, with everything needed to audit it."""

    question_id: str
    agent: str
    model: str
    style: str
    weight: float
    distribution: tuple[float, ...]
    probability: float
    median: float
    mode: float
    entropy_bits: float
    mass: float
    low_mass: bool
    prompt: str
    reasoning: str | None = None
    passage_ids: tuple[str, ...] = field(default_factory=tuple)


class LogicWriter:
    """The optional reasoning model: writes bounded, sampled text that the forecasting agents read."""

    def __init__(self, scorer: TokenScorer, settings: LogicSettings) -> None:
        self.scorer = scorer
        self.settings = settings

    def reason(self, question: Question, today: dt.date, passages: Sequence[ContextPassage] = ()) -> str:
        prompt = reasoning_prompt(self.scorer.tokenizer, question, today, passages)
        ids = self.scorer.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        return self.scorer.generate(ids, self.settings.max_tokens, self.settings.temperature).strip()


class Agent:
    """Reads a forecast from the log-probabilities its model gives the numbers 0..100."""

    def __init__(self, spec: AgentSpec, reader: DistributionReader, mass_floor: float) -> None:
        check_style(spec.style)
        self.spec = spec
        self.reader = reader
        self.mass_floor = mass_floor

    def forecast(self, question: Question, today: dt.date, passages: Sequence[ContextPassage] = (),
                 reasoning: str | None = None) -> AgentForecast:
        """The agent's distribution for `question` as of `today`."""
        parts = forecast_prompt(self.reader.scorer.tokenizer, question, self.spec.style, today, passages, reasoning)
        readout = self.reader.read(parts)
        dist = readout.distribution
        return AgentForecast(
            question_id=question.id,
            agent=self.spec.name,
            model=self.spec.model,
            style=self.spec.style,
            weight=self.spec.weight,
            distribution=dist.probs,
            probability=dist.mean,
            median=dist.median,
            mode=dist.mode,
            entropy_bits=dist.entropy_bits,
            mass=readout.mass,
            low_mass=readout.mass < self.mass_floor,
            prompt=parts.text,
            reasoning=reasoning,
            passage_ids=tuple(getattr(p, "id", "") for p in passages),
        )
