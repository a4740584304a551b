"""Metaculus: open questions of a tournament, forecasts and private comments posted, resolutions read.

Shapes as the Metaculus API documents them (see docs in the README's platforms section): `GET /posts/` pages with
`next` URLs; a post holds one `question` or a group of them (each pulled; a conditional or notebook is skipped), of
any type (`metaculus_types` maps the typed fields); forecasts go to `POST /questions/forecast/` as a list of
`{"question": <question id>, "source": "api", "probability_yes": p}` (or the typed bodies of `metaculus_types`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any, Callable

from forecaster.errors import InputError
from forecaster.events.questions import Question
from forecaster.events.typed.fields import typed_fields
from forecaster.feeds.metaculus_types import TYPES, sub_questions, typed_record, typed_resolution
from forecaster.feeds.http import JsonHttp, MalformedAnswer, field, json_list
from forecaster.feeds.records import Pull, PlatformOutcome
from forecaster.settings_feeds import MetaculusSettings
from forecaster.scoring.resolutions import parse_date

PLATFORM = "metaculus"
PAGE_SIZE = 100  # the API's largest page
# The probabilities the server accepts for a binary question (questions/serializers/common.py).
P_MIN, P_MAX = 0.001, 0.999
OUTCOMES = {"yes": 1, "no": 0}
VOID = ("annulled", "ambiguous")
POST_KINDS = ("group_of_questions", "conditional", "notebook")


class MetaculusClient:
    """One Metaculus API (`settings.base_url`), the token on every request when one is set."""

    def __init__(self, settings: MetaculusSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        token = settings.token.get_secret_value() if settings.token else ""
        headers = {"Authorization": f"Token {token}"} if token else {}
        self.has_token = bool(token)
        self.http = JsonHttp(PLATFORM, settings, headers, sleep)
        base = settings.base_url.rstrip("/")
        self.site = base[: -len("/api")] if base.endswith("/api") else base

    def close(self) -> None:
        self.http.close()

    def pull(self, tournament: str, limit: int | None = None) -> Pull:
        """The tournament's open questions of every type (a group's each), following `next` to the end or to
        `limit` questions."""
        questions: list[Question] = []
        skipped: Counter[str] = Counter()
        url: str | None = "/posts/"
        params: dict[str, Any] | None = {"tournaments": tournament, "statuses": "open", "with_cp": "true",
                                         "order_by": "-published_time", "limit": PAGE_SIZE, "offset": 0}
        seen: set[str] = set()
        while url is not None and (limit is None or len(questions) < limit):
            page = self.http.get(url, params)
            for index, post in enumerate(json_list(field(page, "results", PLATFORM, "GET /posts/"), PLATFORM,
                                                   "field 'results' of GET /posts/")):
                found, kinds = self._questions(post, f"GET /posts/ results[{index}]")
                skipped.update(kinds)
                questions += [q for q in found if all(q.id != seen_q.id for seen_q in questions)]
            url, params = self._next(page, seen), None
        return Pull(PLATFORM, questions[:limit] if limit is not None else questions, dict(skipped))

    def _next(self, page: dict, seen: set[str]) -> str | None:
        """The next page's URL; a `next` already followed is a loop, refused before it runs forever."""
        next_url = field(page, "next", PLATFORM, "GET /posts/")
        if next_url is None:
            return None
        if not isinstance(next_url, str) or next_url in seen:
            raise MalformedAnswer(f"{PLATFORM}: field 'next' of GET /posts/ "
                                  f"{'loops back to a page already read' if next_url in seen else 'is not a URL'}"
                                  f" ({str(next_url)[:120]})")
        seen.add(next_url)
        return next_url

    def _questions(self, post: Any, where: str) -> tuple[list[Question], list[str]]:
        """The post's questions (its one question, or each of its group's) of every type we forecast, and the
        kinds skipped (conditionals, notebooks, an empty group, a question whose fields do not fit its type)."""
        subs = sub_questions(post) if isinstance(post, dict) else []
        if not subs:
            return [], [next((k for k in POST_KINDS if isinstance(post, dict) and post.get(k)), "other posts")]
        found, skipped = [], []
        for index, (question, title) in enumerate(subs):
            kind = field(question, "type", PLATFORM, f"{where}.question")
            if kind not in TYPES:
                skipped.append(str(kind))
                continue
            place = f"{where}.question" if post.get("question") else f"{where}.group_of_questions.questions[{index}]"
            try:
                found.append(self._question(post, question, title, place))
            except InputError:
                skipped.append(f"{kind} with fields that do not fit")
        return found, skipped

    def _question(self, post: dict, question: dict, title: str, where: str) -> Question:
        post_id = field(post, "id", PLATFORM, where)
        question_id = field(question, "id", PLATFORM, where)
        criteria = "\n\n".join(t for t in (question.get("resolution_criteria"), question.get("fine_print")) if t)
        binary = question["type"] == "binary"
        return Question(
            id=f"metaculus-{question_id}", text=title or field(post, "title", PLATFORM, where),
            background=question.get("description") or "", resolution_criteria=criteria,
            resolution_date=_date(question.get("scheduled_resolve_time")), source=PLATFORM,
            url=f"{self.site}/questions/{post_id}/", market_probability=community_prediction(question) if binary else None,
            external_id=str(question_id), post_id=str(post_id),
            **typed_fields(typed_record(question), where, f"metaculus-{question_id}"))

    @staticmethod
    def _stored_question(post: Any, question_id: str, where: str) -> dict:
        """The post's question, or the group's question whose id the stored one carries."""
        subs = sub_questions(post) if isinstance(post, dict) else []
        if not subs:
            field(post, "question", PLATFORM, where)  # names what is missing
        wanted = question_id.rsplit("-", 1)[-1]
        match = next((q for q, _ in subs if str(q.get("id")) == wanted), subs[0][0] if len(subs) == 1 else None)
        if match is None:
            raise MalformedAnswer(f"{PLATFORM}: {where} holds no question {wanted}")
        return match

    def post_forecast(self, body: list[dict[str, Any]]) -> Any:
        return self.http.post("/questions/forecast/", body)

    def post_comment(self, body: dict[str, Any]) -> Any:
        return self.http.post("/comments/create/", body)

    def outcome(self, question_id: str, post_id: str, today: dt.date) -> PlatformOutcome | None:
        """How the stored question resolved (re-reading its post), or None while it is open."""
        where = f"GET /posts/{post_id}/"
        question = self._stored_question(self.http.get(f"/posts/{post_id}/"), question_id, where)
        if field(question, "status", PLATFORM, f"{where} question") != "resolved":
            return None
        resolution = field(question, "resolution", PLATFORM, f"{where} question")
        day = _date(question.get("actual_resolve_time")) or today
        if resolution in VOID:
            return PlatformOutcome(question_id, None, day, void=str(resolution))
        if question.get("type", "binary") != "binary" and typed_resolution(resolution):
            return PlatformOutcome(question_id, None, day, typed=typed_resolution(resolution))
        if resolution in OUTCOMES:
            return PlatformOutcome(question_id, OUTCOMES[resolution], day)
        raise MalformedAnswer(f"{PLATFORM}: {where} field 'question.resolution' of a binary question must be "
                              f"yes, no, annulled or ambiguous, got {str(resolution)[:40]!r}")


def forecast_body(external_id: str, probability: float) -> list[dict[str, Any]]:
    """The body `POST /questions/forecast/` takes for one binary question, the probability clipped to the
    server's [0.001, 0.999]."""
    return [{"question": int(external_id), "source": "api",
             "probability_yes": round(min(max(probability, P_MIN), P_MAX), 6)}]


def comment_body(post_id: str, text: str) -> dict[str, Any]:
    """A private comment on the post, shown with the forecast it explains."""
    return {"on_post": int(post_id), "text": text, "is_private": True, "included_forecast": True}


def community_prediction(question: dict) -> float | None:
    """The community's probability of yes (recency weighted), or None where it is hidden or absent."""
    latest = ((question.get("aggregations") or {}).get("recency_weighted") or {}).get("latest") or {}
    centers = latest.get("centers") if isinstance(latest, dict) else None
    value = centers[0] if isinstance(centers, list) and centers else None
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if is_number and 0 <= value <= 1 else None


def _date(value: Any) -> dt.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None
