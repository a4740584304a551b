"""Polymarket (Gamma API): open markets with Yes/No outcomes, offset pages until an empty one, resolutions.

`GET /markets?limit=&offset=&active=true&closed=false&archived=false` returns a bare array. `outcomes` and
`outcomePrices` are JSON-encoded strings (`"[\\"Yes\\", \\"No\\"]"`, `"[\\"0.65\\", \\"0.35\\"]"`). A market is
resolved when `umaResolutionStatus` is "resolved"; the Yes outcome's final price is then 1 or 0 (anything else is
recorded void: never scored).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from typing import Any, Callable

from forecaster.events.questions import Question
from forecaster.feeds.http import JsonHttp, MalformedAnswer, field, json_list
from forecaster.feeds.records import PlatformOutcome, Pull
from forecaster.settings_feeds import PolymarketSettings
from forecaster.scoring.resolutions import parse_date

PLATFORM = "polymarket"
PAGE_SIZE = 500  # what ForecastBench pages with
SITE = "https://polymarket.com"


class PolymarketClient:
    def __init__(self, settings: PolymarketSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http = JsonHttp(PLATFORM, settings, None, sleep)

    def close(self) -> None:
        self.http.close()

    def pull(self, limit: int | None = None) -> Pull:
        """Open Yes/No markets, page by page until an empty page or `limit` questions."""
        questions: list[Question] = []
        skipped: Counter[str] = Counter()
        offset = 0
        while limit is None or len(questions) < limit:
            page = json_list(self.http.get("/markets", {
                "limit": PAGE_SIZE, "offset": offset, "active": "true", "closed": "false", "archived": "false"}),
                PLATFORM, "the answer to GET /markets")
            if not page:
                break
            for index, market in enumerate(page):
                question = _question(market, f"GET /markets item {offset + index}")
                if question is None:
                    skipped["not Yes/No"] += 1
                elif all(q.id != question.id for q in questions):
                    questions.append(question)
            offset += len(page)
        return Pull(PLATFORM, questions[:limit] if limit is not None else questions, dict(skipped))

    def outcome(self, question_id: str, market_id: str, today: dt.date) -> PlatformOutcome | None:
        """How the market resolved, or None while it has not."""
        where = f"GET /markets/{market_id}"
        market = self.http.get(f"/markets/{market_id}")
        if not isinstance(market, dict) or market.get("umaResolutionStatus") != "resolved":
            return None
        price = yes_price(market, where)
        day = _date(market.get("closedTime")) or _date(market.get("endDate")) or today
        if price in (0.0, 1.0):
            return PlatformOutcome(question_id, int(price), day)
        return PlatformOutcome(question_id, None, day, void=f"final Yes price {price}")


def _question(market: Any, where: str) -> Question | None:
    """The market as a question, or None when its outcomes are not exactly Yes and No."""
    outcomes = _decoded(field(market, "outcomes", PLATFORM, where), "outcomes", where)
    if [str(o).strip().lower() for o in outcomes] not in (["yes", "no"], ["no", "yes"]):
        return None
    market_id = field(market, "id", PLATFORM, where)
    slug = market.get("slug") or ""
    return Question(
        id=f"polymarket-{market_id}", text=str(field(market, "question", PLATFORM, where)),
        resolution_criteria=str(market.get("description") or ""),
        resolution_date=_date(market.get("endDate")), source=PLATFORM,
        url=f"{SITE}/market/{slug}" if slug else "", market_probability=yes_price(market, where),
        external_id=str(market_id))


def yes_price(market: dict, where: str) -> float:
    """The Yes outcome's price, from the two JSON-encoded lists; MalformedAnswer naming the field otherwise."""
    outcomes = _decoded(field(market, "outcomes", PLATFORM, where), "outcomes", where)
    prices = _decoded(field(market, "outcomePrices", PLATFORM, where), "outcomePrices", where)
    labels = [str(o).strip().lower() for o in outcomes]
    if "yes" not in labels or len(prices) != len(labels):
        raise MalformedAnswer(f"{PLATFORM}: {where} field 'outcomePrices' must hold one price per outcome")
    try:
        price = float(prices[labels.index("yes")])
    except (TypeError, ValueError):
        price = -1.0
    if not 0 <= price <= 1:
        raise MalformedAnswer(f"{PLATFORM}: {where} field 'outcomePrices' must hold prices in [0, 1]")
    return price


def _decoded(value: Any, name: str, where: str) -> list:
    """A JSON-encoded list (how Gamma sends `outcomes` and `outcomePrices`); a plain list is taken as it is."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise MalformedAnswer(f"{PLATFORM}: {where} field {name!r} is not a JSON-encoded list") from None
    if not isinstance(value, list):
        raise MalformedAnswer(f"{PLATFORM}: {where} field {name!r} must be a JSON-encoded list")
    return value


def _date(value: Any) -> dt.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None
