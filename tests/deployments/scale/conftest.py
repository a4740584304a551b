"""The scale-out tests' cluster: real PostgreSQL, `forecaster server` on it (UI included), `forecaster deploy`."""

from __future__ import annotations

import subprocess
from typing import Iterator

import httpx
import pytest

from forecaster.settings import PROJECT_ROOT
from tests.deployments.scale.cluster import PrefectOnPostgres
from tests.deployments.servers import BIN, base_env
from tests.postgres import Postgres
from tests.processes import free_port, start, stop, wait_until


@pytest.fixture(scope="package")
def pg() -> Iterator[Postgres]:
    """A real PostgreSQL (Debian's package) on 127.0.0.1 and a free port, in a temp dir."""
    server = Postgres()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="package")
def pg_server(pg, tmp_path_factory) -> Iterator[PrefectOnPostgres]:
    """`forecaster server` (UI included) with PREFECT_API_DATABASE_CONNECTION_URL pointing at `pg`."""
    home = tmp_path_factory.mktemp("prefect-pg-server")
    port = free_port()
    env = base_env(home)
    env.update({"PREFECT_API_DATABASE_CONNECTION_URL": pg.url(), "FORECASTER_DATA_DIR": str(home / "data"),
                "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"})
    env.pop("PREFECT_UI_ENABLED", None)
    log = home / "server.log"
    proc = start([str(BIN / "forecaster"), "server", "--host", "127.0.0.1", "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_until(lambda: httpx.get(f"{url}/health", timeout=5).status_code == 200, 300, "prefect server on "
                   "postgresql", proc, log)
        yield PrefectOnPostgres(url, log, proc)
    finally:
        stop(proc)


@pytest.fixture(scope="package")
def pg_env(pg_server, tmp_path_factory) -> dict[str, str]:
    """The environment of a client (CLI, worker) of the PostgreSQL-backed server."""
    env = base_env(tmp_path_factory.mktemp("prefect-pg-client"))
    env["PREFECT_API_URL"] = pg_server.url
    return env


@pytest.fixture(scope="package")
def pg_deployed(pg_env) -> subprocess.CompletedProcess:
    """`forecaster deploy --gpus 2` once: two GPU slots, so two workers' runs hold one each."""
    result = subprocess.run([str(BIN / "forecaster"), "deploy", "--gpus", "2"], env=pg_env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture
def pg_client(pg_server):
    """A sync Prefect client on the PostgreSQL-backed server."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: pg_server.url}):
        with get_client(sync_client=True) as client:
            yield client
