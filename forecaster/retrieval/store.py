"""Retrieval's own tables in the project's SQLite store: articles, passages, embeddings, fetch records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from forecaster.db import Closing, apply_schema, open_database
from forecaster.retrieval.passage import Passage, Source, content_hash
from forecaster.retrieval.text import split_passages

SCHEMA = """
CREATE TABLE IF NOT EXISTS retrieval_articles (
   id TEXT PRIMARY KEY,
   source TEXT,
   title TEXT,
   location TEXT,
   revision TEXT,
   text TEXT,
   stored_at TEXT
);
CREATE TABLE IF NOT EXISTS retrieval_passages (
   article_id TEXT,
   max_chars INTEGER,
   idx INTEGER,
   id TEXT,
   text TEXT,
   PRIMARY KEY (article_id, max_chars, idx)
);
CREATE TABLE IF NOT EXISTS retrieval_embeddings (
   text_id TEXT,
   model TEXT,
   dim INTEGER,
   vector BLOB,
   PRIMARY KEY (text_id, model)
);
CREATE TABLE IF NOT EXISTS retrieval_lookups (
   key TEXT PRIMARY KEY,
   value TEXT,
   fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS retrieval_local_files (
   path TEXT PRIMARY KEY,
   mtime_ns INTEGER,
   size INTEGER,
   article_id TEXT,
   doc_date TEXT
);
"""


@dataclass(frozen=True)
class Article:
    """A fetched document: `id` is the hash of its text, so the same text is stored once."""

    id: str
    source: Source
    title: str
    location: str
    text: str
    revision: str | None = None


class RetrievalStore(Closing):
    """Reads and writes retrieval's tables; creates them on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        apply_schema(self.db, SCHEMA)

    # Articles and their passages
    def save_article(self, source: Source, title: str, location: str, text: str,
                     revision: str | None = None) -> Article:
        """Store an article (once per distinct text) and return it."""
        article = Article(content_hash(text), source, title, location, text, revision)
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR IGNORE INTO retrieval_articles (id, source, title, location, revision, text, stored_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [article.id, source, title, location, revision, text, _now().isoformat()])
        return article

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, if any."""
        rows = list(self.db.query("SELECT * FROM retrieval_articles WHERE id = ?", [article_id]))
        if not rows:
            return None
        row = rows[0]
        return Article(row["id"], row["source"], row["title"], row["location"], row["text"], row["revision"])

    def passages(self, article: Article, max_chars: int) -> list[Passage]:
        """The article split into passages of at most `max_chars` (split once, then read back)."""
        rows = list(self.db.query("SELECT * FROM retrieval_passages WHERE article_id = ? AND max_chars = ?"
                                  " ORDER BY idx", [article.id, max_chars]))
        if not rows:
            texts = split_passages(article.text, max_chars)
            rows = [{"article_id": article.id, "max_chars": max_chars, "idx": i, "id": content_hash(t), "text": t}
                    for i, t in enumerate(texts)]
            with self.db.conn:
                self.db.conn.executemany(
                    "INSERT OR IGNORE INTO retrieval_passages (article_id, max_chars, idx, id, text)"
                    " VALUES (:article_id, :max_chars, :idx, :id, :text)", rows)
        return [Passage(r["id"], article.title, r["text"], article.source, article.location) for r in rows]

    # Embeddings, keyed by text hash and model
    def embeddings(self, text_ids: list[str], model: str) -> dict[str, np.ndarray]:
        """Stored vectors for those text ids under this model."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(text_ids), 500):
            chunk = text_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"SELECT text_id, vector FROM retrieval_embeddings WHERE model = ? AND text_id IN ({marks})",
                [model, *chunk],
            ):
                found[row["text_id"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return found

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None:
        """Store vectors (float32) for text ids under this model."""
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO retrieval_embeddings (text_id, model, dim, vector) VALUES (?, ?, ?, ?)",
                [(tid, model, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                 for tid, v in vectors.items()])

    # Fetch records: what a query or title gave last time
    def lookup(self, key: str, max_age: timedelta | None) -> Any | None:
        """The value recorded under `key`, unless older than `max_age` (None: never expires)."""
        rows = list(self.db.query("SELECT value, fetched_at FROM retrieval_lookups WHERE key = ?", [key]))
        if not rows:
            return None
        fetched_at = datetime.fromisoformat(rows[0]["fetched_at"])
        if max_age is not None and _now() - fetched_at > max_age:
            return None
        return json.loads(rows[0]["value"])

    def record(self, key: str, value: Any) -> None:
        """Record what `key` gave, now."""
        with self.db.conn:
            self.db.conn.execute("INSERT OR REPLACE INTO retrieval_lookups (key, value, fetched_at) VALUES (?, ?, ?)",
                                 [key, json.dumps(value), _now().isoformat()])

    # Local files: unchanged files are not read again
    def local_file(self, path: str, mtime_ns: int, size: int) -> tuple[str, str] | None:
        """(article id, document date) of a file read before with this mtime and size."""
        rows = list(self.db.query("SELECT article_id, doc_date FROM retrieval_local_files"
                                  " WHERE path = ? AND mtime_ns = ? AND size = ?", [path, mtime_ns, size]))
        return (rows[0]["article_id"], rows[0]["doc_date"]) if rows else None

    def record_local_file(self, path: str, mtime_ns: int, size: int, article_id: str, doc_date: str) -> None:
        """Remember what a file held at this mtime and size."""
        with self.db.conn:
            self.db.conn.execute(
                "INSERT OR REPLACE INTO retrieval_local_files (path, mtime_ns, size, article_id, doc_date)"
                " VALUES (?, ?, ?, ?, ?)", [path, mtime_ns, size, article_id, doc_date])


def _now() -> datetime:
    return datetime.now(timezone.utc)
