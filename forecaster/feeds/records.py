"""What crosses the platforms' boundary: a pull's questions, a submission, a platform's word on an outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from forecaster.events.questions import Question

PLATFORMS = ("metaculus", "manifold", "polymarket")
# What a submission row's status may be: the platform took it, refused it (4xx), or could not be reached.
ACCEPTED, REFUSED, FAILED = "accepted", "refused", "failed"


@dataclass(frozen=True)
class Pull:
    """The open questions a pull found, and how many it skipped for each reason (e.g. "numeric": 3)."""

    platform: str
    questions: list[Question]
    skipped: dict[str, int] = field(default_factory=dict)

    def skipped_line(self) -> str | None:
        """One line saying what was skipped, or None when nothing was."""
        if not self.skipped:
            return None
        parts = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
        return f"{self.platform}: skipped {sum(self.skipped.values())} question(s) ({parts}): kinds not forecast"


@dataclass(frozen=True)
class Submission:
    """One post to a platform: what was sent, what came back, and when (`kind`: "forecast" or "comment")."""

    platform: str
    kind: str
    run_id: str
    question_id: str
    external_id: str
    body: Any
    status: str
    answer: Any = None
    error: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class PlatformOutcome:
    """How a platform says a stored question ended: yes (1), no (0), void (`outcome` None, `void` the reason), or
    for a question that is not yes/no its outcome as text (`typed`: an option, a number, a date, above_upper_bound)."""

    question_id: str
    outcome: int | None
    resolution_date: dt.date
    void: str = ""
    typed: str = ""
