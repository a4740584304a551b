"""Process-wide defaults that libraries read from the environment, derived from the settings."""

from __future__ import annotations

import os

from forecaster.settings import Settings


def prepare_environment(settings: Settings) -> None:
    """Keep Prefect's and vLLM's state inside the data dir; a value the user already set wins."""
    data = settings.data_dir.resolve()
    os.environ.setdefault("PREFECT_HOME", str(data / "prefect"))
    # The temporary Prefect server's telemetry heartbeat otherwise logs "database is locked".
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary server shares two cores with the engine: its 20 s default start-up wait is too short.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("VLLM_CACHE_ROOT", str(data / "cache" / "vllm"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings.vllm.cpu_threads_bind:
        os.environ.setdefault("VLLM_CPU_OMP_THREADS_BIND", settings.vllm.cpu_threads_bind)
    if settings.vllm.cpu_kvcache_space_gb:
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(settings.vllm.cpu_kvcache_space_gb))
    # The Run:ai streamer reads AWS_* from the environment; keys given as FORECASTER_AWS_* settings go there only.
    from forecaster.llm.server_command import aws_environment

    for name, value in aws_environment(settings, os.environ).items():
        os.environ.setdefault(name, value)
