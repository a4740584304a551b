"""Session-wide fixtures: one Prefect test server, one vLLM engine on the demo model, isolated data dirs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

from forecaster.settings import PROJECT_ROOT, Settings, load_settings

DEMO_MODEL = "smollm2-135m"
# Fixtures that start a real server process or a vLLM engine (directly or through the fixtures they use). A test
# that needs one, even indirectly, must be marked slow, so that `-m "not slow"` starts none.
STARTS_A_SERVER_OR_ENGINE = {
    "prefect_server": "a temporary Prefect server",
    "pool": "the vLLM engine",
    "scorer": "the vLLM engine",
    "pooling_server": "a vLLM /pooling server",
    "prefect_api": "a Prefect server (tests/deployments)",
    "s3_model": "a moto S3 server (tests/deployments)",
    "vllm_server": "a vLLM OpenAI server (tests/deployments)",
    "worker": "a Prefect worker (tests/deployments)",
}
# Fixtures that hand a test the session's engine (in this process, unlike the commands and servers tests start).
ENGINE_FIXTURES = {"pool", "scorer"}
# float32 so the engine's log-probabilities can be compared with a transformers forward pass.
TEST_ENV = {
    "FORECASTER_VLLM__DTYPE": "float32",
    # 1 GiB of KV cache per engine (the demo model needs tens of MiB): with the config's share of RAM a worker holds
    # 5-7 GiB, and the session's engine, a vLLM server and a command's own engine together ran this 24-GiB machine
    # out of memory ("Engine core initialization failed"). Servers and commands the tests start inherit it.
    "FORECASTER_VLLM__CPU_KVCACHE_SPACE_GB": "1",
    "FORECASTER_RETRIEVAL__WIKIPEDIA_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "TOKENIZERS_PARALLELISM": "false",
}


def parallel_group(path: Path) -> str:
    """The group of a test file under `pytest -n` (`--dist loadgroup`): the tests of an area run on one worker, so
    the servers its package fixtures start are started once; the `/pooling` server's users share one group."""
    parts = path.relative_to(PROJECT_ROOT).parts
    if parts[0] == "plugins" or parts[:2] == ("tests", "timeseries"):
        return "pooling"
    if parts[:3] == ("tests", "deployments", "scale"):
        return "deployments-scale"
    return parts[1] if len(parts) > 2 else "root"


def pytest_itemcollected(item) -> None:
    """Each test's area as its group for parallel runs (`--dist loadgroup`). Marked as it is collected: xdist reads
    the groups into the test ids in its own `pytest_collection_modifyitems`, which runs before this file's."""
    item.add_marker(pytest.mark.xdist_group(parallel_group(Path(str(item.path)))))


def pytest_collection_modifyitems(config, items) -> None:
    """Refuse to run when a test that starts a server or an engine is not marked slow."""
    unmarked = []
    for item in items:
        started = sorted(set(getattr(item, "fixturenames", ())) & STARTS_A_SERVER_OR_ENGINE.keys())
        if started and item.get_closest_marker("slow") is None:
            what = ", ".join(f"{name} ({STARTS_A_SERVER_OR_ENGINE[name]})" for name in started)
            unmarked.append(f"  {item.nodeid}: uses {what}")
    if unmarked:
        raise pytest.UsageError("tests that start a server or an engine must be marked slow "
                                "(@pytest.mark.slow or pytestmark):\n" + "\n".join(unmarked))
    items[:] = engine_users_first(items)


def engine_users_first(items: list) -> list:
    """The modules that use the session's engine before the others, each in its order: a module of slow tests
    without it releases the engine (`no_idle_engine`), and the next module that uses it waits for a new one."""
    users = {item.path for item in items if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ()))}
    return sorted(items, key=lambda item: item.path not in users)


@pytest.fixture(scope="session", autouse=True)
def test_environment(tmp_path_factory) -> Iterator[None]:
    """Keep Prefect, vLLM caches and our data out of the user's home and the repo's data/."""
    saved = dict(os.environ)
    os.environ.update(TEST_ENV)
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    os.environ["FORECASTER_DATA_DIR"] = str(tmp_path_factory.mktemp("session-data"))
    os.environ["VLLM_CACHE_ROOT"] = str(shared_vllm_cache(tmp_path_factory))
    os.chdir(PROJECT_ROOT)  # model paths in config/ are relative to the project root
    yield
    os.environ.clear()
    os.environ.update(saved)


def shared_vllm_cache(tmp_path_factory) -> Path:
    """One vLLM cache for the run, every pytest worker and every process a test starts: without vLLM's cached
    model info, each engine and server started with a fresh data dir inspected the model class in a subprocess
    first (16 s of its start here). Only that cache is shared; each test's data dir stays its own."""
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder above the workers'
    folder = run / "vllm-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module", autouse=True)
def no_idle_engine(request) -> None:
    """Before a module of slow tests that do not use the session's engine (they start commands, workers, servers),
    release it: on a 24-GB machine its memory is what their processes need beside the other pytest workers'."""
    items = [item for item in request.session.items if item.module is request.module]
    slow = any(item.get_closest_marker("slow") for item in items)
    uses = any(ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())) for item in items)
    pool = sys.modules.get("forecaster.llm.pool")  # not imported: no engine to release
    if slow and not uses and pool is not None:
        pool.model_pool().release_all()


@pytest.fixture(scope="session")
def console_environment_at_start() -> dict[str, str | None]:
    from forecaster.logging_setup import CONSOLE_ENVIRONMENT

    return {name: os.environ.get(name) for name in CONSOLE_ENVIRONMENT}


@pytest.fixture(autouse=True)
def console_environment_undone(console_environment_at_start) -> Iterator[None]:
    """A command run in-process (CliRunner) sets its console policy in the environment for the processes it
    starts; undo it after each test, back to the session's start (a module fixture's command too), so servers
    and engines that later tests start log as they do for those tests, not into that command's log file."""
    yield
    for name, value in console_environment_at_start.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def prefect_server(test_environment) -> Iterator[None]:
    """One real temporary Prefect server for the whole test run."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data dir (SQLite file, plots, logs) for one test, seen by flows through the environment."""
    monkeypatch.setenv("FORECASTER_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def settings(data_dir) -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def engine_settings(test_environment) -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def pool(engine_settings):
    """The process's model pool with the demo model's engine started once for the session."""
    from forecaster.runtime import prepare_environment
    from forecaster.llm.pool import model_pool

    prepare_environment(engine_settings)
    model_pool().scorer(engine_settings, DEMO_MODEL)
    yield model_pool()
    model_pool().release_all()


@pytest.fixture(scope="module")
def scorer(pool, engine_settings):
    """The demo model's scorer, fetched from the pool per module: a fault test may have replaced its engine."""
    return pool.scorer(engine_settings, DEMO_MODEL)


@pytest.fixture(scope="session")
def tiny_checkpoint(request, test_environment, tmp_path_factory) -> Path:
    """A random Chronos-2 of the published layout, tiny sizes (no weights can be downloaded here)."""
    from chronos2_vllm.testing import session_checkpoint

    return session_checkpoint(request.config, tmp_path_factory)


@pytest.fixture(scope="session")
def pooling_server(request, test_environment, tmp_path_factory) -> str:
    """Base URL of the session's one real vLLM `/pooling` server with the chronos2 plugin (the plugin's tests
    share it: chronos2_vllm.testing)."""
    from chronos2_vllm.testing import session_pooling_server

    return session_pooling_server(request.config, tmp_path_factory)
