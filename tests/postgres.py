"""A real PostgreSQL for the tests, from Debian's `postgresql` package: initdb + pg_ctl on a temp dir and a free
port, run as the `postgres` user (PostgreSQL refuses to run as root). Installed with apt-get when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.processes import free_port

PG_ROOT = Path("/usr/lib/postgresql")
# Never a real credential: trust authentication ignores it, but it travels in the URL like a real one would,
# so tests can check that no log shows it.
PASSWORD = "pg-test-secret-93be1"
# Root's tools (runuser, and what dpkg calls) live in sbin, which a minimal PATH (CI, `env -i`) leaves out.
SYSTEM_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder, installing Debian's package first if none is; skips the
    test with the reason when that is impossible here."""
    found = _installed()
    if found is None:
        _install()
        found = _installed()
    if found is None:
        pytest.skip(f"PostgreSQL not installed and apt-get did not provide it ({PG_ROOT}/*/bin/initdb missing)")
    return found


def _installed() -> Path | None:
    candidates = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                        if p.parent.parent.name.isdigit() else 0)
    return candidates[-1].parent if candidates else None


def _install() -> None:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("PostgreSQL missing and cannot be installed here (needs apt-get as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": SYSTEM_PATH}
    result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"], env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        pytest.skip(f"apt-get install postgresql failed ({result.returncode}): {result.stderr[-500:]}")


def _runuser() -> str:
    """PostgreSQL refuses to run as root: as root, its tools run as `postgres` through util-linux's runuser."""
    found = shutil.which("runuser", path=SYSTEM_PATH)
    if found is None:
        pytest.skip("running as root without runuser: PostgreSQL cannot be started as the postgres user")
    return found


class Postgres:
    """One PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only, with a database `prefect`."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        # Not under pytest's tmp dir: that is private to root, and the server runs as `postgres`.
        self.root = Path(tempfile.mkdtemp(prefix="forecaster-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()

    def url(self, database: str = "prefect") -> str:
        return f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def start(self) -> "Postgres":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "prefect")
        return self

    def query(self, sql: str, database: str = "prefect") -> list[str]:
        out = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                        "-At", "-c", sql)
        return [line for line in out.splitlines() if line]

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> str:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = [_runuser(), "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=self.root)
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} exited {result.returncode}: {result.stderr[-2000:]}\n{log}")
        return result.stdout
