"""An agent is a model plus a prompting style: question in, full 0..100 distribution out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from forecaster.errors import ConfigError
from forecaster.events.fitting import FittedPrompt, fit_prompt
from forecaster.events.prompts import ContextPassage, check_style, forecast_prompt, reasoning_prompt
from forecaster.events.questions import Question
from forecaster.events.typed.fields import BINARY
from forecaster.events.typed.values import TypedValues
from forecaster.llm.pool import ModelPool
from forecaster.llm.readout import DistributionReader, Readout, ReadError, ReadFailure
from forecaster.llm.scorer import TokenScorer
from forecaster.settings import AgentSpec, LogicSettings, Settings


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
    # What was left out so the prompt fits the model's context (passages, then background).
    context_cut: tuple[str, ...] = field(default_factory=tuple)
    # A question that is not yes/no: the option vector or CDF (then `probability` and `distribution` summarise it).
    typed: TypedValues | None = None


@dataclass(frozen=True)
class ForecastFailure:
    """An agent could not forecast a question (its prompt cannot be scored): the question fails alone."""

    question_id: str
    agent: str
    reason: str


class LogicWriter:
    """The optional reasoning model: writes bounded, sampled text that the forecasting agents read."""

    def __init__(self, scorer: TokenScorer, settings: LogicSettings) -> None:
        self.scorer = scorer
        self.settings = settings

    def reason(self, question: Question, today: dt.date, passages: Sequence[ContextPassage] = ()) -> str:
        return self.reason_many([question], [today], [passages])[0]

    def reason_many(self, questions: Sequence[Question], days: Sequence[dt.date],
                    passages: Sequence[Sequence[ContextPassage]]) -> list[str]:
        """Reasoning for each question, written in one batch."""
        tok = self.scorer.tokenizer
        prompts = [tok(reasoning_prompt(tok, q, day, ps), add_special_tokens=False)["input_ids"]
                   for q, day, ps in zip(questions, days, passages)]
        texts = self.scorer.generate_many(prompts, self.settings.max_tokens, self.settings.temperature)
        return [text.strip() for text in texts]


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
        (result,) = self.forecast_many([question], [today], [passages], [reasoning])
        if isinstance(result, ForecastFailure):
            raise ReadError(result.reason)
        return result

    def forecast_many(self, questions: Sequence[Question], days: Sequence[dt.date],
                      passages: Sequence[Sequence[ContextPassage]], reasonings: Sequence[str | None],
                      ) -> list[AgentForecast | ForecastFailure]:
        """The agent's distribution for each question, read in one batch; a question that cannot be scored
        gives a `ForecastFailure` and the others are still forecast. Questions that are not yes/no are read by
        `forecaster.events.typed.reading`."""
        from forecaster.events.typed.reading import read_typed

        typed = [q.type != BINARY for q in questions]
        columns = (questions, days, passages, reasonings)
        plain = iter(self._forecast_binary(*([x for x, t in zip(c, typed) if not t] for c in columns)))
        other = iter(read_typed(self, *([x for x, t in zip(c, typed) if t] for c in columns)) if any(typed) else [])
        return [next(other) if t else next(plain) for t in typed]

    def _forecast_binary(self, questions: Sequence[Question], days: Sequence[dt.date],
                         passages: Sequence[Sequence[ContextPassage]], reasonings: Sequence[str | None],
                         ) -> list[AgentForecast | ForecastFailure]:
        if not questions:
            return []
        fitted = [self._fit(q, day, ps, why) for q, day, ps, why in zip(questions, days, passages, reasonings)]
        readouts = iter(self.reader.read_many([f.parts for f in fitted if f.parts is not None]))
        results: list[AgentForecast | ForecastFailure] = []
        for q, f, why in zip(questions, fitted, reasonings):
            readout = next(readouts) if f.parts is not None else ReadFailure(f.reason)
            results.append(ForecastFailure(q.id, self.spec.name, readout.reason) if isinstance(readout, ReadFailure)
                           else self._forecast(q, f, readout, why))
        return results

    def _fit(self, question: Question, day: dt.date, passages: Sequence[ContextPassage],
             reasoning: str | None) -> FittedPrompt:
        scorer = self.reader.scorer
        crowd = question.market_probability if self.spec.sees_crowd else None
        build = lambda q, ps: forecast_prompt(scorer.tokenizer, q, self.spec.style, day, ps, reasoning,  # noqa: E731
                                              crowd)
        return fit_prompt(build, lambda parts: len(self.reader.encode(parts)), self.reader.prompt_limit(),
                          question, passages)

    def _forecast(self, question: Question, fitted: FittedPrompt, readout: Readout,
                  reasoning: str | None) -> AgentForecast:
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
            prompt=fitted.parts.text,
            reasoning=reasoning,
            passage_ids=tuple(getattr(p, "id", "") for p in fitted.passages),
            context_cut=fitted.cut,
        )


def pool_agent(pool: ModelPool, settings: Settings, name: str) -> Agent:
    """The configured agent `name`, reading through the pool's model and its logprob cache."""
    spec = agent_spec(settings, name)
    return Agent(spec, pool.reader(settings, spec.model), settings.readout.mass_floor)


def pool_logic(pool: ModelPool, settings: Settings) -> LogicWriter | None:
    """The logic model's writer, when `[logic] model` is set."""
    if not settings.logic.model:
        return None
    return LogicWriter(pool.scorer(settings, settings.logic.model), settings.logic)


def agent_spec(settings: Settings, name: str) -> AgentSpec:
    """The configured agent called `name`."""
    for spec in settings.agents:
        if spec.name == name:
            return spec
    raise ConfigError(f"agents: unknown agent {name!r}; configured: {[a.name for a in settings.agents]}")


def select_agents(settings: Settings, names: Sequence[str] | None) -> list[AgentSpec]:
    """The configured agents, or the named subset (unknown names are an error)."""
    if not names:
        return list(settings.agents)
    return [agent_spec(settings, name) for name in names]


def group_by_model(specs: Sequence[AgentSpec]) -> dict[str, list[AgentSpec]]:
    """Agents per model, in first-seen order: each model is loaded once and released before the next."""
    groups: dict[str, list[AgentSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.model, []).append(spec)
    return groups


def first_model(settings: Settings, names: Sequence[str] | None) -> str | None:
    """The model a run of these agents loads first: the logic model's, else the first agent's."""
    if settings.logic.model:
        return settings.logic.model
    groups = group_by_model(select_agents(settings, names))
    return next(iter(groups), None)
