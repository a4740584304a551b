"""The process's one model pool: engines (in-process) or HTTP scorers, readers with their logprob caches.
Flows, tasks, the CLI, benchmarks and tests all reach models through it (agents through `events.agents`)."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import threading
from typing import Any, Iterator

from forecaster.llm.engine import VLLMScorer, start_engine
from forecaster.llm.http_scorer import HTTPScorer, connect_scorer, uses_server
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.llm.scorer import TokenScorer
from forecaster.settings import Settings

log = logging.getLogger(__name__)


class ModelPool:
    """Starts each model once per process and keeps it; an engine that died is discarded, not reused.

    Logprob caches belong to the pool, not to an engine: they outlive a replaced engine, so a retried
    step reads what the dead one already scored instead of scoring it again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starting: dict[str, threading.Lock] = {}
        self._engines: dict[str, VLLMScorer] = {}
        self._servers: dict[tuple[str, str, str], HTTPScorer] = {}
        self._caches: dict[str, LogprobCache] = {}

    def scorer(self, settings: Settings, model_key: str) -> TokenScorer:
        """The model's scorer: over HTTP when a server serves it, else an in-process engine started now."""
        with self._lock:
            starting = self._starting.setdefault(model_key, threading.Lock())
        # A second caller (a warm-up thread, a task) waits for the same engine or connection: two threads loading
        # the tokenizer at once raced in transformers' lazy imports ("cannot import name 'AutoTokenizer'").
        with starting:
            if uses_server(settings, model_key):
                return self._server_scorer(settings, model_key)
            self.discard_dead()
            if model_key not in self._engines:
                self._engines[model_key] = VLLMScorer(start_engine(settings, model_key), model_key)
            return self._engines[model_key]

    def _server_scorer(self, settings: Settings, model_key: str) -> HTTPScorer:
        server = settings.server
        key = (server.base_url, server.model, model_key)
        if key not in self._servers:
            self._servers[key] = connect_scorer(settings, model_key)
        return self._servers[key]

    def warm_up(self, settings: Settings, model_key: str) -> threading.Thread:
        """Start the model's engine in the background (while retrieval runs); a failure is left to the
        first real use, which raises it where it can be retried."""
        def start() -> None:
            try:
                self.scorer(settings, model_key)
            except Exception as exc:  # noqa: BLE001 - reported again by the first real use
                log.warning("warming up %s failed (%s: %s); the first forecast will try again", model_key,
                            type(exc).__name__, exc)

        thread = threading.Thread(target=contextvars.copy_context().run, args=(start,), name=f"warm-{model_key}",
                                  daemon=True)
        thread.start()
        return thread

    def reader(self, settings: Settings, model_key: str) -> DistributionReader:
        """A distribution reader on the model, sharing the pool's cache for (model, read-out settings)."""
        scorer = self.scorer(settings, model_key)
        backend = "server" if isinstance(scorer, HTTPScorer) else "engine"
        key = json.dumps([model_key, backend, settings.readout.model_dump(), settings.logprob_cache_size],
                         sort_keys=True)
        if key not in self._caches:
            self._caches[key] = LogprobCache(settings.logprob_cache_size)
        return DistributionReader(scorer, self._caches[key], end_marker=settings.readout.end_marker,
                                  align_to_block=settings.readout.align_prompt_to_block)

    def engine(self, model_key: str) -> Any:
        """The running in-process ``vllm.LLM`` of a model, if any (benchmarks and tests look inside)."""
        scorer = self._engines.get(model_key)
        return scorer.llm if scorer is not None else None

    def discard_dead(self) -> list[str]:
        """Drop every in-process engine a process of which has died (its core, a model worker), killing what
        is left of it; the next use starts a new one."""
        dead = [key for key, scorer in self._engines.items() if not scorer.alive()]
        for key in dead:
            log.warning("engine for %s died (%s); it is discarded and the next attempt starts a new one", key,
                        self._engines[key].watch.death())
            self._engines.pop(key).discard()
        return dead

    def release(self, model_key: str) -> None:
        """Shut one model's engine down so the next model can have the devices (its cache stays)."""
        scorer = self._engines.pop(model_key, None)
        if scorer is not None:
            scorer.shutdown()

    def release_all(self) -> None:
        for key in list(self._engines):
            self.release(key)
        for scorer in self._servers.values():
            scorer.close()
        self._servers.clear()

    @contextlib.contextmanager
    def releasing_new(self) -> Iterator[None]:
        """Shut down, on leaving the block, the engines started inside it (a caller keeps its own)."""
        before = set(self._engines)
        try:
            yield
        finally:
            for key in set(self._engines) - before:
                self.release(key)


_POOL = ModelPool()


def model_pool() -> ModelPool:
    """This process's model pool."""
    return _POOL
