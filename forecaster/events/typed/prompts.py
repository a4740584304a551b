"""Prompts for questions that are not yes/no, laid out as the binary ones (`forecaster.events.prompts`): what all
agents and all thresholds of a question share comes first, as whole KV blocks; the agent's approach and, for a
CDF, the threshold come last, so the ladder's eight prompts pay for the question once and for the approach once
per agent."""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from forecaster.events.prompts import (AGENT_END, PAD_SLOT, SHARED_END, STYLES, check_style, date_block,
                                       render_chat, shared_block, split_parts)
from forecaster.events.questions import Question
from forecaster.events.typed.choice import labels
from forecaster.events.typed.fields import DATE
from forecaster.events.typed.scale import Scale
from forecaster.llm.readout import PromptParts

# The binary styles speak of YES; these say the same for any outcome.
TYPED_STYLES = {**STYLES, "plain": "Give your best calibrated estimate.",
                "pro_con": "Weigh the strongest arguments for each outcome, then settle on an estimate."}
CHOICE_SYSTEM = ("You are a careful, calibrated forecaster. You read the question, its options, background and "
                 "context, then the approach to take. You answer with the letter of the most likely option.")
# The label follows with its leading space (" A"): one token for byte-level BPE and SentencePiece alike.
CHOICE_PREFIX = "My answer: option"
CDF_SYSTEM = ("You are a careful, calibrated forecaster. You read the question, its range, background and context, "
              "then the approach and a threshold. You answer with one whole number from 0 to 100, followed by %: "
              "the probability that the outcome is at or below the threshold.")
CDF_PREFIX = "My forecast: the probability is "


def choice_prompt(tokenizer: Any, question: Question, style: str, today: dt.date,
                  passages: Sequence[Any] = (), reasoning: str | None = None) -> PromptParts:
    """The options labelled A, B, C...; the answer is a label, read with its leading space (" A")."""
    check_style(style)
    options = "\n".join(f"{label}) {option}" for label, option in zip(labels(len(question.options)),
                                                                      question.options))
    user = (shared_block(question, today, passages, reasoning) + f"\n\nOptions:\n{options}"
            + "\n\nWhich option will it be? Answer with its letter." + SHARED_END
            + _approach(style) + "".join(date_block(question)) + AGENT_END + PAD_SLOT)
    return split_parts(render_chat(tokenizer, CHOICE_SYSTEM, user) + CHOICE_PREFIX)


def threshold_prompt(tokenizer: Any, question: Question, style: str, today: dt.date, threshold: float,
                     passages: Sequence[Any] = (), reasoning: str | None = None) -> PromptParts:
    """P(outcome <= threshold) in percent, the question's range stated in the shared part."""
    check_style(style)
    scale = Scale.of(question)
    at_most = _at_most(scale, threshold)
    user = (shared_block(question, today, passages, reasoning) + "\n" + range_line(scale)
            + "\n\nWhat is the probability, in percent, that the outcome meets the threshold stated below?" + SHARED_END
            + _approach(style) + "".join(date_block(question)) + AGENT_END + f"\nThreshold: {at_most}" + PAD_SLOT)
    return split_parts(render_chat(tokenizer, CDF_SYSTEM, user) + CDF_PREFIX)


def range_line(scale: Scale) -> str:
    low, high = scale.shown(scale.range_min), scale.shown(scale.range_max)
    below = "it may also fall below" if scale.open_lower_bound else "it cannot fall below"
    above = "it may also exceed" if scale.open_upper_bound else "it cannot exceed"
    return f"Range: the outcome is expected between {low} and {high} ({below} {low}; {above} {high})."


def _at_most(scale: Scale, threshold: float) -> str:
    return f"on or before {scale.shown(threshold)}" if scale.kind == DATE else f"at most {scale.shown(threshold)}"


def _approach(style: str) -> str:
    return f"\n\nApproach: {TYPED_STYLES[style]}"
