"""The one SQLite file every area stores into (each area owns its tables)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

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


def apply_schema(db: sqlite_utils.Database, schema: str, added_columns: tuple[tuple[str, str, str], ...] = ()) -> None:
    """Create a store's tables and indexes, then add the columns (table, column, definition) a database lacks.

    `schema` only holds CREATE ... IF NOT EXISTS, so an older database keeps its rows; columns added after a
    table's first release cannot be created that way, so they are added here when missing.
    """
    db.executescript(schema)
    for table, column, definition in added_columns:
        if column not in {c.name for c in db[table].columns}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


# typing.Self is 3.11+; the project still supports 3.10.
_Store = TypeVar("_Store", bound="Closing")


class Closing:
    """What every store shares: `close()`, and closing at the end of a `with` block."""

    db: sqlite_utils.Database

    def close(self) -> None:
        self.db.close()

    def __enter__(self: _Store) -> _Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
