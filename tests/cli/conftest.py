"""Forecast commands run once for the package: each starts an engine and a temporary Prefect server (about a
minute here), and several tests read what one run printed, returned and logged."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from forecaster.settings import load_settings
from tests.cli.commands import RAIN, command_env, run_command
from tests.events.test_flow_faults import UNCAPPED, over_long


@dataclass
class CommandRun:
    """What a finished command returned and printed, and where its data dir is."""

    done: subprocess.CompletedProcess
    data: Path

    @property
    def console(self) -> str:
        return self.done.stdout + self.done.stderr

    def log(self) -> str:
        return (self.data / "logs" / "forecaster.log").read_text(errors="replace")


def forecast_file(data: Path, questions: list[dict], *options: str, **env: str) -> CommandRun:
    """`forecaster [OPTIONS] forecast --questions FILE` with one agent, to its end."""
    path = data.parent / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions))
    done = run_command([*options, "forecast", "--questions", str(path), "--agent", "base-rates"],
                       command_env(data, **UNCAPPED, **env), timeout=600)
    return CommandRun(done, data)


@pytest.fixture(scope="package")
def partial_run(tmp_path_factory) -> CommandRun:
    """One question forecast, one too long for the model's context; Prefect's event size limit made small, so
    that its temporary server refuses this run's events (a notice it prints)."""
    data = tmp_path_factory.mktemp("partial") / "data"
    return forecast_file(data, [{"id": "x-rain", "question": RAIN}, over_long(load_settings().vllm.max_model_len)],
                         PREFECT_EVENTS_MAXIMUM_SIZE_BYTES="2000")


@pytest.fixture(scope="package")
def failed_verbose_run(tmp_path_factory) -> CommandRun:
    """Only a question too long for the model's context, with `--verbose`."""
    data = tmp_path_factory.mktemp("failed") / "data"
    return forecast_file(data, [over_long(load_settings().vllm.max_model_len)], "--verbose")
