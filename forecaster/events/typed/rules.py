"""The rules Metaculus's server applies to a forecast that is not yes/no (questions/serializers/common.py, see
shared/notes/question-platforms.md): what `cdf.conform` and `choice.conform_choice` are made to meet, and what a
body is checked against before it is posted."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

P_MIN, P_MAX = 0.001, 0.999


def min_step(outcome_count: int) -> float:
    return 0.01 / outcome_count


def max_step(outcome_count: int) -> float:
    return 0.2 * 200 / outcome_count


def cdf_problems(cdf: Sequence[float], open_lower: bool, open_upper: bool, outcome_count: int) -> list[str]:
    """Every rule the CDF breaks (empty: the server takes it)."""
    if len(cdf) != outcome_count + 1:
        return [f"continuous_cdf must hold {outcome_count + 1} values, got {len(cdf)}"]
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in cdf):
        return ["continuous_cdf must hold finite numbers"]
    problems = []
    steps = [b - a for a, b in zip(cdf, cdf[1:])]
    if min(steps) < min_step(outcome_count):
        problems.append(f"each step must rise by at least {min_step(outcome_count):.6g}, smallest {min(steps):.3g}")
    if max(steps) > max_step(outcome_count):
        problems.append(f"each step must rise by at most {max_step(outcome_count):.6g}, largest {max(steps):.3g}")
    if open_lower and cdf[0] < P_MIN:
        problems.append(f"cdf[0] must be at least {P_MIN} (open lower bound), got {cdf[0]}")
    if not open_lower and cdf[0] != 0:
        problems.append(f"cdf[0] must be 0 (closed lower bound), got {cdf[0]}")
    if open_upper and cdf[-1] > P_MAX:
        problems.append(f"cdf[-1] must be at most {P_MAX} (open upper bound), got {cdf[-1]}")
    if not open_upper and cdf[-1] != 1:
        problems.append(f"cdf[-1] must be 1 (closed upper bound), got {cdf[-1]}")
    return problems


def choice_problems(per_category: Mapping[str, float], options: Sequence[str]) -> list[str]:
    """Every rule the multiple-choice body breaks: every option present, each in [0.001, 0.999], summing to 1."""
    problems = []
    if set(per_category) != set(options):
        problems.append(f"probability_yes_per_category must name exactly the options {list(options)}")
    values = list(per_category.values())
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and P_MIN <= v <= P_MAX for v in values):
        problems.append(f"each option's probability must lie in [{P_MIN}, {P_MAX}]")
    elif abs(sum(values) - 1) > 1e-9:
        problems.append(f"the options' probabilities must sum to 1, got {sum(values)!r}")
    return problems
