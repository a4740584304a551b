"""The exit status says how a run ended: 0 completed (tests/cli/test_console_notices.py), 3 partial, 1 failed."""

from __future__ import annotations

import json

import pytest

from forecaster.settings import load_settings
from tests.cli.commands import RAIN, command_env, run_command
from tests.events.test_flow_faults import UNCAPPED, over_long

pytestmark = pytest.mark.slow


def forecast_file(tmp_path, questions: list[dict]) -> int:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions))
    done = run_command(["forecast", "--questions", str(path), "--agent", "base-rates"],
                       command_env(tmp_path, **UNCAPPED), timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode


def test_a_run_where_some_questions_failed_exits_3(tmp_path):
    questions = [{"id": "x-rain", "question": RAIN}, over_long(load_settings().vllm.max_model_len)]
    assert forecast_file(tmp_path, questions) == 3


def test_a_run_where_every_question_failed_exits_1(tmp_path):
    assert forecast_file(tmp_path, [over_long(load_settings().vllm.max_model_len)]) == 1
