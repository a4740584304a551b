"""One client per platform, built from the settings; pulling a platform's open questions into a questions file."""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path
from typing import Callable, Union

from forecaster.errors import InputError
from forecaster.feeds.files import capped, check_out_path, write_questions
from forecaster.feeds.manifold import ManifoldClient
from forecaster.feeds.metaculus import MetaculusClient
from forecaster.feeds.polymarket import PolymarketClient
from forecaster.feeds.records import PLATFORMS, Pull
from forecaster.settings import Settings

Client = Union[MetaculusClient, ManifoldClient, PolymarketClient]


def open_client(settings: Settings, platform: str, sleep: Callable[[float], None] = time.sleep) -> Client:
    """The platform's client (close it when done)."""
    if platform == "metaculus":
        return MetaculusClient(settings.feeds.metaculus, sleep)
    if platform == "manifold":
        return ManifoldClient(settings.feeds.manifold, sleep)
    if platform == "polymarket":
        return PolymarketClient(settings.feeds.polymarket, sleep)
    raise InputError(f"platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")


def pull(settings: Settings, platform: str, query: str | None = None, limit: int | None = None,
         sleep: Callable[[float], None] = time.sleep) -> Pull:
    """The platform's open binary questions; `query` is Metaculus's tournament (required) or Manifold's term."""
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    if platform == "metaculus" and not (query or "").strip():
        raise InputError("--tournament is required for metaculus (a tournament's numeric id or slug)")
    with closing(open_client(settings, platform, sleep)) as client:
        if isinstance(client, MetaculusClient):
            return client.pull(str(query).strip(), limit)
        if isinstance(client, ManifoldClient):
            return client.pull((query or "").strip(), limit)
        return client.pull(limit)


def pull_to_file(settings: Settings, platform: str, out: str | Path, query: str | None = None,
                 limit: int | None = None, sleep: Callable[[float], None] = time.sleep) -> Pull:
    """`pull`, then write the questions to `out` (.jsonl or .yaml) in one step: whole, or not at all."""
    check_out_path(out)  # before any request: a wrong name should not cost a pull
    pulled = pull(settings, platform, query, limit, sleep)
    write_questions(out, [capped(q, settings.questions) for q in pulled.questions])
    return pulled


def check_feed_parameters(source: str, tournament: str | None, term: str | None, limit: int | None,
                          submit: bool) -> None:
    """The `forecast-feed` flow's parameters, checked before anything runs (they come from the UI too)."""
    if source not in PLATFORMS:
        raise InputError(f"source: must be one of {', '.join(PLATFORMS)}, got {source!r}")
    if source == "metaculus" and not (tournament or "").strip():
        raise InputError("tournament: required when source is metaculus (a tournament's numeric id or slug)")
    if source != "metaculus" and tournament:
        raise InputError(f"tournament: only for metaculus; {source} takes a search term (term) or nothing")
    if term and source != "manifold":
        raise InputError(f"term: only for manifold, not {source}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InputError(f"limit: must be a whole number of at least 1, got {limit!r}")
    if submit and source != "metaculus":
        raise InputError(f"submit: forecasts can be posted to metaculus only, not {source}")
