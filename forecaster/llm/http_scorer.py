"""Server mode: the TokenScorer protocol over a running vLLM OpenAI-compatible server.

The read-out asks only for chosen next-token log-probabilities, which vLLM's /v1/completions gives through
its `logprob_token_ids` extension on token-id prompts, so the same digit-trie read-out runs unchanged.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import httpx

from forecaster.errors import ForecasterError
from forecaster.llm.scorer import DEFAULT_BLOCK_SIZE, MAX_IDS_PER_REQUEST, NextTokenQuery
from forecaster.settings import ServerSettings, Settings

log = logging.getLogger(__name__)

TOKEN_ID_PREFIX = "token_id:"


class ServerError(ForecasterError):
    """The vLLM server refused a request, or stayed unreachable through every retry."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status of a refusal; None when the server was unreachable

    @property
    def refused(self) -> bool:
        """The server refused this request (4xx): another request may well succeed."""
        return self.status is not None and 400 <= self.status < 500


class HTTPScorer:
    """Scores next tokens and writes text with a vLLM server over HTTP."""

    def __init__(self, server: ServerSettings, model_key: str, tokenizer: Any, block_size: int,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.server = server
        self.model_key = model_key
        self.tokenizer = tokenizer
        self.block_size = block_size
        self.max_model_len: int | None = None  # the server checks lengths; a refused prompt fails alone
        self._sleep = sleep
        headers = {}
        if server.api_key is not None:
            headers["Authorization"] = f"Bearer {server.api_key.get_secret_value()}"
        self._client = httpx.Client(
            base_url=server.base_url.rstrip("/"), headers=headers,
            timeout=httpx.Timeout(server.request_timeout_s, connect=server.connect_timeout_s))

    def health(self) -> None:
        """Wait (with the retry policy) until the server's /health answers 200."""
        self._request("GET", "/health")

    def next_token_logprobs(self, queries: Sequence[NextTokenQuery]) -> list[dict[int, float]]:
        results: list[dict[int, float]] = [{} for _ in queries]
        requests = [(batch, ids[start : start + MAX_IDS_PER_REQUEST])
                    for batch in _batches(list(enumerate(queries)), self.server.max_prompts_per_request)
                    for ids in [sorted({t for _, q in batch for t in q.token_ids})]
                    for start in range(0, len(ids), MAX_IDS_PER_REQUEST)]
        # Sent side by side (bounded) so the server batches them, as an in-process engine would.
        answers = self._concurrently(lambda r: self._score([q.prefix_ids for _, q in r[0]], r[1]), requests)
        for (batch, _), steps in zip(requests, answers):
            for (i, q), step in zip(batch, steps):
                results[i].update({t: step[t] for t in q.token_ids if t in step})
        for i, (query, found) in enumerate(zip(queries, results)):
            missing = set(query.token_ids) - set(found)
            if missing:
                raise ServerError(f"server {self.server.base_url}: query {i} got no log-probability for "
                                  f"token ids {sorted(missing)[:5]}")
        return results

    def generate(self, prompt_ids: Sequence[int], max_tokens: int, temperature: float) -> str:
        body = {"model": self.server.model, "prompt": list(prompt_ids), "max_tokens": max_tokens,
                "temperature": temperature, "seed": 0}
        return self._request("POST", "/v1/completions", body)["choices"][0]["text"]

    def generate_many(self, prompts: Sequence[Sequence[int]], max_tokens: int, temperature: float) -> list[str]:
        """Sampled text for each prompt, as concurrent requests the server batches (bounded)."""
        return self._concurrently(lambda p: self.generate(p, max_tokens, temperature), list(prompts))

    def _concurrently(self, call: Callable[[Any], Any], items: list) -> list:
        """`call` on each item, at most `server.concurrent_requests` at a time, results in order."""
        if len(items) <= 1:
            return [call(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.server.concurrent_requests, len(items))) as threads:
            return list(threads.map(call, items))

    def close(self) -> None:
        self._client.close()

    def _score(self, prefixes: list[tuple[int, ...]], token_ids: list[int]) -> list[dict[int, float]]:
        """One request: the log-probability of each of `token_ids` after each prefix."""
        body = {
            "model": self.server.model,
            "prompt": [list(p) for p in prefixes],
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": 1,
            "logprob_token_ids": token_ids,
            # Keys come back as "token_id:N": decoded strings can collide (several ids print alike).
            "return_tokens_as_token_ids": True,
        }
        choices = sorted(self._request("POST", "/v1/completions", body)["choices"], key=lambda c: c["index"])
        if len(choices) != len(prefixes):
            raise ServerError(f"server {self.server.base_url}: {len(choices)} choices for {len(prefixes)} prompts")
        return [_parse_step(c["logprobs"]["top_logprobs"][0]) for c in choices]

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send with retries on connection errors and 5xx; a 4xx is the caller's fault and fails at once."""
        attempts = self.server.retries + 1
        for attempt in range(attempts):
            try:
                response = self._client.request(method, path, json=body)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return response.json() if response.content else None
                if response.status_code < 500 and response.status_code not in (408, 429):
                    raise ServerError(f"server {self.server.base_url}{path} answered {response.status_code}: "
                                      f"{_error_message(response)}", response.status_code)
                problem = f"HTTP {response.status_code}"
            if attempt + 1 < attempts:
                wait = min(self.server.retry_backoff_s * 2**attempt, self.server.retry_max_backoff_s)
                log.warning("server %s%s: %s; retry %d/%d in %.1f s", self.server.base_url, path, problem,
                            attempt + 1, self.server.retries, wait)
                self._sleep(wait)
        raise ServerError(f"server {self.server.base_url}{path} unreachable after {attempts} attempt(s): {problem}")


def connect_scorer(settings: Settings, model_key: str) -> HTTPScorer:
    """A scorer for `model_key` on the configured server, health-checked (tokenizers take seconds to load)."""
    server = _require_server(settings)
    scorer = HTTPScorer(server, model_key, load_tokenizer(settings, model_key), block_size(settings))
    scorer.health()
    log.info("server mode: %s scores on %s (model %s)", model_key, server.base_url, server.model)
    return scorer


def uses_server(settings: Settings, model_key: str) -> bool:
    """Whether `model_key` is scored over HTTP (a server is configured and serves it)."""
    server = settings.server
    return server is not None and (not server.serves or model_key in server.serves)


def load_tokenizer(settings: Settings, model_key: str) -> Any:
    """The model's tokenizer, loaded with transformers from its folder or id."""
    from transformers import AutoTokenizer

    from forecaster.llm.model_prep import ensure_model

    server = _require_server(settings)
    source = server.tokenizer
    if source is None:
        spec = settings.models[model_key]
        source = spec.tokenizer or ensure_model(spec)
    if source.startswith("s3://"):
        raise ServerError(f"server.tokenizer: {model_key!r} lives at {source}; set server.tokenizer (or "
                          f"models.{model_key}.tokenizer) to a local folder or a Hugging Face id")
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    return AutoTokenizer.from_pretrained(source, token=token)


def block_size(settings: Settings) -> int:
    server = _require_server(settings)
    return server.block_size or settings.vllm.block_size or DEFAULT_BLOCK_SIZE


def _require_server(settings: Settings) -> ServerSettings:
    if settings.server is None:
        raise ServerError("server: server mode asked for, but no [server] section is configured")
    return settings.server


def _parse_step(top: dict[str, float] | None) -> dict[int, float]:
    if not top:
        return {}
    return {int(k[len(TOKEN_ID_PREFIX):]): float(v) for k, v in top.items() if k.startswith(TOKEN_ID_PREFIX)}


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    error = body.get("error", body) if isinstance(body, dict) else body
    return str(error.get("message", error) if isinstance(error, dict) else error)[:300]

