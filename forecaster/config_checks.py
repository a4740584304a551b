"""Checks of the settings against each other and this machine: what field types alone cannot say."""

from __future__ import annotations

import importlib.util
from typing import Callable

from forecaster.errors import ConfigError
from forecaster.llm.devices import cuda_devices
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.events.prompts import STYLES
from forecaster.names import CROWD, SERIES
from forecaster.settings import Settings

LOADER_CONCURRENCY = range(1, 257)


def check_settings(settings: Settings, gpu_count: int | None = None) -> None:
    """Raise ConfigError listing every setting that breaks a rule."""
    problems = settings_problems(settings, gpu_count)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def settings_problems(settings: Settings, gpu_count: int | None = None) -> list[str]:
    """One message per broken rule, each naming the setting; empty when the settings are usable here.

    `gpu_count` defaults to the GPUs this process sees; 0 means a CPU-only machine (one device).
    """
    gpus = cuda_devices() if gpu_count is None else gpu_count
    checks: list[Callable[[], list[str]]] = [
        lambda: _model_keys(settings),
        lambda: _agents(settings),
        lambda: _ensemble(settings),
        lambda: _parallelism(settings, gpus) if _runs_engines_here(settings) else [],
        lambda: _loader(settings),
        lambda: _cache(settings),
    ]
    return [problem for check in checks for problem in check()]


def visible_devices() -> int:
    """Devices an engine can use here: the GPUs, or one on a CPU-only machine."""
    return max(1, cuda_devices())


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _model_keys(s: Settings) -> list[str]:
    known = sorted(s.models)
    out = []
    if s.default_model and s.default_model not in s.models:
        out.append(f"default_model: unknown model key {s.default_model!r}; configured models: {known}")
    for i, agent in enumerate(s.agents):
        if agent.model not in s.models:
            out.append(f"agents[{i}].model: unknown model key {agent.model!r}; configured models: {known}")
    if s.logic.model and s.logic.model not in s.models:
        out.append(f"logic.model: unknown model key {s.logic.model!r}; configured models: {known}")
    return out


def _agents(s: Settings) -> list[str]:
    out = []
    if not s.agents:
        out.append("agents: at least one agent is required")
    names = [a.name for a in s.agents]
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.append(f"agents.name: must be unique; {name!r} appears more than once")
    for i, agent in enumerate(s.agents):
        if agent.style not in STYLES:
            out.append(f"agents[{i}].style: unknown style {agent.style!r}; known: {sorted(STYLES)}")
        if agent.name == CROWD:
            out.append(f"agents[{i}].name: {CROWD!r} is the crowd member's name (a question's market_probability)")
        if agent.name == SERIES:
            out.append(f"agents[{i}].name: {SERIES!r} is the series member's name (a question's own series)")
    return out


def _ensemble(s: Settings) -> list[str]:
    if s.ensemble.method == "learned" and s.ensemble.learned_file is None:
        return ["ensemble.learned_file: required when ensemble.method = 'learned' (forecaster calibrate --out FILE)"]
    return []


def _runs_engines_here(s: Settings) -> bool:
    """Whether any agent's (or the logic) model runs in this process rather than on a vLLM server."""
    from forecaster.llm.http_scorer import uses_server

    used = {a.model for a in s.agents} | ({s.logic.model} if s.logic.model else set())
    return not used or any(not uses_server(s, key) for key in used)


def _parallelism(s: Settings, gpus: int) -> list[str]:
    v, out = s.vllm, []
    devices = max(1, gpus)  # a CPU-only machine is one device
    needed = v.tensor_parallel_size * v.pipeline_parallel_size
    if needed > devices:
        out.append(
            f"vllm.tensor_parallel_size x vllm.pipeline_parallel_size: {v.tensor_parallel_size} x "
            f"{v.pipeline_parallel_size} = {needed} must not exceed the {devices} visible device(s)"
        )
    if v.distributed_executor_backend == "ray" and not has_module("ray"):
        out.append("vllm.distributed_executor_backend: 'ray' needs the ray package (pip install ray), or use 'mp'")
    if gpus == 0 and v.block_size is not None and v.block_size % 32:
        out.append(f"vllm.block_size: must be a multiple of 32 on CPU, got {v.block_size}")
    return out


def _loader(s: Settings) -> list[str]:
    v, out = s.vllm, []
    concurrency = v.model_loader_extra_config.get("concurrency")
    if concurrency is not None and (not isinstance(concurrency, int) or concurrency not in LOADER_CONCURRENCY):
        out.append(f"vllm.model_loader_extra_config.concurrency: must be an integer from 1 to 256, got {concurrency!r}")
    streamer = v.load_format == "runai_streamer"
    if streamer and not has_module("runai_model_streamer"):
        out.append("vllm.load_format: 'runai_streamer' needs the runai-model-streamer package (extra 's3' or vllm[runai])")
    for key, spec in s.models.items():
        if spec.is_s3 and not streamer:
            out.append(f"models.{key}.path: an s3:// URI needs vllm.load_format = 'runai_streamer'")
        if spec.is_s3 and streamer and not has_module("runai_model_streamer_s3"):
            out.append(f"models.{key}.path: s3:// needs the runai-model-streamer-s3 package (extra 's3')")
    return out


def _cache(s: Settings) -> list[str]:
    if s.logprob_cache_size < LogprobCache.MIN_SIZE:
        return [f"logprob_cache_size: must be >= {LogprobCache.MIN_SIZE} (one entry per number 0..100), "
                f"got {s.logprob_cache_size}"]
    return []

