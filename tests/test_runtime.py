"""The process environment every command and flow prepares: vLLM's logging stays ours in-process."""

from __future__ import annotations

import os

import pytest

from forecaster.llm.server_command import server_env
from forecaster.logging_setup import SERVER_LOGGING_CONFIG
from forecaster.runtime import prepare_environment
from forecaster.settings import load_settings

NAMES = ("VLLM_CONFIGURE_LOGGING", "VLLM_LOGGING_CONFIG_PATH", SERVER_LOGGING_CONFIG)


@pytest.fixture
def clean_vllm_logging(monkeypatch, data_dir):
    for name in NAMES:
        monkeypatch.setenv(name, "")  # recorded, so what prepare_environment writes is undone after the test
        monkeypatch.delenv(name)


def test_vllm_never_configures_logging_in_a_prepared_process_even_when_the_user_asked(clean_vllm_logging,
                                                                                      monkeypatch):
    monkeypatch.setenv("VLLM_CONFIGURE_LOGGING", "1")
    prepare_environment(load_settings())
    assert os.environ["VLLM_CONFIGURE_LOGGING"] == "0"


def test_a_users_vllm_logging_config_file_goes_to_the_vllm_servers_only(clean_vllm_logging, monkeypatch):
    monkeypatch.setenv("VLLM_LOGGING_CONFIG_PATH", "/etc/vllm-logging.json")
    settings = load_settings()
    prepare_environment(settings)
    # vLLM refuses a config file with its logging off: in this process it would fail every engine start.
    assert "VLLM_LOGGING_CONFIG_PATH" not in os.environ
    env = server_env(settings)
    assert (env["VLLM_CONFIGURE_LOGGING"], env["VLLM_LOGGING_CONFIG_PATH"]) == ("1", "/etc/vllm-logging.json")


def test_a_vllm_server_configures_its_own_logging(clean_vllm_logging):
    settings = load_settings()
    prepare_environment(settings)
    env = server_env(settings)
    assert env["VLLM_CONFIGURE_LOGGING"] == "1" and "VLLM_LOGGING_CONFIG_PATH" not in env


def test_vllm_reads_the_setting_when_an_engine_starts_not_on_import(clean_vllm_logging):
    # A flow run may import vLLM before its bootstrap prepares the environment: the setting must still hold.
    from vllm.engine.arg_utils import EngineArgs

    prepare_environment(load_settings())
    assert EngineArgs(model="data/models/any").create_logging_config().configure_logging is False
