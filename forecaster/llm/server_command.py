"""The command line and environment that start a vLLM OpenAI-compatible server from the settings."""

from __future__ import annotations

import os
import sys
from typing import Mapping

from chronos2_vllm.serve import SERVER_MODULE  # vLLM's server module, named once for every server we start

from forecaster.llm.engine_options import as_flags, engine_options
from forecaster.llm.environment import aws_environment, engine_environment, vllm_server_logging
from forecaster.settings import Settings

def server_args(settings: Settings, model_key: str, host: str = "127.0.0.1", port: int = 8000) -> list[str]:
    """argv for a server of one configured model, with the [vllm] engine settings and the served name."""
    served = settings.server.model if settings.server else model_key
    return [sys.executable, "-m", SERVER_MODULE, *as_flags(engine_options(settings, model_key)),
            "--served-model-name", served, "--host", host, "--port", str(port)]


def server_env(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: secrets from the settings go here (never on the command line or in logs)."""
    env = dict(os.environ if base is None else base)
    if settings.server and settings.server.api_key:
        env["VLLM_API_KEY"] = settings.server.api_key.get_secret_value()
    env.update(aws_environment(settings, env))
    if settings.hf_token:
        env.setdefault("HF_TOKEN", settings.hf_token.get_secret_value())
    for name, value in engine_environment(settings).items():
        env.setdefault(name, value)
    env.update(vllm_server_logging(env))
    return env
