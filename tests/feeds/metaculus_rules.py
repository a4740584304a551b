"""The Metaculus server's rules for forecast bodies, as the stand-in enforces them: a copy written from the notes
(shared/notes/question-platforms.md, from MS questions/serializers/common.py), kept apart from the code under test
so that a rule the client gets wrong is caught rather than shared."""

from __future__ import annotations

from typing import Any

P_MIN, P_MAX = 0.001, 0.999

# Each type's own fields as the API gives them (date ranges in Unix seconds: 2027-01-01 to 2028-01-01).
TYPED_FIELDS: dict[str, dict[str, Any]] = {
    "multiple_choice": {"options": ["Red", "Blue", "Green"]},
    "numeric": {"unit": "launches", "scaling": {"range_min": 1, "range_max": 1000, "zero_point": 0,
                                                "inbound_outcome_count": 200, "open_lower_bound": False,
                                                "open_upper_bound": True}},
    "discrete": {"scaling": {"range_min": -0.5, "range_max": 10.5, "zero_point": None, "inbound_outcome_count": 11,
                             "open_lower_bound": False, "open_upper_bound": False}},
    "date": {"scaling": {"range_min": 1798761600, "range_max": 1830297600, "zero_point": None,
                         "inbound_outcome_count": 200, "open_lower_bound": True, "open_upper_bound": False}},
}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def binary_error(item: dict, question: dict) -> str | None:
    p = item.get("probability_yes")
    if question["type"] != "binary" or not is_number(p):
        return "A binary question needs probability_yes."
    if not P_MIN <= p <= P_MAX:
        return "Probability must be between 0.001 and 0.999."
    return None


def multiple_choice_error(item: dict, question: dict) -> str | None:
    per = item.get("probability_yes_per_category")
    if not isinstance(per, dict) or set(per) != set(question["options"]):
        return "probability_yes_per_category must give every option."
    if not all(is_number(v) and P_MIN <= v <= P_MAX for v in per.values()):
        return "Each option's probability must be between 0.001 and 0.999."
    if abs(sum(per.values()) - 1) > 1e-9:
        return "Probabilities must sum to 1."
    return None


def continuous_error(item: dict, question: dict) -> str | None:
    cdf = item.get("continuous_cdf")
    scaling = question["scaling"]
    count = scaling.get("inbound_outcome_count") or 200
    if not isinstance(cdf, list) or len(cdf) != count + 1 or not all(is_number(v) for v in cdf):
        return f"continuous_cdf must be a list of {count + 1} numbers."
    steps = [b - a for a, b in zip(cdf, cdf[1:])]
    if min(steps) < 0.01 / count:
        return "continuous_cdf must increase by at least 0.01/inbound_outcome_count each step."
    if max(steps) > 0.2 * 200 / count:
        return "continuous_cdf must increase by at most 0.2*200/inbound_outcome_count each step."
    if (cdf[0] < P_MIN) if scaling["open_lower_bound"] else (cdf[0] != 0):
        return "continuous_cdf[0] breaks the lower bound's rule."
    if (cdf[-1] > P_MAX) if scaling["open_upper_bound"] else (cdf[-1] != 1):
        return "continuous_cdf[-1] breaks the upper bound's rule."
    return None


def forecast_error(item: dict, question: dict) -> tuple[str, str] | None:
    """(field, message) of the first rule the item breaks for its question, or None."""
    kind = question["type"]
    if kind == "binary":
        return _named("probability_yes", binary_error(item, question))
    if kind == "multiple_choice":
        return _named("probability_yes_per_category", multiple_choice_error(item, question))
    return _named("continuous_cdf", continuous_error(item, question))


def forecast_value(item: dict, question: dict) -> Any:
    kind = question["type"]
    return item["probability_yes"] if kind == "binary" else (
        item["probability_yes_per_category"] if kind == "multiple_choice" else item["continuous_cdf"])


def _named(field: str, message: str | None) -> tuple[str, str] | None:
    return None if message is None else (field, message)
