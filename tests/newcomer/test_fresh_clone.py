"""What a new user meets: the README's main command on a fresh clone, and every command on a data dir that
does not exist yet. Each runs as a subprocess with a new user's environment (no FORECASTER_*, LOG_*,
PREFECT_* variables, no data dir), reusing only the project's virtual environment."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from forecaster.question_files import load_questions
from forecaster.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

VENV = PROJECT_ROOT / ".venv"
DEMO_QUESTIONS = PROJECT_ROOT / "examples" / "demo_questions.yaml"
# A new user's shell: nothing of ours, nothing of Prefect's or vLLM's.
KEPT = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CONSOLE_LINES_MAX = 40
# What scripts/bootstrap.sh hashes into the .venv's install stamp (its `want`), in its order.
INSTALL_INPUTS = ("pyproject.toml", "plugins/chronos2-vllm/pyproject.toml", "scripts/bootstrap.sh")


def newcomer_env(**extra: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    return {**env, **extra}


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """HEAD cloned into a temporary folder, sharing the project's .venv (its install stamp must match)."""
    target = tmp_path_factory.mktemp("newcomer") / "forecaster"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(target)], check=True)
    if not install_stamp_matches(target):
        # Its bootstrap would reinstall the shared .venv, editable, from this temporary clone.
        pytest.fail("the project's .venv was installed from other set-up files than HEAD's: run `make venv` first")
    (target / ".venv").symlink_to(VENV)
    return target


def install_stamp_matches(checkout: Path) -> bool:
    want = hashlib.sha256(b"".join((checkout / name).read_bytes() for name in INSTALL_INPUTS)).hexdigest()
    stamp = VENV / ".forecaster-install"
    return stamp.exists() and stamp.read_text().strip() == want


def run_in(folder: Path, args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)


def test_make_demo_on_a_fresh_clone_forecasts_stores_and_plots_every_question(clone):
    assert not (clone / "data").exists()
    # The clone's own code, not the checkout the virtual environment was installed from.
    # The KV cache of 1 GiB the suite's engines take: under `pytest -n` other areas' engines share this machine's
    # memory, and the config's default share of it failed the engine's start beside them.
    env = newcomer_env(PYTHONPATH=str(clone), FORECASTER_VLLM__CPU_KVCACHE_SPACE_GB="1")
    done = run_in(clone, ["make", "demo"], env, timeout=1500)
    console = done.stdout + done.stderr
    assert done.returncode == 0, console[-4000:]
    assert "bootstrap: installing" not in console  # the shared .venv was reused, not reinstalled
    ids = [q.id for q in load_questions(DEMO_QUESTIONS)]
    for qid in ids:
        assert any(line.startswith(qid) for line in done.stdout.splitlines()), done.stdout
    with sqlite3.connect(clone / "data" / "forecaster.db") as db:
        stored = {row[0] for row in db.execute("SELECT question_id FROM ensemble_forecasts")}
    assert stored == set(ids)
    assert sorted(p.stem for p in (clone / "data" / "plots").glob("*.png")) == sorted(ids)
    # Lines as a terminal shows them: a progress bar redraws its own line with carriage returns.
    assert len(console.rstrip("\n").split("\n")) <= CONSOLE_LINES_MAX, console


@pytest.mark.parametrize("args, code, says", [
    (["validate-config"], 0, "configuration OK"),
    (["history", "no-such-question"], 2, "not found"),
    (["resolve", "q-1", "yes", "--date", "2026-01-05"], 0, "q-1 resolved yes on 2026-01-05"),
    (["serve-chronos", "some/model", "--dry-run"], 0, "--io-processor-plugin chronos2"),
    (["deploy"], 2, "PREFECT_API_URL"),
])
def test_a_command_on_a_data_dir_that_does_not_exist_yet_creates_it(tmp_path, args, code, says):
    data = tmp_path / "new" / "data"
    done = run_in(PROJECT_ROOT, [str(VENV / "bin" / "forecaster"), *args],
                  newcomer_env(FORECASTER_DATA_DIR=str(data)), timeout=300)
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stdout + done.stderr
    for folder in ("prefect", "logs", "plots", "cache/vllm"):
        assert (data / folder).is_dir(), folder
    assert "Traceback" not in done.stderr
