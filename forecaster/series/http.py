"""GET JSON from a series source: retries, Retry-After, and errors that name the source but never a key.

5xx answers, timeouts and refused connections are retried with doubling waits; a 429 waits for its `Retry-After`
(cut to `max_retry_after_s`); both spend one budget of attempts. A 4xx is not retried. FRED takes its key as a
query parameter, so every message names the path only, and httpx's own request log lines are redacted.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable, Mapping

import httpx

from forecaster.errors import ForecasterError
from forecaster.retry_after import retry_after_s
from forecaster.settings_feeds import PlatformSettings

_KEY = re.compile(r"(api_key=)[^&\s\"']+")
# Yahoo answers a client without a browser-like agent with 429s.
USER_AGENT = "Mozilla/5.0 (forecaster series member)"


class SourceError(ForecasterError):
    """A series could not be had from its source; the message names the source and why."""


class SourceRefused(SourceError):
    """A 4xx: the key was refused, the series does not exist, or the request was wrong. Not retried."""

    def __init__(self, message: str, status: int, answer: Any = None) -> None:
        super().__init__(message)
        self.status, self.answer = status, answer


class SourceUnreachable(SourceError):
    """The source could not be reached at all (DNS, refused connection, TLS): later series skip it."""


class _RedactKeys(logging.Filter):
    """Blanks `api_key=...` in a log record (httpx logs every request's full URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_KEY.sub(r"\1***", str(a)) if "api_key=" in str(a) else a for a in record.args)
        if isinstance(record.msg, str) and "api_key=" in record.msg:
            record.msg = _KEY.sub(r"\1***", record.msg)
        return True


def redact_httpx_logs() -> None:
    """Install the redacting filter on httpx's loggers once."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactKeys) for f in logger.filters):
            logger.addFilter(_RedactKeys())


class SourceHttp:
    """One source's JSON API at `settings.base_url`."""

    def __init__(self, source: str, settings: PlatformSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        redact_httpx_logs()
        self.source, self.settings, self.sleep = source, settings, sleep
        self.base_url = settings.base_url.rstrip("/")
        self.client = httpx.Client(timeout=settings.request_timeout_s, headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The parsed JSON answer to GET `path` (under the base URL), retried as the module says."""
        url, what = self.base_url + path, f"GET {path}"
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                if last:
                    kind = SourceUnreachable if isinstance(exc, httpx.ConnectError) else SourceError
                    raise kind(f"{self.source}: {what} failed after {attempts} attempt(s) "
                               f"({type(exc).__name__})") from None
                self.sleep(self.settings.retry_backoff_s * 2 ** attempt)
                continue
            if (response.status_code == 429 or response.status_code >= 500) and not last:
                self.sleep(self._wait(response, attempt))
                continue
            return self._answer(response, what, attempts)
        raise AssertionError("unreachable")

    def _answer(self, response: httpx.Response, what: str, attempts: int) -> Any:
        status = response.status_code
        if status == 429 or status >= 500:
            raise SourceError(f"{self.source}: {what} answered HTTP {status} after {attempts} attempt(s)")
        try:
            answer = response.json()
        except (ValueError, UnicodeDecodeError):
            answer = None
        if status >= 400:
            raise SourceRefused(f"{self.source}: {what} refused with HTTP {status}", status, answer)
        if answer is None:
            raise SourceError(f"{self.source}: the answer to {what} is not JSON (HTTP {status})")
        return answer

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        """A 429's Retry-After within [0, max_retry_after_s]; else the backoff."""
        backoff = self.settings.retry_backoff_s * 2 ** attempt
        value = response.headers.get("Retry-After", "") if response.status_code == 429 else ""
        return retry_after_s(value, backoff, self.settings.max_retry_after_s)


def need(data: Any, path: str, source: str) -> Any:
    """`data`'s value at a dotted path ("series.docs"), or SourceError naming the source and field."""
    value = data
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise SourceError(f"{source}: the answer lacks field {path!r}")
    return value
