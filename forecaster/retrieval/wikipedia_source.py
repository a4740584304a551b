"""Wikipedia through the `wikipedia` package: search by key terms, page text of the top hits (or as of a date)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, Iterator

import requests
import wikipedia
import wikipedia.wikipedia as wiki_client

from forecaster.retrieval.passage import Passage, SourceResult
from forecaster.retrieval.store import Article, RetrievalStore
from forecaster.retrieval.text import key_terms, wikitext_to_text
from forecaster.settings import RetrievalSettings

log = logging.getLogger(__name__)

USER_AGENT = "forecaster-retrieval/0.1 (https://github.com/; event forecasting research)"
# The client keeps its address, user agent and HTTP module in module globals: one configuration at a time.
_client_lock = threading.Lock()


class _TimedRequests:
    """Stands in for the `requests` module inside the client: adds a timeout and rejects HTTP errors.

    The `wikipedia` package calls `requests.get` with no timeout and parses any body as JSON, so a hung
    server would hang the run and a 500 page would surface as a confusing JSON error.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        response = requests.get(url, **kwargs)
        response.raise_for_status()
        return response


@contextmanager
def wikipedia_client(settings: RetrievalSettings) -> Iterator[None]:
    """The `wikipedia` client pointed at the configured API address, with timeout, for the duration."""
    with _client_lock:
        saved = (wiki_client.API_URL, wiki_client.requests, wiki_client.USER_AGENT)
        wiki_client.API_URL = settings.wikipedia_api_url
        wiki_client.requests = _TimedRequests(settings.wikipedia_timeout_s)
        wiki_client.USER_AGENT = USER_AGENT
        # Its in-process search cache is keyed by query only, not address: ours lives in SQLite instead.
        wikipedia.search.clear_cache()
        try:
            yield
        finally:
            wiki_client.API_URL, wiki_client.requests, wiki_client.USER_AGENT = saved


def fetch_wikipedia(question_text: str, settings: RetrievalSettings, store: RetrievalStore, *,
                    as_of: date | None = None) -> SourceResult:
    """Passages (unranked) from the top Wikipedia hits for the question, as the pages stood on `as_of` if given.

    Raises on a transport or protocol fault (timeout, HTTP error, malformed JSON) so the caller can retry;
    a page that is missing, ambiguous or younger than `as_of` is skipped with a warning.
    """
    if settings.wikipedia_max_pages == 0:
        return SourceResult("wikipedia")
    ttl = timedelta(hours=settings.wikipedia_cache_ttl_h)
    warnings: list[str] = []
    passages: list[Passage] = []
    with wikipedia_client(settings):
        for title in _search(question_text, settings, store, ttl, as_of):
            article = _article(title, settings, store, ttl, as_of, warnings)
            if article is not None:
                passages.extend(store.passages(article, settings.passage_chars))
    for warning in warnings:
        log.warning("wikipedia: %s", warning)
    return SourceResult("wikipedia", passages, warnings)


def _search(question_text: str, settings: RetrievalSettings, store: RetrievalStore, ttl: timedelta,
            as_of: date | None) -> list[str]:
    terms = key_terms(question_text)
    if not terms:
        return []
    key = f"wikipedia:search:{settings.wikipedia_api_url}:{settings.wikipedia_max_pages}:{as_of}:{' '.join(terms)}"
    cached = store.lookup(key, ttl)
    if cached is not None:
        return cached
    titles: list[str] = []
    # All terms first (precise), then the leading few (recall) when that finds too little.
    for query in dict.fromkeys([" ".join(terms), " ".join(terms[:3])]):
        for title in wikipedia.search(query, results=settings.wikipedia_max_pages):
            if title not in titles:
                titles.append(title)
        if len(titles) >= settings.wikipedia_max_pages:
            break
    titles = titles[: settings.wikipedia_max_pages]
    store.record(key, titles)
    return titles


def _article(title: str, settings: RetrievalSettings, store: RetrievalStore, ttl: timedelta, as_of: date | None,
             warnings: list[str]) -> Article | None:
    key = f"wikipedia:page:{settings.wikipedia_api_url}:{as_of or 'latest'}:{title}"
    # A page as it stood on a past date never changes; the latest text is refetched after the TTL.
    cached = store.lookup(key, None if as_of else ttl)
    if cached is not None:
        return store.article(cached["article_id"]) if cached.get("article_id") else None
    article: Article | None = None
    try:
        page = wikipedia.page(title, auto_suggest=False, redirect=True)
    except wikipedia.DisambiguationError:
        warnings.append(f"skipped {title!r}: a disambiguation page")
    except wikipedia.PageError:
        warnings.append(f"skipped {title!r}: no such page")
    else:
        if as_of is None:
            article = store.save_article("wikipedia", page.title, page.url, page.content, str(page.revision_id))
        else:
            article = _page_as_of(page, as_of, store)
            if article is None:
                warnings.append(f"skipped {title!r}: no revision on or before {as_of}")
    store.record(key, {"article_id": article.id if article else None})
    return article


def _page_as_of(page: wikipedia.WikipediaPage, as_of: date, store: RetrievalStore) -> Article | None:
    """The page's last revision on or before the end of `as_of` (UTC), as plain text; None if it did not exist."""
    # The package has no call for old revisions; its request helper keeps the address, agent and timeout.
    data = wiki_client._wiki_request({
        "prop": "revisions",
        "titles": page.title,
        "rvprop": "ids|timestamp|content",
        "rvslots": "main",
        "rvlimit": 1,
        "rvdir": "older",
        "rvstart": f"{as_of.isoformat()}T23:59:59Z",
    })
    pages = data["query"]["pages"]
    revisions = next(iter(pages.values())).get("revisions") or []
    if not revisions:
        return None
    revision = revisions[0]
    slot = revision.get("slots", {}).get("main", revision)
    wikitext = slot.get("*", slot.get("content"))
    if wikitext is None:
        raise ValueError(f"revision {revision.get('revid')} of {page.title!r} carries no content")
    location = f"{page.url}?oldid={revision['revid']}"
    return store.save_article("wikipedia", page.title, location, wikitext_to_text(wikitext), str(revision["revid"]))
