"""An agent's forecast of questions that are not yes/no, read from log-probabilities (never sampled text).

Multiple choice: one prompt, the option labels' probabilities (`forecaster.llm.choice_readout`). Numeric, discrete,
date: eight prompts per question, one per ladder threshold, each read with the 0..100 read-out as
P(outcome <= threshold); they share the question's prefix, which the first read writes to vLLM's prefix cache: a
chunk's first thresholds go to the engine first, the other seven after, so the question is prefilled once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, Sequence

from forecaster.events.fitting import FittedPrompt, fit_prompt
from forecaster.events.questions import Question
from forecaster.events.typed.cdf import cdf_from_ladder, cdf_quantile
from forecaster.events.typed.choice import labels
from forecaster.events.typed.fields import MULTIPLE_CHOICE
from forecaster.events.typed.ladder import ladder_positions
from forecaster.events.typed.prompts import choice_prompt, threshold_prompt
from forecaster.events.typed.scale import Scale
from forecaster.events.typed.values import CDF, CHOICE, TypedValues
from forecaster.llm.choice_readout import ChoiceReader, ChoiceReadout
from forecaster.llm.readout import PromptParts, ReadFailure, Readout

if TYPE_CHECKING:
    from forecaster.events.agents import Agent, AgentForecast, ForecastFailure


def read_typed(agent: "Agent", questions: Sequence[Question], days: Sequence[dt.date],
               passages: Sequence[Sequence[Any]], reasonings: Sequence[str | None],
               ) -> list["AgentForecast | ForecastFailure"]:
    """The agent's forecast of each question (all of them typed), in order; one that cannot be read fails alone."""
    results: list[Any] = [None] * len(questions)
    choice = [i for i, q in enumerate(questions) if q.type == MULTIPLE_CHOICE]
    ladder = [i for i, q in enumerate(questions) if q.type != MULTIPLE_CHOICE]
    for i, result in zip(choice, _read_choices(agent, *_pick(choice, questions, days, passages, reasonings))):
        results[i] = result
    for i, result in zip(ladder, _read_ladders(agent, *_pick(ladder, questions, days, passages, reasonings))):
        results[i] = result
    return results


def _pick(indices: list[int], *columns: Sequence[Any]) -> list[list[Any]]:
    return [[column[i] for i in indices] for column in columns]


def _fit(agent: "Agent", question: Question, passages: Sequence[Any], build) -> tuple[FittedPrompt, Question]:
    """The prompt fitted to the model's context, and the question as it went in (its background maybe cut)."""
    used: dict[str, Question] = {}

    def remember(q: Question, ps: Sequence[Any]) -> PromptParts:
        used["question"] = q  # fit_prompt's last build is the prompt it returns
        return build(q, ps)

    fitted = fit_prompt(remember, lambda parts: len(agent.reader.encode(parts)), agent.reader.prompt_limit(),
                        question, passages)
    return fitted, used.get("question", question)


def _read_choices(agent, questions, days, passages, reasonings) -> list[Any]:
    tok, style = agent.reader.scorer.tokenizer, agent.spec.style
    fitted = [_fit(agent, q, ps, lambda q2, ps2, day=day, why=why: choice_prompt(tok, q2, style, day, ps2, why))[0]
              for q, day, ps, why in zip(questions, days, passages, reasonings)]
    ok = [k for k, f in enumerate(fitted) if f.parts is not None]
    read = ChoiceReader(agent.reader).read_many([fitted[k].parts for k in ok],
                                                [[f" {label}" for label in labels(len(questions[k].options))]
                                                 for k in ok])
    readouts: dict[int, Any] = dict(zip(ok, read))
    out = []
    for k, (q, f, why) in enumerate(zip(questions, fitted, reasonings)):
        readout = readouts.get(k, ReadFailure(f.reason))
        out.append(_failure(agent, q, readout.reason) if isinstance(readout, ReadFailure)
                   else _choice_forecast(agent, q, f, readout, why))
    return out


def _read_ladders(agent, questions, days, passages, reasonings) -> list[Any]:
    prompts: list[list[PromptParts] | None] = []
    fits: list[FittedPrompt] = []
    for q, day, ps, why in zip(questions, days, passages, reasonings):
        fitted, asked = _fit(agent, q, ps, _ladder_builder(agent, day, why, ladder_positions(Scale.of(q))[0]))
        fits.append(fitted)
        prompts.append(None if fitted.parts is None else
                       [_ladder_builder(agent, day, why, x)(asked, fitted.passages)
                        for x in ladder_positions(Scale.of(q))])
    ready = [k for k, p in enumerate(prompts) if p is not None]
    # The first threshold of each question alone first: it writes the shared prefix the other seven then read.
    firsts = agent.reader.read_many([prompts[k][0] for k in ready])
    rest = iter(agent.reader.read_many([p for k in ready for p in prompts[k][1:]]))
    out = []
    for k, q in enumerate(questions):
        if prompts[k] is None:
            out.append(_failure(agent, q, fits[k].reason))
            continue
        reads = [firsts[ready.index(k)], *(next(rest) for _ in prompts[k][1:])]
        failed = next((r for r in reads if isinstance(r, ReadFailure)), None)
        out.append(_failure(agent, q, failed.reason) if failed
                   else _cdf_forecast(agent, q, fits[k], reads, reasonings[k]))
    return out


def _ladder_builder(agent, day: dt.date, reasoning: str | None, position: float):
    tok, style = agent.reader.scorer.tokenizer, agent.spec.style
    return lambda q, ps: threshold_prompt(tok, q, style, day, Scale.of(q).value(position), ps, reasoning)


def _failure(agent, question: Question, reason: str):
    from forecaster.events.agents import ForecastFailure

    return ForecastFailure(question.id, agent.spec.name, reason)


def _choice_forecast(agent, question: Question, fitted: FittedPrompt, readout: ChoiceReadout, reasoning):
    probs = readout.probabilities
    top = max(range(len(probs)), key=probs.__getitem__)
    return _forecast(agent, question, fitted, reasoning, TypedValues(CHOICE, probs), probs[top], float(top),
                     float(top), _entropy(probs), readout.mass)


def _cdf_forecast(agent, question: Question, fitted: FittedPrompt, reads: list[Readout], reasoning):
    scale = Scale.of(question)
    cdf = cdf_from_ladder(ladder_positions(scale), [r.distribution.mean for r in reads], scale)
    pmf = [b - a for a, b in zip(cdf, cdf[1:])]
    median = cdf_quantile(cdf, 0.5)
    mode = (max(range(len(pmf)), key=pmf.__getitem__) + 0.5) / len(pmf)
    mass = sum(r.mass for r in reads) / len(reads)
    return _forecast(agent, question, fitted, reasoning, TypedValues(CDF, cdf), median, median, mode,
                     _entropy(pmf), mass)


def _forecast(agent, question, fitted, reasoning, typed, headline, median, mode, entropy, mass):
    """The agent's record: `probability` holds a headline in [0, 1] (the top option's probability; the median's
    position on the scale), the full answer is `typed`."""
    from forecaster.events.agents import AgentForecast

    spec = agent.spec
    return AgentForecast(question.id, spec.name, spec.model, spec.style, spec.weight, (), headline,
                         median, mode, entropy, mass, mass < agent.mass_floor, fitted.parts.text, reasoning,
                         tuple(getattr(p, "id", "") for p in fitted.passages), fitted.cut, typed)


def _entropy(probs: Sequence[float]) -> float:
    return float(-sum(p * math.log2(p) for p in probs if p > 0))
