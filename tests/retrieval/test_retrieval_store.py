"""Retrieval's tables: a database written before RetrievalStore had one SCHEMA still opens and reads back."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from forecaster.retrieval.store import Article, RetrievalStore

# The tables as sqlite-utils created them before, with one article, its passage, a vector, a lookup and a file.
OLD_TABLES = """
CREATE TABLE "retrieval_articles" ("id" TEXT PRIMARY KEY, "source" TEXT, "title" TEXT, "location" TEXT,
    "revision" TEXT, "text" TEXT, "stored_at" TEXT);
CREATE TABLE "retrieval_passages" ("article_id" TEXT, "max_chars" INTEGER, "idx" INTEGER, "id" TEXT, "text" TEXT,
    PRIMARY KEY ("article_id", "max_chars", "idx"));
CREATE TABLE "retrieval_embeddings" ("text_id" TEXT, "model" TEXT, "dim" INTEGER, "vector" BLOB,
    PRIMARY KEY ("text_id", "model"));
CREATE TABLE "retrieval_lookups" ("key" TEXT PRIMARY KEY, "value" TEXT, "fetched_at" TEXT);
CREATE TABLE "retrieval_local_files" ("path" TEXT PRIMARY KEY, "mtime_ns" INTEGER, "size" INTEGER,
    "article_id" TEXT, "doc_date" TEXT);
INSERT INTO retrieval_articles VALUES ('a1', 'wikipedia', 'Chess', 'https://w/Chess', '42', 'Chess is a game.',
    '2026-01-01T00:00:00+00:00');
INSERT INTO retrieval_passages VALUES ('a1', 300, 0, 'p1', 'Chess is a game.');
INSERT INTO retrieval_embeddings VALUES ('p1', 'tiny', 2, X'0000803F00000040');
INSERT INTO retrieval_lookups VALUES ('wikipedia:search:chess', '["Chess"]', '2026-01-01T00:00:00+00:00');
INSERT INTO retrieval_local_files VALUES ('/docs/note.md', 7, 12, 'a1', '2025-12-31');
"""


def test_a_database_written_before_the_store_opens_and_reads_back(tmp_path):
    path = tmp_path / "forecaster.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_TABLES)
    with RetrievalStore(path) as store:
        article = store.article("a1")
        assert article == Article("a1", "wikipedia", "Chess", "https://w/Chess", "Chess is a game.", "42")
        assert [p.text for p in store.passages(article, 300)] == ["Chess is a game."]
        assert store.embeddings(["p1"], "tiny")["p1"].tolist() == [1.0, 2.0]
        assert store.lookup("wikipedia:search:chess", None) == ["Chess"]
        assert store.local_file("/docs/note.md", 7, 12) == ("a1", "2025-12-31")


def test_the_same_text_is_stored_once_under_the_first_title(store):
    article = store.save_article("local", "Note", "/docs/note.md", "Rates rose in May.")
    copy = store.save_article("local", "Copy", "/docs/copy.md", "Rates rose in May.")
    assert copy.id == article.id
    assert store.article(article.id).title == "Note"


def test_recording_a_key_again_replaces_what_it_gave(store):
    store.record("k", [1])
    store.record("k", [2])
    assert store.lookup("k", timedelta(hours=1)) == [2]


def test_a_changed_file_is_known_only_by_its_new_mtime_and_size(store):
    store.record_local_file("/docs/note.md", 1, 2, "a1", "2026-05-01")
    store.record_local_file("/docs/note.md", 3, 4, "a1", "2026-05-02")
    assert store.local_file("/docs/note.md", 1, 2) is None
    assert store.local_file("/docs/note.md", 3, 4) == ("a1", "2026-05-02")
