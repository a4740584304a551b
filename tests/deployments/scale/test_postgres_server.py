"""`forecaster server`: a Prefect server with its UI on a real PostgreSQL; SQLite stays the default."""

from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from forecaster.errors import ConfigError
from tests.postgres import PASSWORD


def test_without_a_database_url_the_server_keeps_sqlite_under_the_prefect_home():
    from forecaster.cli.server import database_description

    assert database_description(None).startswith("SQLite under PREFECT_HOME")


def test_the_database_url_is_shown_with_its_password_hidden():
    from forecaster.cli.server import database_description

    shown = database_description("postgresql+asyncpg://prefect:s3cret-pw@db.internal:5432/prefect")
    assert "s3cret-pw" not in shown
    assert shown == "postgresql+asyncpg://prefect:***@db.internal:5432/prefect"


def test_the_server_keeps_concurrency_leases_on_disk_unless_told_otherwise(monkeypatch):
    from forecaster.cli.server import LEASES_ON_DISK, server_environment

    monkeypatch.delenv("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", raising=False)
    assert server_environment(ui=True)["PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE"] == LEASES_ON_DISK
    monkeypatch.setenv("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", "prefect.server.concurrency.lease_storage.memory")
    assert server_environment(ui=False)["PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE"].endswith(".memory")


def test_a_postgresql_url_without_the_asyncpg_driver_is_refused_naming_the_variable():
    from forecaster.cli.server import database_description

    with pytest.raises(ConfigError, match=r"PREFECT_API_DATABASE_CONNECTION_URL: .*postgresql\+asyncpg://"):
        database_description("postgresql://prefect:pw@db:5432/prefect")


def test_a_bad_database_url_stops_the_command_with_exit_2_before_anything_starts(monkeypatch):
    from forecaster.cli import app

    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "mysql://u:secret-pw@db/prefect")
    result = CliRunner().invoke(app, ["server", "--dry-run"])
    assert result.exit_code == 2
    assert "PREFECT_API_DATABASE_CONNECTION_URL: unsupported database 'mysql'" in result.output
    assert "secret-pw" not in result.output


@pytest.mark.slow
def test_forecaster_server_keeps_prefects_tables_in_postgresql(pg, pg_server):
    assert httpx.get(f"{pg_server.url}/health", timeout=10).status_code == 200
    tables = pg.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    assert {"flow_run", "deployment", "work_pool", "automation"} <= set(tables)


@pytest.mark.slow
def test_forecaster_server_serves_the_ui_on_the_api_port(pg_server):
    page = httpx.get(pg_server.url.removesuffix("/api") + "/", timeout=30)
    assert page.status_code == 200 and "<html" in page.text.lower()


@pytest.mark.slow
def test_deployments_registered_on_the_server_are_rows_in_postgresql(pg, pg_deployed):
    names = set(pg.query("SELECT name FROM deployment"))
    assert {"events-daily", "events-sharded", "timeseries-forecast", "timeseries-backtest-weekly"} <= names
    assert set(pg.query("SELECT name FROM work_pool")) >= {"gpu", "control"}


@pytest.mark.slow
def test_the_database_password_never_reaches_the_server_log(pg_server, pg_deployed):
    text = pg_server.log_text()
    assert "postgresql+asyncpg://postgres:***@127.0.0.1" in text
    assert PASSWORD not in text
