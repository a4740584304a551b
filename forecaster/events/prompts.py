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

# Where the read-out inserts its block padding. SHARED_END closes what every agent and horizon of a question share
# (padded to whole KV blocks, so another agent's prompt finds it in vLLM's prefix cache); AGENT_END closes what one
# agent's prompts share at every horizon or threshold (its approach); PAD_SLOT sits before the closing words, where
# padding makes the whole prompt whole blocks (each answer branch then recomputes no prompt token). What comes
# after AGENT_END is paid by every prompt: it is kept to about one block.
SHARED_END = "\x00SHARED\x00"
AGENT_END = "\x00AGENT\x00"
PAD_SLOT = "\x00PAD\x00"
# The assistant turn is begun with the words that precede the number: it raises the mass on numbers.
ANSWER_PREFIX = "My forecast: the probability that this resolves YES is "
SYSTEM = ("You are a careful, calibrated forecaster. You read the question, its background and context, then "
          "the approach to take and the question's resolution date. You answer with one whole number from 0 to 100, "
          "followed by %.")


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
    lines += _description(question)
    if crowd is not None:
        lines.append(crowd_line(crowd))
    return "\n".join(lines)


def _description(question: Question) -> list[str]:
    lines = []
    if question.resolution_criteria:
        lines.append(f"Resolution criteria: {question.resolution_criteria}")
    if question.background:
        lines.append(f"Background: {question.background}")
    return lines


def crowd_line(crowd: float) -> str:
    return f"Crowd forecast: the market or community puts the probability of YES at {100 * crowd:.0f}%."


def context_block(passages: Sequence[ContextPassage]) -> str:
    if not passages:
        return ""
    body = "\n\n".join(f"[{i + 1}] {p.title}\n{p.text}" for i, p in enumerate(passages))
    return f"\n\nContext passages:\n{body}"


def shared_block(question: Question, today: dt.date, passages: Sequence[ContextPassage] = (),
                 reasoning: str | None = None, crowd: float | None = None) -> str:
    """What every agent and every horizon of a question read alike: date, question, description, context,
    reasoning, crowd. A question whose text states its resolution date (a ForecastBench dataset question, asked
    at several) names it "the resolution date" here; the date itself comes at the end, in `date_block`."""
    lines = [f"Today is {today.isoformat()}.", f"Question: {_without_date(question)}", *_description(question)]
    text = "\n".join(lines) + context_block(passages)
    if reasoning:
        text += f"\n\nAn analyst's reasoning:\n{reasoning.strip()}"
    if crowd is not None:  # last: agents that do not see the crowd still share every block before it
        text += "\n" + crowd_line(crowd)
    return text


def approach_block(style: str) -> str:
    """What differs between agents: the approach each takes."""
    return f"\n\nApproach: {STYLES[style]}"


def date_block(question: Question) -> tuple[str, str]:
    """What differs between horizons, the question's resolution date, as its label (an agent's prompts share it)
    and its value: the value and the closing words then fit one KV block."""
    if question.resolution_date is None:
        return "", ""
    return "\nResolution date:", f" {question.resolution_date.isoformat()}"


def _without_date(question: Question) -> str:
    if question.resolution_date is None:
        return question.text
    return question.text.replace(question.resolution_date.isoformat(), "the resolution date")


def forecast_prompt(tokenizer: Any, question: Question, style: str, today: dt.date,
                    passages: Sequence[ContextPassage] = (), reasoning: str | None = None,
                    crowd: float | None = None) -> PromptParts:
    """The forecasting prompt, ending where the number is to be written; `crowd` (an agent that sees the crowd)
    adds the question's crowd forecast to it. What all agents and horizons share comes first, then the agent's
    approach, each as whole KV blocks; the horizon's date comes last."""
    check_style(style)
    label, date = date_block(question)
    user = (shared_block(question, today, passages, reasoning, crowd)
            + "\n\nWhat is the probability, in percent, that the question resolves YES?" + SHARED_END
            + approach_block(style) + label + AGENT_END + date + PAD_SLOT)
    return split_parts(render_chat(tokenizer, SYSTEM, user) + ANSWER_PREFIX)


def reasoning_prompt(tokenizer: Any, question: Question, today: dt.date,
                     passages: Sequence[ContextPassage] = ()) -> str:
    """The logic model's prompt: reason about the question before anyone gives a number."""
    system = "You are an analyst. Reason step by step about the question; do not state a final probability."
    user = question_block(question, today) + context_block(passages) + "\n\nReasoning:"
    return render_chat(tokenizer, system, user)


def render_chat(tokenizer: Any, system: str, user: str) -> str:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return f"{system}\n\n{user}\n\n"


def split_parts(text: str) -> PromptParts:
    shared, _, rest = text.partition(SHARED_END)
    agent, _, rest = rest.partition(AGENT_END)
    head, _, tail = rest.partition(PAD_SLOT)
    return PromptParts(head=head, tail=tail, shared=shared, agent=agent)
