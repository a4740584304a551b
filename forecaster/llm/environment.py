"""What vLLM and the Run:ai streamer read from the environment, derived from the settings: for this process's
engines and for the vLLM servers it starts."""

from __future__ import annotations

import os
from typing import Mapping

from forecaster.logging_setup import SERVER_LOGGING_CONFIG
from forecaster.settings import Settings

# The Run:ai streamer's S3 client otherwise drops slow connections after 1 s ("File access error").
S3_DEFAULTS = {"RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS": "30000"}


def keep_vllm_logging_ours() -> None:
    """vLLM never applies a logging config in this process or its engine's: forced, whatever the user set.

    Starting an engine, vLLM would run `logging.config.dictConfig`, which flushes every handler while it holds
    the logging lock. Prefect's API log handler (in every flow run) flushes by waiting on Prefect's log thread,
    which waits for that lock: the run hung for good (seen on `forecaster evaluate` and on flow runs of a plain
    `prefect worker start`). vLLM's loggers go through this process's own handlers instead (`logging_setup`);
    its engine processes, which take the setting from here, print to this process's standard error. vLLM reads
    it when an engine starts, not on import: a flow run that imported vLLM before its bootstrap is covered too.
    """
    user_file = os.environ.pop("VLLM_LOGGING_CONFIG_PATH", "")
    if user_file:  # vLLM refuses a config file with its logging off: kept for the vLLM servers we start
        os.environ.setdefault(SERVER_LOGGING_CONFIG, user_file)
    os.environ["VLLM_CONFIGURE_LOGGING"] = "0"


def vllm_server_logging(env: Mapping[str, str]) -> dict[str, str]:
    """A vLLM server is a process of its own, without Prefect's handlers: it configures vLLM's logging itself,
    from the console's config file when the command has one."""
    out = {"VLLM_CONFIGURE_LOGGING": "1"}
    if env.get(SERVER_LOGGING_CONFIG):
        out["VLLM_LOGGING_CONFIG_PATH"] = env[SERVER_LOGGING_CONFIG]
    return out


def engine_environment(settings: Settings) -> dict[str, str]:
    """What vLLM's CPU engines read from the environment, from the [vllm] settings: for this process's engines
    and for the servers it starts (a value already set wins in both)."""
    env = {}
    if settings.vllm.cpu_threads_bind:
        env["VLLM_CPU_OMP_THREADS_BIND"] = settings.vllm.cpu_threads_bind
    if settings.vllm.cpu_kvcache_space_gb:
        env["VLLM_CPU_KVCACHE_SPACE"] = str(settings.vllm.cpu_kvcache_space_gb)
    return env


def aws_environment(settings: Settings, current: Mapping[str, str]) -> dict[str, str]:
    """AWS variables the Run:ai streamer reads, from the settings' secrets; values already set win."""
    out: dict[str, str] = {}
    pairs = {"AWS_ACCESS_KEY_ID": settings.aws_access_key_id, "AWS_SECRET_ACCESS_KEY": settings.aws_secret_access_key}
    for name, secret in pairs.items():
        if secret is not None and not current.get(name):
            out[name] = secret.get_secret_value()
    if any(spec.is_s3 for spec in settings.models.values()):
        out.update({k: v for k, v in S3_DEFAULTS.items() if not current.get(k)})
    return out
