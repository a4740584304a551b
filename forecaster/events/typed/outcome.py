"""A typed question's outcome as written (`resolve ID <option|number|date|above_upper_bound|below_lower_bound>`)
placed on the question: an option's index, or a position on its scale (below 0 or above 1 outside the range)."""

from __future__ import annotations

import datetime as dt
import math

from forecaster.errors import InputError
from forecaster.events.questions import Question
from forecaster.events.typed.fields import DATE, MULTIPLE_CHOICE
from forecaster.events.typed.scale import Scale

ABOVE, BELOW = "above_upper_bound", "below_lower_bound"


def outcome_place(question: Question, outcome: str) -> int | float:
    """The option index (multiple choice) or scale position of `outcome`; InputError naming the rule."""
    text = outcome.strip()
    if question.type == MULTIPLE_CHOICE:
        if text not in question.options:
            raise InputError(f"OUTCOME of {question.id!r} must be one of its options {list(question.options)}, "
                             f"got {text!r}")
        return question.options.index(text)
    if text in (ABOVE, BELOW):
        return 2.0 if text == ABOVE else -1.0
    scale = Scale.of(question)
    value = _date_seconds(text, question) if question.type == DATE else _number(text, question)
    position = scale.position(value)
    return -1.0 if math.isinf(position) else position


def _number(text: str, question: Question) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"OUTCOME of {question.id!r} must be a number, {ABOVE} or {BELOW}, got {text!r}")
    return value


def _date_seconds(text: str, question: Question) -> float:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"OUTCOME of {question.id!r} must be a date YYYY-MM-DD, {ABOVE} or {BELOW}, "
                         f"got {text!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()
