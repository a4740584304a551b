"""A question's axis: positions 0..1 of its range to values and back, linear or log (Metaculus's scaling with
`zero_point`), a date's values in Unix seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecaster.events.typed.fields import DATE, DEFAULT_OUTCOME_COUNT, as_date


@dataclass(frozen=True)
class Scale:
    """The range of a numeric, discrete or date question and how positions spread over it."""

    range_min: float
    range_max: float
    zero_point: float | None = None
    kind: str = "numeric"
    unit: str = ""
    outcome_count: int = DEFAULT_OUTCOME_COUNT
    open_lower_bound: bool = False
    open_upper_bound: bool = False

    @classmethod
    def of(cls, question) -> "Scale":
        return cls(question.range_min, question.range_max, question.zero_point, question.type, question.unit,
                   question.outcome_count or DEFAULT_OUTCOME_COUNT, question.open_lower_bound,
                   question.open_upper_bound)

    @property
    def _ratio(self) -> float | None:
        """Metaculus's derivative ratio (range_max - zero) / (range_min - zero); None for a linear scale."""
        if self.zero_point is None:
            return None
        return (self.range_max - self.zero_point) / (self.range_min - self.zero_point)

    def value(self, position: float) -> float:
        """The value at a position (0: range_min, 1: range_max; outside them for the open tails)."""
        span, ratio = self.range_max - self.range_min, self._ratio
        if ratio is None or math.isclose(ratio, 1.0):
            return self.range_min + span * position
        return self.range_min + span * (ratio ** position - 1) / (ratio - 1)

    def position(self, value: float) -> float:
        """The position of a value; below 0 or above 1 when it lies outside the range."""
        span, ratio = self.range_max - self.range_min, self._ratio
        if ratio is None or math.isclose(ratio, 1.0):
            return (value - self.range_min) / span
        inside = (value - self.range_min) * (ratio - 1) / span + 1
        if inside <= 0:
            return -math.inf
        return math.log(inside) / math.log(ratio)

    def shown(self, value: float) -> str:
        """A value as the prompt and the tables write it: a date as YYYY-MM-DD, a number with its unit."""
        if self.kind == DATE:
            return as_date(value).date().isoformat()
        text = f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
        return f"{text} {self.unit}".strip()
