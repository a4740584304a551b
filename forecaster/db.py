"""The one SQLite file every area stores into (each area owns its tables)."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating folders as needed) the SQLite store in WAL mode with foreign keys on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # Wait for locks before anything else: switching a fresh file to WAL takes an exclusive lock.
    db.execute("PRAGMA busy_timeout=30000")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db
