"""Metaculus's question fields for every type, mapped to our question record, and our typed forecasts mapped to
the bodies `POST /questions/forecast/` takes (shared/notes/question-platforms.md).

Multiple choice: `options[]`. Numeric, discrete, date: `scaling.{range_min, range_max, zero_point,
inbound_outcome_count}` and `open_lower_bound`/`open_upper_bound` (inside `scaling` in newer answers, on the
question in older ones; a date range in Unix seconds, or ISO times). A post's group of questions gives one question
each, its label added to the post's title.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from forecaster.events.typed.fields import CONTINUOUS, DATE, DEFAULT_OUTCOME_COUNT, MULTIPLE_CHOICE
from forecaster.events.typed.rules import cdf_problems, choice_problems

TYPES = ("binary", MULTIPLE_CHOICE, *CONTINUOUS)


def typed_record(question: dict) -> dict[str, Any]:
    """The door's typed fields of an API question (empty for binary); the door then checks them."""
    kind = question.get("type")
    if kind == MULTIPLE_CHOICE:
        return {"type": kind, "options": question.get("options")}
    if kind not in CONTINUOUS:
        return {}
    scaling = question.get("scaling") or {}
    bound = lambda name: scaling[name] if scaling.get(name) is not None else question.get(name)  # noqa: E731
    record = {"type": kind, "range_min": _axis(scaling.get("range_min"), kind),
              "range_max": _axis(scaling.get("range_max"), kind), "zero_point": _axis(scaling.get("zero_point"), kind),
              "open_lower_bound": bool(bound("open_lower_bound")), "open_upper_bound": bool(bound("open_upper_bound")),
              "outcome_count": scaling.get("inbound_outcome_count") or DEFAULT_OUTCOME_COUNT,
              "unit": question.get("unit") or ""}
    return {k: v for k, v in record.items() if v is not None}


def _axis(value: Any, kind: str) -> Any:
    """A range end as the door reads it: a date question's ISO time becomes Unix seconds."""
    if kind == DATE and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return value  # the door names it
    return value


def sub_questions(post: dict) -> list[tuple[dict, str]]:
    """(question, title) for each question of a post: its one question, or each of its group's."""
    if post.get("question"):
        question = post["question"]
        return [(question, question.get("title") or post.get("title") or "")]
    group = (post.get("group_of_questions") or {}).get("questions") or []
    return [(q, f"{post.get('title') or ''}: {q.get('label') or q.get('title') or ''}".strip(": "))
            for q in group if isinstance(q, dict)]


def typed_body(question_id: int, kind: str, values: Sequence[float], options: Sequence[str],
               open_lower: bool, open_upper: bool, outcome_count: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The forecast body for a multiple-choice or continuous question, and every server rule it breaks."""
    item: dict[str, Any] = {"question": question_id, "source": "api"}
    if kind == MULTIPLE_CHOICE:
        item["probability_yes_per_category"] = dict(zip(options, values))
        problems = choice_problems(item["probability_yes_per_category"], options)
    else:
        item["continuous_cdf"] = list(values)
        problems = cdf_problems(list(values), open_lower, open_upper, outcome_count)
    return [item], problems


def typed_resolution(resolution: Any) -> str | None:
    """A resolved typed question's outcome as text, as `resolve` takes it (an option, a number, a date, or
    above_upper_bound / below_lower_bound); None when the platform gave none."""
    if not isinstance(resolution, (str, int, float)) or isinstance(resolution, bool):
        return None
    text = str(resolution).strip()
    return text or None
