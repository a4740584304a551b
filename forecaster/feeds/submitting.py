"""Posting a run's forecasts of Metaculus questions: each once, every post recorded, faults kept to one question.

A forecast the platform accepted for (run, question) is never posted again. A 4xx (the body refused) or a platform
that stays down (5xx, timeouts, after the retries) is recorded for that question and the rest go on; a refused
token stops everything at once, since every later post would be refused too.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Callable

from forecaster.errors import ConfigError
from forecaster.events.questions import Question
from forecaster.events.store import ForecastStore
from forecaster.events.typed.fields import DEFAULT_OUTCOME_COUNT
from forecaster.events.typed.shown import typed_line
from forecaster.events.typed.values import CDF, CHOICE
from forecaster.events.typed_store import question_from_row, run_typed
from forecaster.feeds.http import MalformedAnswer, PlatformUnavailable, RequestRefused, TokenRefused
from forecaster.feeds.metaculus import PLATFORM, MetaculusClient, comment_body, forecast_body
from forecaster.feeds.metaculus_types import typed_body
from forecaster.feeds.records import ACCEPTED, FAILED, REFUSED, Submission
from forecaster.feeds.store import FeedStore
from forecaster.settings import Settings

FORECAST, COMMENT = "forecast", "comment"


class BrokenRule(Exception):
    """A body that breaks one of the server's rules, found before posting it."""


@dataclass(frozen=True)
class Planned:
    """One question's post: the forecast body, and the comment body when comments are asked for."""

    question_id: str
    external_id: str
    forecast: list[dict[str, Any]]
    comment: dict[str, Any] | None
    # The server's rules the forecast body breaks (checked before posting; such a body is never sent).
    problems: tuple[str, ...] = ()


@dataclass
class SubmitReport:
    """What a submit did: per question, and in counts."""

    run_id: str
    planned: list[Planned] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    posted: list[Submission] = field(default_factory=list)

    def count(self, kind: str, status: str) -> int:
        return sum(1 for s in self.posted if s.kind == kind and s.status == status)


def plan_submission(settings: Settings, run: str, comment: bool) -> SubmitReport:
    """The run's forecasts of Metaculus questions as bodies; questions already accepted are left out."""
    with ForecastStore(settings.database_path) as store:
        run_id = store.resolve_run(run)
        rows = [r for r in store.run_ensembles(run_id) if r["source"] == PLATFORM]
        texts = {r["question_id"]: comment_text(store, run_id, r) for r in rows} if comment else {}
        typed = {qid: (question_from_row(store.question(qid)), values)
                 for qid, values in run_typed(store.db, run_id).items()}
    report = SubmitReport(run_id)
    with FeedStore(settings.database_path) as feeds:
        done = feeds.accepted(PLATFORM, FORECAST, run_id)
        commented = feeds.accepted(PLATFORM, COMMENT, run_id)
    for r in rows:
        qid, external, post = r["question_id"], r["external_id"] or "", r["post_id"] or ""
        if not external.isdigit() or (comment and not post.isdigit()):
            report.skipped.append(f"{qid}: external_id {external!r} / post_id {post!r} are not Metaculus ids")
            continue
        wants_comment = comment and qid not in commented
        if qid in done and not wants_comment:
            report.already.append(qid)
            continue
        body, problems = ([], []) if qid in done else _body(external, r["probability"], typed.get(qid))
        report.planned.append(Planned(qid, external, body, comment_body(post, texts[qid]) if wants_comment else None,
                                      tuple(problems)))
    return report


def _body(external: str, probability: float, typed: tuple[Question, list[float]] | None,
          ) -> tuple[list[dict[str, Any]], list[str]]:
    """The forecast body of a question, and the server's rules it breaks (none, by construction; checked anyway)."""
    if typed is None:
        return forecast_body(external, probability), []
    question, values = typed
    return typed_body(int(external), question.type, values, question.options, question.open_lower_bound,
                      question.open_upper_bound, question.outcome_count or DEFAULT_OUTCOME_COUNT)


def submit(settings: Settings, report: SubmitReport, sleep: Callable[[float], None] = time.sleep,
           echo: Callable[[str], None] = print) -> SubmitReport:
    """Post the planned bodies, recording each answer as it comes (a crash keeps what was recorded)."""
    if not report.planned:
        return report
    with closing(MetaculusClient(settings.feeds.metaculus, sleep)) as client, \
            FeedStore(settings.database_path) as feeds:
        if not client.has_token:
            raise ConfigError("metaculus: no token set (feeds.metaculus.token or FORECASTER_FEEDS__METACULUS__TOKEN);"
                              " nothing posted")
        for item in report.planned:
            accepted = not item.forecast or _post(client, feeds, report, item, FORECAST, item.forecast, echo)
            if accepted and item.comment is not None:
                _post(client, feeds, report, item, COMMENT, item.comment, echo)
    return report


def _post(client: MetaculusClient, feeds: FeedStore, report: SubmitReport, item: Planned, kind: str,
          body: Any, echo: Callable[[str], None]) -> bool:
    """One post, recorded; True when the platform accepted it."""
    send = client.post_forecast if kind == FORECAST else client.post_comment
    try:
        if kind == FORECAST and item.problems:  # never sent: the server would refuse it
            raise BrokenRule("breaks the server's rules: " + "; ".join(item.problems))
        answer, status, error = send(body), ACCEPTED, ""
    except BrokenRule as exc:
        answer, status, error = None, REFUSED, str(exc)
    except TokenRefused as exc:
        raise TokenRefused(f"{exc}; {len(report.posted)} post(s) made before it") from None
    except RequestRefused as exc:
        answer, status, error = exc.answer, REFUSED, str(exc)
    except (PlatformUnavailable, MalformedAnswer) as exc:
        answer, status, error = None, FAILED, str(exc)
    posted = Submission(PLATFORM, kind, report.run_id, item.question_id, item.external_id, body, status, answer,
                        error)
    feeds.record([posted])
    report.posted.append(posted)
    if error:
        echo(f"{item.question_id}: {kind} not submitted: {error}")
    return status == ACCEPTED


def comment_text(store: ForecastStore, run_id: str, row: dict[str, Any]) -> str:
    """The forecast's context in a few lines: the pooled probability, each agent's, the passages read."""
    qid = row["question_id"]
    agents = [a for a in store.run_agent_forecasts(run_id) if a["question_id"] == qid]
    each = ", ".join(f"{a['agent']} {a['probability']:.3f}" for a in agents)
    lines = [f"Forecast {row['probability']:.3f}: {row['method']} of {len(agents)} agent(s) ({each})."]
    typed = run_typed(store.db, run_id).get(qid)
    if typed is not None:  # the headline is not the forecast: say what was
        question = question_from_row(store.question(qid))
        lines[0] = f"Forecast {typed_line(question, _kind(question), typed)}: {row['method']} of {len(agents)} agent(s)."
    passages = store.contexts(qid).get(run_id, {}).get("passages", [])
    if passages:
        lines.append("Context read: " + "; ".join(f"{p.get('title', '')} ({p.get('source', '')})"
                                                   for p in passages[:5]) + ".")
    lines.append(f"Run {run_id}.")
    return "\n".join(lines)


def _kind(question: Question) -> str:
    return CHOICE if question.type == "multiple_choice" else CDF
