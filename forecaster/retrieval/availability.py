"""Sources that are down for the rest of a run.

A source that cannot be reached at all (its host name does not resolve, the connection is refused, the TLS
handshake fails) will not come back within one run, so asking it again for every question only costs its
retries. `SourceAvailability` records such sources for one run; `connection_failure` tells that kind of
failure from a slow answer (a timeout) or a server fault (HTTP 5xx), which are worth retrying per question.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Iterator

import requests
import urllib3.exceptions

from forecaster.retrieval.passage import SourceFailure, describe_failure

UNAVAILABLE = "source unavailable"


def connection_failure(exc: BaseException) -> str | None:
    """What kind of connection failure `exc` is ("DNS failure", "connection refused", "TLS error"), or None.

    Looks through everything `exc` wraps (`__cause__`, `__context__`, urllib3's `reason`, exceptions among
    `args`), so a `requests` error raised through the `wikipedia` package is classified by its root cause.
    A timeout (read or connect) and an HTTP error status are never connection failures.
    """
    chain = list(_wrapped(exc))
    if any(_is_timeout(e) or isinstance(e, requests.HTTPError) for e in chain):
        return None
    for kind, types in _KINDS:
        if any(isinstance(e, types) for e in chain):
            return kind
    return None


_KINDS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("DNS failure", (socket.gaierror, urllib3.exceptions.NameResolutionError)),
    ("connection refused", (ConnectionRefusedError,)),
    ("TLS error", (ssl.SSLError, urllib3.exceptions.SSLError, requests.exceptions.SSLError)),
)


def _is_timeout(exc: BaseException) -> bool:
    # urllib3 files NewConnectionError (refused, DNS) under ConnectTimeoutError for old callers' sake: not a timeout.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(exc, (requests.Timeout, TimeoutError, urllib3.exceptions.TimeoutError))


def _wrapped(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it wraps, each once."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending.extend(e for e in inner if isinstance(e, BaseException))


class SourceAvailability:
    """One run's record of the sources found unreachable, with why; safe to share between threads.

    A plain object (not a dataclass) on purpose: Prefect passes it into tasks as it is, so every question
    of a run sees the same record.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[str, str] = {}

    def skip(self, source: str) -> SourceFailure | None:
        """The failure to record instead of fetching `source`, or None when it may be fetched."""
        with self._lock:
            reason = self._reasons.get(source)
        return None if reason is None else SourceFailure(source, f"{UNAVAILABLE}: {reason}")

    def record(self, source: str, exc: BaseException) -> str | None:
        """After `source` failed (its retries spent) with `exc`: mark it when the failure is connection-level.

        Returns the reason when this call marked it (once per run, so the caller warns once), else None.
        """
        kind = connection_failure(exc)
        return None if kind is None else self.mark(source, f"{kind}: {describe_failure(exc)}")

    def mark(self, source: str, reason: str) -> str | None:
        """Mark `source` unavailable for the run; the reason when newly marked, None when it already was."""
        with self._lock:
            if source in self._reasons:
                return None
            self._reasons[source] = reason
            return reason

    def unavailable(self) -> dict[str, str]:
        """The sources marked so far and why."""
        with self._lock:
            return dict(self._reasons)

    def __repr__(self) -> str:
        return f"SourceAvailability({self.unavailable()!r})"
