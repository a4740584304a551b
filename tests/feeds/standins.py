"""Stand-ins for Metaculus, Manifold and Polymarket: real HTTP servers on 127.0.0.1 speaking the documented shapes.

Each serves from a thread (`ThreadingHTTPServer`), records every request (method, path, query, JSON body,
headers) and serves queued faults first (`fail`): a status with a body and headers, e.g. 429 with Retry-After,
a 503, a body that is not JSON. Shapes follow /work/shared/notes/question-platforms.md.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.feeds.metaculus_rules import TYPED_FIELDS, forecast_error, forecast_value


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Fault:
    method: str
    path: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


Answer = tuple[int, Any]  # status, JSON-able body (bytes are sent as they are)


class StandIn:
    """A platform's API on 127.0.0.1: subclasses answer `route`; faults queued with `fail` come first."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.page_cap = 1000  # the most items a page holds, whatever the request asks (to test paging)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "StandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, path: str, status: int, body: bytes | str = b"", times: int = 1,
             headers: dict[str, str] | None = None, delay_s: float = 0.0) -> None:
        """Answer the next `times` requests to (method, path) with this status and body, after `delay_s`."""
        raw = body.encode() if isinstance(body, str) else body
        self.faults += [Fault(method, path, status, raw, dict(headers or {}), delay_s) for _ in range(times)]

    def seen(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def answer(self, request: Request) -> tuple[int, bytes, dict[str, str]]:
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if (f.method, f.path) == (request.method, request.path)), None)
            if fault is not None:
                self.faults.remove(fault)
            else:
                status, body = self.route(request)
        if fault is not None:
            time.sleep(fault.delay_s)  # outside the lock: a slow answer holds up no other request
            return fault.status, fault.body, fault.headers
        return status, body if isinstance(body, bytes) else json.dumps(body).encode(), {}

    def route(self, request: Request) -> Answer:
        raise NotImplementedError


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            status, payload, headers = standin.answer(
                Request(method, parts.path, query, body, {k.lower(): v for k, v in self.headers.items()}))
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nothing to answer

        def log_message(self, *args: Any) -> None:  # quiet: tests read `requests` instead
            pass

    return Handler


# ----------------------------------------------------------------------------------------------- Metaculus
def metaculus_post(post_id: int, question_id: int, kind: str = "binary", tournament: str = "aib",
                   cp: float | None = 0.3, title: str | None = None) -> dict[str, Any]:
    """A post holding one question, as `GET /api/posts/` lists it (binary unless `kind` says otherwise)."""
    question = {
        "id": question_id, "post_id": post_id, "title": title or f"Will event {question_id} happen by 2027?",
        "type": kind, "description": f"Background of question {question_id}.",
        "resolution_criteria": f"Resolves yes if event {question_id} happens.", "fine_print": "Fine print.",
        "status": "open", "open_time": "2026-11-01T00:00:00Z", "scheduled_close_time": "2027-05-01T00:00:00Z",
        "scheduled_resolve_time": "2027-06-30T00:00:00Z", "actual_resolve_time": None, "resolution": None,
        "aggregations": {"recency_weighted": {"latest": {"centers": [cp]} if cp is not None else None}},
        **TYPED_FIELDS.get(kind, {}),
    }
    return {"id": post_id, "title": question["title"], "slug": f"event-{question_id}", "status": "open",
            "resolved": False, "projects": {"tournament": [{"id": 32813, "slug": tournament}]},
            "question": question}


def metaculus_group(post_id: int, question_ids: list[int], kind: str = "numeric") -> dict[str, Any]:
    """A post holding a group of questions, each with a label (the group's sub-questions)."""
    post = metaculus_post(post_id, question_ids[0], kind=kind, title=f"Group {post_id}")
    subs = [{**metaculus_post(post_id, q, kind=kind)["question"], "label": f"part {q}"} for q in question_ids]
    return {**post, "question": None, "group_of_questions": {"questions": subs}}


