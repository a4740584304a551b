"""The one HTTP helper every platform client uses: JSON in and out, retries, Retry-After, clear errors.

5xx answers, timeouts and refused connections are retried with doubling waits; a 429 waits for its `Retry-After`
(cut to `max_retry_after_s`). Both use the same budget of attempts, so a platform that never recovers ends the
call with `PlatformUnavailable`. A refused token (401/403) and any other 4xx are not retried. Headers (the token)
never appear in an error: messages name the platform, the method and the path only.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Mapping

import httpx

from forecaster.errors import ForecasterError
from forecaster.retry_after import retry_after_s
from forecaster.settings_feeds import PlatformSettings

# How much of a refused request's answer an error quotes (a platform's validation message).
ANSWER_EXCERPT = 300


class PlatformError(ForecasterError):
    """A platform's answer we cannot use; the message names the platform."""


class TokenRefused(PlatformError):
    """401/403: the token is missing, wrong or lacks the right; nothing more should be sent."""


class RequestRefused(PlatformError):
    """Another 4xx: this request was refused (e.g. a forecast body the platform's validation rejects)."""

    def __init__(self, message: str, status: int, answer: Any) -> None:
        super().__init__(message)
        self.status, self.answer = status, answer  # the platform's answer: parsed JSON, else its text


class PlatformUnavailable(PlatformError):
    """5xx, timeouts or connection failures after every retry."""


class MalformedAnswer(PlatformError):
    """An answer that is not JSON or lacks a field we need (named in the message)."""


class JsonHttp:
    """A platform's JSON API at `settings.base_url`; `headers` go on every request and nowhere else."""

    def __init__(self, platform: str, settings: PlatformSettings, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.platform, self.settings, self.sleep = platform, settings, sleep
        self.base_url = settings.base_url.rstrip("/")
        self.client = httpx.Client(timeout=settings.request_timeout_s, headers=dict(headers or {}))

    def close(self) -> None:
        self.client.close()

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path under the base URL (or a full URL a platform handed back, e.g. a `next` page)."""
        return self.request("GET", path_or_url, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)

    def request(self, method: str, path_or_url: str, params: Mapping[str, Any] | None = None,
                body: Any = None) -> Any:
        """The parsed JSON answer of one request, retried as the module says."""
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.base_url + path_or_url
        what = f"{method} {httpx.URL(url).path}"
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self.client.request(method, url, params=params, json=body)
            except httpx.TransportError as exc:  # timeouts, refused connections, broken streams
                if last:
                    raise PlatformUnavailable(f"{self.platform}: {what} failed after {attempts} attempt(s) "
                                              f"({type(exc).__name__})") from None
                self.sleep(self._backoff(attempt))
                continue
            if response.status_code == 429 and not last:
                self.sleep(self._retry_after(response, attempt))
                continue
            if response.status_code >= 500 and not last:
                self.sleep(self._backoff(attempt))
                continue
            return self._answer(response, what, attempts)
        raise AssertionError("unreachable")  # the last attempt always returns or raises

    def _answer(self, response: httpx.Response, what: str, attempts: int) -> Any:
        status = response.status_code
        if status in (401, 403):
            if "authorization" not in self.client.headers:
                raise TokenRefused(f"{self.platform}: access refused (HTTP {status} on {what}; no token is sent)")
            raise TokenRefused(f"{self.platform}: the token was refused (HTTP {status} on {what}); check "
                               f"feeds.{self.platform}.token")
        if status == 429 or status >= 500:
            raise PlatformUnavailable(f"{self.platform}: {what} answered HTTP {status} after {attempts} attempt(s)")
        if status >= 400:
            text = response.text[:ANSWER_EXCERPT]
            try:
                answer = response.json()
            except (ValueError, UnicodeDecodeError):
                answer = text
            raise RequestRefused(f"{self.platform}: {what} refused with HTTP {status}: {text}", status, answer)
        if not response.content.strip():
            return None  # e.g. a 201 with no body: taken, nothing to read
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            raise MalformedAnswer(f"{self.platform}: the answer to {what} is not JSON "
                                  f"(HTTP {status}, {len(response.content)} bytes)") from None

    def _backoff(self, attempt: int) -> float:
        return self.settings.retry_backoff_s * 2 ** attempt

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        """The wait a 429 asks for (seconds or an HTTP date), within [0, max_retry_after_s]."""
        return retry_after_s(response.headers.get("Retry-After", ""), self._backoff(attempt),
                             self.settings.max_retry_after_s)


def field(data: Any, path: str, platform: str, where: str) -> Any:
    """`data`'s value at a dotted `path` ("question.id"), or MalformedAnswer naming the platform and field."""
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise MalformedAnswer(f"{platform}: {where} lacks field {path!r}")
        value = value[part]
    return value


def json_list(data: Any, platform: str, where: str) -> list:
    """`data` if it is a JSON list (a page of markets), else MalformedAnswer."""
    if not isinstance(data, list):
        raise MalformedAnswer(f"{platform}: {where} must be a JSON list, got {type(data).__name__}")
    return data
