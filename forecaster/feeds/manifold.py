"""Manifold: open binary markets (searched by term, offset pages), each market's description, resolutions.

`GET /search-markets?term=&filter=open&contractType=BINARY&limit=&offset=` returns a bare array; pages are read
until an empty one. `GET /market/{id}` adds the description (`textDescription`). Times are milliseconds
since the epoch; `resolution` is YES, NO, MKT or CANCEL (the last two are void here: never scored).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any, Callable

from forecaster.events.questions import Question
from forecaster.feeds.http import JsonHttp, MalformedAnswer, field, json_list
from forecaster.feeds.records import PlatformOutcome, Pull
from forecaster.settings_feeds import ManifoldSettings

PLATFORM = "manifold"
PAGE_SIZE = 1000  # the API's largest page
OUTCOMES = {"YES": 1, "NO": 0}
VOID = ("MKT", "CANCEL")


class ManifoldClient:
    def __init__(self, settings: ManifoldSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = JsonHttp(PLATFORM, settings, None, sleep)

    def close(self) -> None:
        self.http.close()

    def pull(self, term: str = "", limit: int | None = None) -> Pull:
        """Open binary markets matching `term` (all when empty), page by page to the end or to `limit`."""
        questions: list[Question] = []
        skipped: Counter[str] = Counter()
        offset = 0
        while limit is None or len(questions) < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(questions))
            page = json_list(self.http.get("/search-markets", {
                "term": term, "filter": "open", "contractType": "BINARY", "sort": "newest", "limit": size,
                "offset": offset}), PLATFORM, "the answer to GET /search-markets")
            for index, market in enumerate(page):
                where = f"GET /search-markets item {offset + index}"
                kind = market.get("outcomeType") if isinstance(market, dict) else None
                if kind != "BINARY" or market.get("isResolved"):
                    skipped[str(kind) if kind != "BINARY" else "resolved"] += 1
                    continue
                question = self._question(field(market, "id", PLATFORM, where), where)
                if all(q.id != question.id for q in questions):
                    questions.append(question)
            if not page:  # the end (a page shorter than asked is not: the server may cap its pages)
                break
            offset += len(page)
        return Pull(PLATFORM, questions[:limit] if limit is not None else questions, dict(skipped))

    def _question(self, market_id: Any, where: str) -> Question:
        """The market as a question, its description read from `GET /market/{id}`."""
        market = self.http.get(f"/market/{market_id}")
        where = f"GET /market/{market_id}"
        url = str(field(market, "url", PLATFORM, where))
        return Question(
            id=f"manifold-{market_id}", text=str(field(market, "question", PLATFORM, where)),
            background=str(market.get("textDescription") or ""),
            resolution_criteria=f"Resolves as the Manifold market at {url} resolves (YES or NO).",
            resolution_date=_day(market.get("closeTime")), source=PLATFORM, url=url,
            market_probability=_probability(field(market, "probability", PLATFORM, where), where),
            external_id=str(market_id))

    def outcome(self, question_id: str, market_id: str, today: dt.date) -> PlatformOutcome | None:
        """How the market resolved, or None while it has not."""
        where = f"GET /market/{market_id}"
        market = self.http.get(f"/market/{market_id}")
        if not field(market, "isResolved", PLATFORM, where):
            return None
        resolution = field(market, "resolution", PLATFORM, where)
        day = _day(market.get("resolutionTime")) or today
        if resolution in OUTCOMES:
            return PlatformOutcome(question_id, OUTCOMES[resolution], day)
        if resolution in VOID:
            return PlatformOutcome(question_id, None, day, void=resolution)
        raise MalformedAnswer(f"{PLATFORM}: {where} field 'resolution' of a binary market must be YES, NO, MKT or "
                              f"CANCEL, got {str(resolution)[:40]!r}")


def _probability(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise MalformedAnswer(f"{PLATFORM}: {where} field 'probability' must be a number in [0, 1]")
    return float(value)


def _day(ms: Any) -> dt.date | None:
    """A date from milliseconds since the epoch (UTC), or None."""
    if isinstance(ms, bool) or not isinstance(ms, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None
