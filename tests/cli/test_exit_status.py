"""The exit status says how a run ended: 3 partial, 1 failed; 0 completed is asserted where whole runs complete
(tests/deployments/scale/test_sharding.py, tests/newcomer/test_fresh_clone.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_a_run_where_some_questions_failed_exits_3(partial_run):
    assert "Traceback" not in partial_run.done.stderr, partial_run.done.stderr[-3000:]
    assert partial_run.done.returncode == 3


def test_a_run_where_every_question_failed_exits_1(failed_verbose_run):
    assert failed_verbose_run.done.returncode == 1, failed_verbose_run.done.stderr[-3000:]
