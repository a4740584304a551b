"""Flow runs on the temporary Prefect server a command starts for itself (no Prefect API set)."""

from __future__ import annotations

import contextlib
from typing import Iterator


def on_temporary_server() -> bool:
    """No Prefect API is set: this process's flow runs go to a temporary server that ends with it."""
    from prefect.settings import PREFECT_API_URL

    return not PREFECT_API_URL.value()


@contextlib.contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs started inside send no heartbeats, unless their frequency was set (environment or profile).

    For runs on a temporary server: heartbeats tell a server's automations that a run's process lives, and that
    server ends with the process. Each run's end also waits up to a second for Prefect's heartbeat thread (it
    sleeps in one-second steps): about a tenth of an 8-question run's time once its model work is cheap."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.settings.models.flows import FlowsSettings

    if PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() != FlowsSettings.model_fields["heartbeat_frequency"].default:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextlib.contextmanager
def local_runs() -> Iterator[None]:
    """Around the flows a command runs in its own process: without heartbeats on a temporary server."""
    with without_heartbeats() if on_temporary_server() else contextlib.nullcontext():
        yield
