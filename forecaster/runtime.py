"""Process-wide defaults that libraries read from the environment, derived from the settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from forecaster.settings import Settings

# The Run:ai streamer's S3 client otherwise drops slow connections after 1 s ("File access error").
S3_DEFAULTS = {"RUNAI_STREAMER_S3_REQUEST_TIMEOUT_MS": "30000"}


def prepare_environment(settings: Settings) -> None:
    """Keep Prefect's and vLLM's state inside the data dir; a value the user already set wins.

    Every folder named here is created first: on a fresh clone there is no data dir yet, and Prefect's
    temporary server cannot open its database in a folder that does not exist.
    """
    data = settings.data_dir.resolve()
    os.environ.setdefault("PREFECT_HOME", str(data / "prefect"))
    # Prefect derives these from its home only sometimes (the temporary server fell back to ~/.prefect).
    prefect_home = Path(os.environ["PREFECT_HOME"]).expanduser()
    os.environ.setdefault("PREFECT_MEMO_STORE_PATH", str(prefect_home / "memo_store.toml"))
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(prefect_home / "storage"))
    # The temporary Prefect server's telemetry heartbeat otherwise logs "database is locked".
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary server shares two cores with the engine: its 20 s default start-up wait is too short.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("VLLM_CACHE_ROOT", str(data / "cache" / "vllm"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    keep_vllm_logging_ours()
    for name, value in engine_environment(settings).items():
        os.environ.setdefault(name, value)
    # The Run:ai streamer reads AWS_* from the environment; keys given as FORECASTER_AWS_* settings go there only.
    for name, value in aws_environment(settings, os.environ).items():
        os.environ.setdefault(name, value)
    make_folders(settings)


# Where a vLLM logging config file for vLLM's own servers is kept (see `keep_vllm_logging_ours`): under vLLM's
# name, an engine in this process would apply it.
SERVER_LOGGING_CONFIG = "FORECASTER_VLLM_SERVER_LOGGING_CONFIG"


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


def make_folders(settings: Settings) -> None:
    """The data dir and every folder this process or its libraries keep under it."""
    folders = [settings.data_dir, settings.plots_dir, settings.log_dir, settings.database_path.parent,
               os.environ["PREFECT_HOME"], os.environ["VLLM_CACHE_ROOT"]]
    for folder in folders:
        Path(folder).expanduser().mkdir(parents=True, exist_ok=True)


def bootstrap(config_file: str | Path | None = None) -> Settings:
    """What every flow does first: load the settings, prepare the environment and logging, check the settings."""
    from forecaster.config_checks import check_settings
    from forecaster.logging_setup import configure_logging
    from forecaster.settings import load_settings

    settings = load_settings(config_file)
    prepare_environment(settings)
    configure_logging(settings)
    check_settings(settings)
    return settings


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
