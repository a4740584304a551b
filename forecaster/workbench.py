"""The process-wide pieces a run borrows: engines, readers with their logprob caches, agents."""

from __future__ import annotations

import json
from typing import Sequence

from forecaster.agents import Agent, LogicWriter
from forecaster.errors import ConfigError
from forecaster.llm.engine import ENGINES, EngineRegistry
from forecaster.llm.http_scorer import HTTP_SCORERS, uses_server
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.llm.scorer import TokenScorer
from forecaster.settings import AgentSpec, Settings


class Workbench:
    """Builds readers once per (model, read-out settings) so caches survive across questions and runs."""

    def __init__(self, engines: EngineRegistry = ENGINES) -> None:
        self.engines = engines
        self._readers: dict[str, DistributionReader] = {}

    def scorer(self, settings: Settings, model_key: str) -> TokenScorer:
        if uses_server(settings, model_key):
            return HTTP_SCORERS.scorer(settings, model_key)
        return self.engines.scorer(settings, model_key)

    def reader(self, settings: Settings, model_key: str) -> DistributionReader:
        # The scorer's identity is in the key: server mode and in-process readers of one model never mix.
        backend = id(self.scorer(settings, model_key))
        key = json.dumps([model_key, settings.readout.model_dump(), settings.logprob_cache_size, backend],
                         sort_keys=True)
        if key not in self._readers:
            self._readers[key] = DistributionReader(
                self.scorer(settings, model_key),
                LogprobCache(settings.logprob_cache_size),
                end_marker=settings.readout.end_marker,
                align_to_block=settings.readout.align_prompt_to_block,
            )
        return self._readers[key]

    def agent(self, settings: Settings, name: str) -> Agent:
        spec = agent_spec(settings, name)
        return Agent(spec, self.reader(settings, spec.model), settings.readout.mass_floor)

    def logic(self, settings: Settings) -> LogicWriter | None:
        if not settings.logic.model:
            return None
        return LogicWriter(self.scorer(settings, settings.logic.model), settings.logic)

    def release(self, model_key: str) -> None:
        """Free one model's engine (its readers go with it)."""
        self.engines.release(model_key)
        self._readers = {k: r for k, r in self._readers.items() if json.loads(k)[0] != model_key}


def agent_spec(settings: Settings, name: str) -> AgentSpec:
    for spec in settings.agents:
        if spec.name == name:
            return spec
    raise ConfigError(f"agents: unknown agent {name!r}; configured: {[a.name for a in settings.agents]}")


def select_agents(settings: Settings, names: Sequence[str] | None) -> list[AgentSpec]:
    """The configured agents, or the named subset (unknown names are an error)."""
    if not names:
        return list(settings.agents)
    return [agent_spec(settings, name) for name in names]


def group_by_model(specs: Sequence[AgentSpec]) -> dict[str, list[AgentSpec]]:
    """Agents per model, in first-seen order: each model is loaded once and released before the next."""
    groups: dict[str, list[AgentSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.model, []).append(spec)
    return groups


WORKBENCH = Workbench()
