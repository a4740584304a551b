"""A small MediaWiki API on 127.0.0.1 serving given articles: for tests, benchmarks and offline demos.

It answers the calls the `wikipedia` client makes (search, page info, page text) and the revisions query
used for `as_of`, in the JSON shapes of the real API (format version 1). `mode` makes it misbehave:
"error500" answers HTTP 500, "garbage" answers malformed JSON, "hang" answers only after `hang_s`.
`fail_first` misbehaves (per `mode`) on that many requests, then answers normally. `port` 0 picks a free
port; after `stop()` the address stays known (`url`), so a client sees connection refused there, and a new
fixture given that `port` serves the same address again.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

Mode = str  # "ok" | "error500" | "garbage" | "hang"


@dataclass(frozen=True)
class Revision:
    """One saved version of a page: `timestamp` is ISO 8601 UTC ("2023-05-01T12:00:00Z")."""

    revid: int
    timestamp: str
    wikitext: str


@dataclass(frozen=True)
class FixtureArticle:
    """A page: its current plain text, and optionally its revision history (oldest first)."""

    title: str
    text: str
    revisions: tuple[Revision, ...] = ()


@dataclass
class MediaWikiFixture:
    """The server: `url` is the api.php address once started; `requests` records each query's parameters."""

    articles: list[FixtureArticle]
    mode: Mode = "ok"
    fail_first: int | None = None
    hang_s: float = 5.0
    port: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The api.php address; still the same after `stop()` (nothing listens there then)."""
        assert self.port, "server never started"
        return f"http://127.0.0.1:{self.port}/w/api.php"

    def start(self) -> "MediaWikiFixture":
        handler = type("Handler", (_Handler,), {"fixture": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "MediaWikiFixture":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def queries(self, kind: str) -> list[dict[str, str]]:
        """Recorded requests of one kind: "search", "info", "extracts" or "revisions"."""
        return [r for r in self.requests if _kind(r) == kind]

    # What the server answers
    def _misbehaves(self) -> bool:
        with self._lock:
            count = len(self.requests)
        return self.mode != "ok" and (self.fail_first is None or count <= self.fail_first)

    def answer(self, params: dict[str, str]) -> dict:
        kind = _kind(params)
        if kind == "search":
            return self._search(params)
        if kind in ("info", "extracts", "revisions"):
            article = self._find(params.get("titles", ""))
            if article is None:
                return {"query": {"pages": {"-1": {"ns": 0, "title": params.get("titles", ""), "missing": ""}}}}
            return {"query": {"pages": {self._pageid(article): getattr(self, f"_{kind}")(article, params)}}}
        return {"error": {"code": "badvalue", "info": f"unsupported request: {params}"}}

    def _search(self, params: dict[str, str]) -> dict:
        terms = [t.lower() for t in params.get("srsearch", "").split()]
        limit = int(params.get("srlimit", 10))
        hits = []
        for article in self.articles:
            haystack = f"{article.title} {article.text}".lower()
            matched = sum(term in haystack for term in terms)
            if matched:
                hits.append((-matched, self.articles.index(article), article.title))
        return {"batchcomplete": "", "query": {"search": [
            {"ns": 0, "title": title} for _, _, title in sorted(hits)[:limit]]}}

    def _info(self, article: FixtureArticle, params: dict[str, str]) -> dict:
        return {"pageid": int(self._pageid(article)), "ns": 0, "title": article.title,
                "fullurl": f"https://wiki.example/wiki/{article.title.replace(' ', '_')}"}

    def _extracts(self, article: FixtureArticle, params: dict[str, str]) -> dict:
        revid = article.revisions[-1].revid if article.revisions else 1000 + int(self._pageid(article))
        return {"pageid": int(self._pageid(article)), "ns": 0, "title": article.title, "extract": article.text,
                "revisions": [{"revid": revid, "parentid": revid - 1}]}

    def _revisions(self, article: FixtureArticle, params: dict[str, str]) -> dict:
        page = {"pageid": int(self._pageid(article)), "ns": 0, "title": article.title}
        start = params.get("rvstart")
        older = [r for r in article.revisions if start is None or r.timestamp <= start]
        if older:
            rev = older[-1]
            page["revisions"] = [{"revid": rev.revid, "parentid": rev.revid - 1, "timestamp": rev.timestamp,
                                  "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                                     "*": rev.wikitext}}}]
        return page

    def _find(self, title: str) -> FixtureArticle | None:
        return next((a for a in self.articles if a.title == title), None)

    def _pageid(self, article: FixtureArticle) -> str:
        return str(100 + self.articles.index(article))


def _kind(params: dict[str, str]) -> str:
    prop = params.get("prop", "")
    if params.get("list") == "search":
        return "search"
    if "extracts" in prop:
        return "extracts"
    if "revisions" in prop:
        return "revisions"
    if "info" in prop:
        return "info"
    return "other"


class _Handler(BaseHTTPRequestHandler):
    fixture: MediaWikiFixture

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        if url.path != "/w/api.php":
            self._send(404, b"not found", "text/plain")
            return
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with self.fixture._lock:
            self.fixture.requests.append(params)
        if self.fixture._misbehaves():
            self._misbehave()
            return
        self._send(200, json.dumps(self.fixture.answer(params)).encode(), "application/json; charset=utf-8")

    def _misbehave(self) -> None:
        mode = self.fixture.mode
        if mode == "error500":
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif mode == "garbage":
            self._send(200, b'{"query": {"search": [', "application/json")
        elif mode == "hang":
            time.sleep(self.fixture.hang_s)
            self._send(200, b"{}", "application/json")
        else:
            raise ValueError(f"unknown mode {mode!r}")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer

    def log_message(self, format: str, *args: object) -> None:
        pass