class MetaculusStandIn(StandIn):
    """`/api/posts/` (offset pages, `next` URLs), `/api/posts/{id}/`, `/api/questions/forecast/` validating
    bodies as the server does for binary questions, `/api/comments/create/`; every request needs the token."""

    def __init__(self, posts: list[dict[str, Any]], token: str = "s3cret-token") -> None:
        super().__init__()
        self.posts = {p["id"]: p for p in posts}
        self.token = token
        self.forecasts: dict[int, list[float]] = {}
        self.comments: list[dict[str, Any]] = []
        self.next_loops = False  # every page's `next` points back at the page itself

    def questions(self) -> dict[int, dict[str, Any]]:
        """Every question by id, a group's included."""
        found = {}
        for post in self.posts.values():
            subs = [post["question"]] if post.get("question") else (post.get("group_of_questions") or {}).get(
                "questions", [])
            found.update({q["id"]: q for q in subs})
        return found

    def resolve(self, post_id: int, resolution: str, when: str = "2027-07-01T12:00:00Z",
                question_id: int | None = None) -> None:
        post = self.posts[post_id]
        question = post["question"] if question_id is None else self.questions()[question_id]
        question.update(status="resolved", resolution=resolution, actual_resolve_time=when)

    def route(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Token {self.token}":
            return 401, {"detail": "Invalid token."}
        match = re.fullmatch(r"/api/posts/(\d+)/", request.path)
        if request.method == "GET" and request.path == "/api/posts/":
            return 200, self._page(request)
        if request.method == "GET" and match:
            post = self.posts.get(int(match.group(1)))
            return (200, post) if post else (404, {"detail": "Not found."})
        if request.method == "POST" and request.path == "/api/questions/forecast/":
            return self._forecast(request.body)
        if request.method == "POST" and request.path == "/api/comments/create/":
            return self._comment(request.body)
        return 404, {"detail": "Not found."}

    def _page(self, request: Request) -> dict[str, Any]:
        q = request.query
        wanted = [p for p in self.posts.values()
                  if (not q.get("tournaments") or any(q["tournaments"] in (str(t["id"]), t["slug"])
                                                      for t in p["projects"]["tournament"]))
                  and (not q.get("statuses") or p["status"] in q["statuses"].split(","))]
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", 20)), 100, self.page_cap)
        more = offset + limit < len(wanted)
        next_query = {**q, "offset": offset + limit}
        next_url = f"{self.url}/api/posts/?{urlencode(next_query)}" if more else None
        if self.next_loops:
            next_url = f"{self.url}/api/posts/?{urlencode(q)}"
        return {"next": next_url, "previous": None, "results": wanted[offset: offset + limit]}

    def _forecast(self, body: Any) -> Answer:
        """The server's rules (tests/feeds/metaculus_rules.py): a list of items, each a known question with the
        body its type needs, meeting that type's rules; all refused when one breaks a rule."""
        if not isinstance(body, list) or not body:
            return 400, {"non_field_errors": ["Expected a non-empty list of forecasts."]}
        questions = self.questions()
        for item in body:
            question = questions.get(item.get("question")) if isinstance(item, dict) else None
            if question is None:
                return 400, {"question": ["Invalid question id."]}
            broken = forecast_error(item, question)
            if broken is not None:
                return 400, {broken[0]: [broken[1]]}
        for item in body:
            self.forecasts.setdefault(item["question"], []).append(forecast_value(item, questions[item["question"]]))
        return 201, {}

    def _comment(self, body: Any) -> Answer:
        if not isinstance(body, dict) or body.get("on_post") not in self.posts or not body.get("text"):
            return 400, {"on_post": ["A known post and a text are required."]}
        self.comments.append(body)
        return 201, {"id": len(self.comments), **body}


# ------------------------------------------------------------------------------------------------ Manifold
def manifold_market(market_id: str, kind: str = "BINARY", probability: float = 0.62,
                    close_ms: int = 1_814_400_000_000) -> dict[str, Any]:
    """A market as `GET /v0/market/{id}` returns it (search results are the same without textDescription)."""
    return {"id": market_id, "question": f"Will market {market_id} resolve YES?", "outcomeType": kind,
            "url": f"https://manifold.markets/someone/{market_id}", "probability": probability,
            "createdTime": 1_790_000_000_000, "closeTime": close_ms, "isResolved": False, "resolution": None,
            "resolutionTime": None, "uniqueBettorCount": 12, "volume": 340.0,
            "textDescription": f"Description of {market_id}."}


class ManifoldStandIn(StandIn):
    """`/v0/search-markets` (term, filter=open, contractType=BINARY, limit, offset; a bare array) and
    `/v0/market/{id}`."""

    def __init__(self, markets: list[dict[str, Any]]) -> None:
        super().__init__()
        self.markets = {m["id"]: m for m in markets}

    def resolve(self, market_id: str, resolution: str, when_ms: int = 1_815_000_000_000) -> None:
        self.markets[market_id].update(isResolved=True, resolution=resolution, resolutionTime=when_ms)

    def route(self, request: Request) -> Answer:
        match = re.fullmatch(r"/v0/market/([A-Za-z0-9]+)", request.path)
        if request.method == "GET" and match:
            market = self.markets.get(match.group(1))
            return (200, market) if market else (404, {"message": "Contract not found"})
        if request.method != "GET" or request.path != "/v0/search-markets":
            return 404, {"message": "Not found"}
        q = request.query
        found = [{k: v for k, v in m.items() if k != "textDescription"} for m in self.markets.values()
                 if q.get("term", "").lower() in m["question"].lower()
                 and (q.get("filter") != "open" or not m["isResolved"])
                 and q.get("contractType", "ALL") in ("ALL", m["outcomeType"])]
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", 100)), 1000, self.page_cap)
        return 200, found[offset: offset + limit]


# ---------------------------------------------------------------------------------------------- Polymarket
def polymarket_market(market_id: str, outcomes: tuple[str, ...] = ("Yes", "No"),
                      prices: tuple[str, ...] = ("0.65", "0.35")) -> dict[str, Any]:
    """A Gamma market: `outcomes` and `outcomePrices` as JSON-encoded strings."""
    return {"id": market_id, "conditionId": f"0x{int(market_id):064x}", "slug": f"market-{market_id}",
            "question": f"Will Polymarket market {market_id} resolve Yes?", "description": f"Rules of {market_id}.",
            "outcomes": json.dumps(list(outcomes)), "outcomePrices": json.dumps(list(prices)), "active": True,
            "closed": False, "endDate": "2027-03-31T12:00:00Z", "closedTime": None, "umaResolutionStatus": None,
            "volumeNum": 1000.0, "liquidityNum": 200.0}


class PolymarketStandIn(StandIn):
    """`/markets` (limit, offset, active/closed filters; a bare array, empty past the end) and `/markets/{id}`."""

    def __init__(self, markets: list[dict[str, Any]]) -> None:
        super().__init__()
        self.markets = {m["id"]: m for m in markets}

    def resolve(self, market_id: str, yes_price: str) -> None:
        market = self.markets[market_id]
        labels = [o.lower() for o in json.loads(market["outcomes"])]
        prices = ["0"] * len(labels)
        prices[labels.index("yes")] = yes_price
        market.update(closed=True, active=False, umaResolutionStatus="resolved", outcomePrices=json.dumps(prices),
                      closedTime="2027-04-01 10:00:00+00")

    def route(self, request: Request) -> Answer:
        match = re.fullmatch(r"/markets/(\d+)", request.path)
        if request.method == "GET" and match:
            market = self.markets.get(match.group(1))
            return (200, market) if market else (404, {"error": "market not found"})
        if request.method != "GET" or request.path != "/markets":
            return 404, {"error": "not found"}
        q = request.query
        found = [m for m in self.markets.values()
                 if (q.get("closed") != "false" or not m["closed"]) and (q.get("active") != "true" or m["active"])]
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", 100)), self.page_cap)
        return 200, found[offset: offset + limit]
