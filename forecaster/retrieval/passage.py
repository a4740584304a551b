"""The boundary of retrieval: passages handed to the agents, and why a source gave none."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Source = Literal["wikipedia", "local"]


def content_hash(text: str) -> str:
    """A short stable id for a piece of text (sha256, first 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Passage:
    """One ranked piece of context: `score` is the cosine similarity (or the cross-encoder score when reranked)."""

    id: str
    title: str
    text: str
    source: Source
    location: str
    score: float = 0.0


@dataclass(frozen=True)
class SourceFailure:
    """A source that gave no context for this question, and why (for the run's record)."""

    source: str
    reason: str


@dataclass(frozen=True)
class SourceResult:
    """What one source returned: unranked passages, plus warnings such as skipped files."""

    source: Source
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RetrievalResult:
    """The passages chosen for a question, best first, and the sources that failed."""

    passages: list[Passage] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Texts embedded by this call (0 when everything came from the cache).
    embedded: int = 0


def describe_failure(exc: BaseException, limit: int = 300) -> str:
    """One line naming the error type and message, cut to `limit` characters."""
    message = " ".join(str(exc).split()) or "no message"
    line = f"{type(exc).__name__}: {message}"
    return line if len(line) <= limit else line[: limit - 1] + "…"
