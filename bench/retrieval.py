"""Retrieval benchmark: passages embedded per second, and a repeat of the same questions against the first run.

The repeat is served from the SQLite store (no fetch, no embedding), so the ratio cold/warm shows what the
cache saves. Wikipedia is a local MediaWiki server on 127.0.0.1 (no network); documents are generated.
Run: `.venv/bin/python -m bench.retrieval [--docs 40 --articles 12 --questions 8]`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from forecaster.retrieval import retrieve
from forecaster.retrieval.embedding import embed_texts, load_embedder
from forecaster.retrieval.mediawiki_fixture import FixtureArticle, MediaWikiFixture
from forecaster.retrieval.store import RetrievalStore
from forecaster.retrieval.text import split_passages
from forecaster.settings import RetrievalSettings

TOPICS = ["inflation", "election", "interest rates", "chess championship", "olympic games", "climate",
          "semiconductors", "central bank", "unemployment", "vaccine", "satellite launch", "oil prices"]
WORDS = ("the of and to in a is that for on was with as by at from its were which has been also more than "
         "market policy report season record growth forecast official data analysts expected year month "
         "government company league team players council agency index decline increase quarter").split()


def _text(rng: random.Random, topic: str, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = rng.choices(WORDS, k=rng.randint(10, 22))
        words.insert(rng.randrange(len(words)), topic)
        out.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(" ".join(out[i:i + 4]) for i in range(0, len(out), 4))


def _corpus(folder: Path, docs: int, articles: int, rng: random.Random) -> list[FixtureArticle]:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        (folder / f"doc{i:03d}.txt").write_text(_text(rng, TOPICS[i % len(TOPICS)], 24))
    return [FixtureArticle(f"{TOPICS[i % len(TOPICS)].title()} {i}", _text(rng, TOPICS[i % len(TOPICS)], 24))
            for i in range(articles)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(0)
    questions = [f"Will {TOPICS[i % len(TOPICS)]} figures rise before the end of {2025 + i % 3}?"
                 for i in range(args.questions)]
    with tempfile.TemporaryDirectory() as tmp, MediaWikiFixture(_corpus(Path(tmp) / "docs", args.docs,
                                                                        args.articles, rng)) as wiki:
        settings = RetrievalSettings(wikipedia_api_url=wiki.url, documents_dir=Path(tmp) / "docs")
        t0 = time.perf_counter()
        load_embedder(settings.embedding_model)
        print(f"model load: {time.perf_counter() - t0:.2f} s ({settings.embedding_model})")

        # 1. Embedding throughput on passages the store has never seen.
        texts = [p for a in wiki.articles for p in split_passages(a.text, settings.passage_chars)]
        embed_store = RetrievalStore(Path(tmp) / "embed.db")
        t0 = time.perf_counter()
        _, embedded = embed_texts(texts, settings.embedding_model, embed_store)
        elapsed = time.perf_counter() - t0
        print(f"embedding: {embedded} passages of <= {settings.passage_chars} chars in {elapsed:.2f} s = "
              f"{embedded / elapsed:.1f} passages/s")

        # 2. The same questions twice against one store: cold (fetch + embed) then warm (cache).
        store = RetrievalStore(Path(tmp) / "forecaster.db")
        runs = []
        for label in ("cold", "warm"):
            seen = len(wiki.requests)
            t0 = time.perf_counter()
            results = [retrieve(q, settings, store) for q in questions]
            elapsed = time.perf_counter() - t0
            runs.append(elapsed)
            print(f"{label} run: {len(questions)} questions in {elapsed:.2f} s "
                  f"({elapsed / len(questions) * 1000:.0f} ms/question), "
                  f"embedded {sum(r.embedded for r in results)} texts, {len(wiki.requests) - seen} HTTP requests, "
                  f"failures {sum(len(r.failures) for r in results)}")
        print(f"cache ratio: cold / warm = {runs[0] / runs[1]:.1f}x")


if __name__ == "__main__":
    main()
