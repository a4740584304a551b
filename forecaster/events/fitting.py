"""Fitting a prompt to the model's context: the lowest-ranked passages go first, then the background is
shortened; only a question whose own text cannot fit fails. What was cut is recorded with the forecast."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from forecaster.events.questions import Question
from forecaster.llm.readout import PromptParts

Build = Callable[[Question, Sequence[Any]], PromptParts]


@dataclass(frozen=True)
class FittedPrompt:
    """The prompt that fits (None if even the bare question does not), and what was left out to fit it."""

    parts: PromptParts | None
    passages: tuple[Any, ...] = ()  # the passages the prompt still holds
    cut: tuple[str, ...] = ()
    reason: str = ""


def fit_prompt(build: Build, length: Callable[[PromptParts], int], limit: int | None, question: Question,
               passages: Sequence[Any]) -> FittedPrompt:
    """The fullest prompt of at most `limit` tokens (passages are best first); `limit` None: no limit."""
    parts = build(question, passages)
    if limit is None or length(parts) <= limit:
        return FittedPrompt(parts, tuple(passages))
    kept, cut = list(passages), []
    while kept:
        dropped = kept.pop()
        cut.append(f"passage {getattr(dropped, 'id', '') or dropped.title}")
        parts = build(question, kept)
        if length(parts) <= limit:
            return FittedPrompt(parts, tuple(kept), tuple(cut))
    fits = lambda n: length(build(_with_background(question, n), ())) <= limit  # noqa: E731
    if not fits(0):
        needed = length(build(_with_background(question, 0), ()))
        return FittedPrompt(None, (), tuple(cut), f"the question alone takes {needed} tokens; the model's context "
                                              f"holds {limit}")
    keep = _longest(fits, len(question.background))
    parts = build(_with_background(question, keep), ())
    return FittedPrompt(parts, (), (*cut, f"background shortened from {len(question.background)} to {keep} characters"))


def _with_background(question: Question, chars: int) -> Question:
    background = question.background[:chars]
    return dataclasses.replace(question, background=background + "…" if 0 < chars < len(question.background)
                               else background)


def _longest(fits: Callable[[int], bool], upper: int) -> int:
    """The largest n in [0, upper] with fits(n), given fits(0) and that fits is monotone."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low
