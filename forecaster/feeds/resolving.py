"""Reading back how a platform's stored questions ended and recording it: yes/no, a typed outcome (an option, a
number, a date), or void (never scored)."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import closing
from dataclasses import dataclass, field
from typing import Callable

from forecaster.errors import InputError
from forecaster.events.store import ForecastStore
from forecaster.feeds.clients import open_client
from forecaster.feeds.http import PlatformUnavailable, RequestRefused
from forecaster.feeds.metaculus import MetaculusClient
from forecaster.feeds.records import PlatformOutcome
from forecaster.scoring.resolutions import Resolution, Void
from forecaster.scoring.store import ScoringStore
from forecaster.scoring.typed_outcomes import TypedOutcomes, TypedResolution
from forecaster.settings import Settings


@dataclass
class ResolveReport:
    platform: str
    checked: int = 0
    resolved: list[PlatformOutcome] = field(default_factory=list)
    open: int = 0
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        voids = sum(1 for o in self.resolved if o.outcome is None and not o.typed)
        return (f"{self.platform}: checked {self.checked} question(s): {len(self.resolved) - voids} resolved, "
                f"{voids} void (never scored), {self.open} still open, {len(self.failed)} not reachable")


def resolve_from(settings: Settings, platform: str, today: dt.date,
                 sleep: Callable[[float], None] = time.sleep) -> ResolveReport:
    """Ask the platform about every stored question that came from it; record the ended ones in one step.

    A question the platform cannot answer for now (5xx after retries, 404) is reported and left for next time;
    a refused token or a malformed answer stops the whole read, and nothing is recorded.
    """
    with ForecastStore(settings.database_path) as store:
        stored = store.questions_from(platform)
    report = ResolveReport(platform)
    with closing(open_client(settings, platform, sleep)) as client:
        if not stored:
            raise InputError(f"--from {platform}: no stored questions from {platform} in {settings.database_path}"
                             f" (pull and forecast some first)")
        for row in stored:
            key = row["post_id"] if isinstance(client, MetaculusClient) else row["external_id"]
            if not key:
                report.failed.append(f"{row['id']}: no platform id stored")
                continue
            report.checked += 1
            try:
                outcome = client.outcome(row["id"], key, today)
            except (PlatformUnavailable, RequestRefused) as exc:
                report.failed.append(f"{row['id']}: {exc}")
                continue
            if outcome is None:
                report.open += 1
            else:
                report.resolved.append(outcome)
    _record(settings, report)
    return report


def _record(settings: Settings, report: ResolveReport) -> None:
    ended = report.resolved
    resolutions = [Resolution(o.question_id, o.outcome, o.resolution_date, report.platform)
                   for o in ended if o.outcome is not None]
    voids = [Void(o.question_id, o.void, o.resolution_date, report.platform) for o in ended if o.void]
    typed = [TypedResolution(o.question_id, o.typed, o.resolution_date, report.platform) for o in ended if o.typed]
    with ScoringStore(settings.database_path) as store:
        store.save(resolutions, voids=voids)
    with TypedOutcomes(settings.database_path) as outcomes:
        outcomes.save(typed)
