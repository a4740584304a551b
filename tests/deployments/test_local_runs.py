"""Flow runs a command starts on its own temporary server send no heartbeats; runs anywhere else keep them."""

from __future__ import annotations

import pytest
from prefect import flow
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from forecaster.orchestration.local_runs import local_runs, without_heartbeats


@flow
def heartbeat_frequency() -> int | None:
    return PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value()


@pytest.mark.slow
def test_a_flow_run_inside_sends_no_heartbeats(prefect_server):
    with without_heartbeats():
        assert heartbeat_frequency() is None
    assert heartbeat_frequency() == 180


@pytest.mark.slow
def test_a_heartbeat_frequency_the_user_set_is_kept(prefect_server):
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 45}), without_heartbeats():
        assert heartbeat_frequency() == 45


@pytest.mark.slow
def test_runs_against_a_configured_prefect_api_keep_their_heartbeats(prefect_server):
    assert PREFECT_API_URL.value()
    with local_runs():
        assert heartbeat_frequency() == 180


def test_runs_on_the_temporary_server_send_none():
    with temporary_settings(restore_defaults={PREFECT_API_URL}), local_runs():
        assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None
