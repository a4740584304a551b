"""Retrieval's own tables in the project's SQLite store: articles, passages, embeddings, fetch records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import sqlite_utils

from forecaster.retrieval.passage import Passage, Source, content_hash
from forecaster.retrieval.text import split_passages

ARTICLES = "retrieval_articles"
PASSAGES = "retrieval_passages"
EMBEDDINGS = "retrieval_embeddings"
LOOKUPS = "retrieval_lookups"
LOCAL_FILES = "retrieval_local_files"


@dataclass(frozen=True)
class Article:
    """A fetched document: `id` is the hash of its text, so the same text is stored once."""

    id: str
    source: Source
    title: str
    location: str
    text: str
    revision: str | None = None


class RetrievalStore:
    """Reads and writes retrieval's tables; creates them on first use."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._ensure_tables()

    def _ensure_tables(self) -> None:
        tables = set(self.db.table_names())
        if ARTICLES not in tables:
            self.db[ARTICLES].create(
                {"id": str, "source": str, "title": str, "location": str, "revision": str, "text": str,
                 "stored_at": str},
                pk="id",
                if_not_exists=True,
            )
        if PASSAGES not in tables:
            self.db[PASSAGES].create(
                {"article_id": str, "max_chars": int, "idx": int, "id": str, "text": str},
                pk=("article_id", "max_chars", "idx"),
                if_not_exists=True,
            )
        if EMBEDDINGS not in tables:
            self.db[EMBEDDINGS].create(
                {"text_id": str, "model": str, "dim": int, "vector": bytes},
                pk=("text_id", "model"),
                if_not_exists=True,
            )
        if LOOKUPS not in tables:
            self.db[LOOKUPS].create({"key": str, "value": str, "fetched_at": str}, pk="key", if_not_exists=True)
        if LOCAL_FILES not in tables:
            self.db[LOCAL_FILES].create(
                {"path": str, "mtime_ns": int, "size": int, "article_id": str, "doc_date": str},
                pk="path",
                if_not_exists=True,
            )

    # Articles and their passages
    def save_article(self, source: Source, title: str, location: str, text: str,
                     revision: str | None = None) -> Article:
        """Store an article (once per distinct text) and return it."""
        article = Article(content_hash(text), source, title, location, text, revision)
        self.db[ARTICLES].insert(
            {"id": article.id, "source": source, "title": title, "location": location, "revision": revision,
             "text": text, "stored_at": _now().isoformat()},
            ignore=True,
        )
        return article

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, if any."""
        rows = list(self.db[ARTICLES].rows_where("id = ?", [article_id]))
        if not rows:
            return None
        row = rows[0]
        return Article(row["id"], row["source"], row["title"], row["location"], row["text"], row["revision"])

    def passages(self, article: Article, max_chars: int) -> list[Passage]:
        """The article split into passages of at most `max_chars` (split once, then read back)."""
        rows = list(self.db[PASSAGES].rows_where(
            "article_id = ? AND max_chars = ?", [article.id, max_chars], order_by="idx"))
        if not rows:
            texts = split_passages(article.text, max_chars)
            rows = [{"article_id": article.id, "max_chars": max_chars, "idx": i, "id": content_hash(t), "text": t}
                    for i, t in enumerate(texts)]
            self.db[PASSAGES].insert_all(rows, ignore=True)
        return [Passage(r["id"], article.title, r["text"], article.source, article.location) for r in rows]

    # Embeddings, keyed by text hash and model
    def embeddings(self, text_ids: list[str], model: str) -> dict[str, np.ndarray]:
        """Stored vectors for those text ids under this model."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(text_ids), 500):
            chunk = text_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"SELECT text_id, vector FROM {EMBEDDINGS} WHERE model = ? AND text_id IN ({marks})",
                [model, *chunk],
            ):
                found[row["text_id"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return found

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None:
        """Store vectors (float32) for text ids under this model."""
        self.db[EMBEDDINGS].insert_all(
            ({"text_id": tid, "model": model, "dim": int(v.shape[0]),
              "vector": np.asarray(v, dtype=np.float32).tobytes()} for tid, v in vectors.items()),
            ignore=True,
        )

    # Fetch records: what a query or title gave last time
    def lookup(self, key: str, max_age: timedelta | None) -> Any | None:
        """The value recorded under `key`, unless older than `max_age` (None: never expires)."""
        rows = list(self.db[LOOKUPS].rows_where("key = ?", [key]))
        if not rows:
            return None
        fetched_at = datetime.fromisoformat(rows[0]["fetched_at"])
        if max_age is not None and _now() - fetched_at > max_age:
            return None
        return json.loads(rows[0]["value"])

    def record(self, key: str, value: Any) -> None:
        """Record what `key` gave, now."""
        self.db[LOOKUPS].upsert({"key": key, "value": json.dumps(value), "fetched_at": _now().isoformat()},
                                pk="key")

    # Local files: unchanged files are not read again
    def local_file(self, path: str, mtime_ns: int, size: int) -> tuple[str, str] | None:
        """(article id, document date) of a file read before with this mtime and size."""
        rows = list(self.db[LOCAL_FILES].rows_where(
            "path = ? AND mtime_ns = ? AND size = ?", [path, mtime_ns, size]))
        return (rows[0]["article_id"], rows[0]["doc_date"]) if rows else None

    def record_local_file(self, path: str, mtime_ns: int, size: int, article_id: str, doc_date: str) -> None:
        """Remember what a file held at this mtime and size."""
        self.db[LOCAL_FILES].upsert(
            {"path": path, "mtime_ns": mtime_ns, "size": size, "article_id": article_id, "doc_date": doc_date},
            pk="path",
        )


def _now() -> datetime:
    return datetime.now(timezone.utc)
