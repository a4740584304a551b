"""`forecaster server`: a Prefect server with its UI, on PostgreSQL when PREFECT_API_DATABASE_CONNECTION_URL
names one (SQLite under the Prefect home otherwise: fine for one process, not for many workers)."""

from __future__ import annotations

import os

import typer

from forecaster.cli import common
from forecaster.errors import ConfigError

DATABASE_ENV = "PREFECT_API_DATABASE_CONNECTION_URL"
LEASES_ON_DISK = "prefect.server.concurrency.lease_storage.filesystem"


def database_description(url: str | None) -> str:
    """What the server will store into, with any password hidden; a URL Prefect cannot use is one clear error."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not url:
        return "SQLite under PREFECT_HOME (set PREFECT_API_DATABASE_CONNECTION_URL for PostgreSQL)"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{DATABASE_ENV}: not a database URL; expected "
                          "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE") from None
    if parsed.drivername.startswith("postgresql"):
        if parsed.drivername != "postgresql+asyncpg":
            raise ConfigError(f"{DATABASE_ENV}: Prefect talks to PostgreSQL through asyncpg; the URL must start "
                              f"with postgresql+asyncpg://, got {parsed.drivername}://")
        from forecaster.config_checks import has_module

        if not has_module("asyncpg"):
            raise ConfigError(f"{DATABASE_ENV}: PostgreSQL needs the asyncpg package (pip install asyncpg)")
    elif parsed.drivername != "sqlite+aiosqlite":
        raise ConfigError(f"{DATABASE_ENV}: unsupported database {parsed.drivername!r}; use "
                          "postgresql+asyncpg://… or sqlite+aiosqlite:///PATH")
    return parsed.render_as_string(hide_password=True)


def server(
    host: str = typer.Option("127.0.0.1", "--host", help="Listen address (0.0.0.0 only behind an "
                             "authenticating proxy: the open-source server has no login)."),
    port: int = typer.Option(4200, "--port"),
    ui: bool = typer.Option(True, "--ui/--no-ui", help="Serve the Prefect UI on the same port."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the database URL, print the command, exit."),
) -> None:
    """Start a Prefect server (API and UI) for workers on this and other hosts."""
    from forecaster.cli.deploy import prefect_executable

    common.settings()
    with common.clean_errors():
        database = database_description(os.environ.get(DATABASE_ENV))
    args = [prefect_executable(), "server", "start", "--host", host, "--port", str(port)]
    typer.echo(f"Prefect server on http://{host}:{port} (API /api{', UI /' if ui else ''}); database: {database}")
    typer.echo(f"workers and commands elsewhere: export PREFECT_API_URL=http://<this host>:{port}/api")
    if dry_run:
        return
    os.execve(args[0], args, server_environment(ui))


def server_environment(ui: bool) -> dict[str, str]:
    """The server's environment: the caller's, with defaults a shared server needs (the caller's win)."""
    defaults = {
        # Telemetry off: on SQLite its heartbeat is what logged "database is locked" here.
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Concurrency leases on disk: kept in memory (Prefect's default), a gpu slot held across a server
        # restart is never given back and every later run waits on the limit.
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": LEASES_ON_DISK,
    }
    return {**defaults, **os.environ, "PREFECT_UI_ENABLED": str(ui).lower()}


def register(app: typer.Typer) -> None:
    app.command("server")(server)
