"""Prompting styles and the rendering of a question into a chat prompt whose answer is a number."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, Sequence

from forecaster.errors import ConfigError
from forecaster.llm.readout import PromptParts
from forecaster.events.questions import Question

STYLES: dict[str, str] = {
    "plain": "Estimate how likely the question is to resolve YES.",
    "base_rate": (
        "Start from the base rate: how often do events like this happen in a comparable period? "
        "Then adjust for what is specific to this question."
    ),
    "pro_con": (
        "Weigh the strongest arguments for YES against the strongest arguments for NO, "
        "then settle on a probability."
    ),
    "sceptic": (
        "Be sceptical: most predicted changes do not happen on time, and the status quo usually holds. "
        "Only move away from that when the evidence is strong."
    ),
}

# Where the read-out inserts its block padding: the end of the system message, far from the answer.
PAD_SLOT = "\x00PAD\x00"
# The assistant turn is begun with the words that precede the number: it raises the mass on numbers.
ANSWER_PREFIX = "My forecast: the probability that this resolves YES is "


class ContextPassage(Protocol):
    title: str
    text: str


def check_style(style: str) -> None:
    """Raise ConfigError for an unknown prompting style."""
    if style not in STYLES:
        raise ConfigError(f"agents.*.style: unknown style {style!r}; known: {sorted(STYLES)}")


def question_block(question: Question, today: dt.date, crowd: float | None = None) -> str:
    """The question as the model reads it, with today's date stated (and the crowd's forecast, when given)."""
    lines = [f"Today is {today.isoformat()}.", f"Question: {question.text}"]
    if question.resolution_date:
        lines.append(f"Resolution date: {question.resolution_date.isoformat()}")
    if question.resolution_criteria:
        lines.append(f"Resolution criteria: {question.resolution_criteria}")
    if question.background:
        lines.append(f"Background: {question.background}")
    if crowd is not None:
        lines.append(f"Crowd forecast: the market or community puts the probability of YES at {100 * crowd:.0f}%.")
    return "\n".join(lines)


def context_block(passages: Sequence[ContextPassage]) -> str:
    if not passages:
        return ""
    body = "\n\n".join(f"[{i + 1}] {p.title}\n{p.text}" for i, p in enumerate(passages))
    return f"\n\nContext passages:\n{body}"


def forecast_prompt(tokenizer: Any, question: Question, style: str, today: dt.date,
                    passages: Sequence[ContextPassage] = (), reasoning: str | None = None,
                    crowd: float | None = None) -> PromptParts:
    """The forecasting prompt, ending where the number is to be written; `crowd` (an agent that sees the crowd)
    adds the question's crowd forecast to it."""
    check_style(style)
    system = (
        "You are a careful, calibrated forecaster. " + STYLES[style]
        + " You answer with one whole number from 0 to 100, followed by %." + PAD_SLOT
    )
    user = question_block(question, today, crowd) + context_block(passages)
    if reasoning:
        user += f"\n\nAn analyst's reasoning:\n{reasoning.strip()}"
    user += "\n\nWhat is the probability, in percent, that the question resolves YES?"
    return _split(_render(tokenizer, system, user) + ANSWER_PREFIX)


def reasoning_prompt(tokenizer: Any, question: Question, today: dt.date,
                     passages: Sequence[ContextPassage] = ()) -> str:
    """The logic model's prompt: reason about the question before anyone gives a number."""
    system = "You are an analyst. Reason step by step about the question; do not state a final probability."
    user = question_block(question, today) + context_block(passages) + "\n\nReasoning:"
    return _render(tokenizer, system, user)


def _render(tokenizer: Any, system: str, user: str) -> str:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return f"{system}\n\n{user}\n\n"


def _split(text: str) -> PromptParts:
    head, _, tail = text.partition(PAD_SLOT)
    return PromptParts(head=head, tail=tail)
