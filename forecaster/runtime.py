"""Every process's start: the environment Prefect and vLLM read, the data folders, logging, the checks."""

from __future__ import annotations

import os
from pathlib import Path

from forecaster.llm.environment import aws_environment, engine_environment, keep_vllm_logging_ours
from forecaster.settings import Settings


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
