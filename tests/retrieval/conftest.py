"""Shared pieces for retrieval tests: fixture articles, a real MediaWiki server, settings, a fresh store."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from forecaster.retrieval.mediawiki_fixture import FixtureArticle, MediaWikiFixture, Revision
from forecaster.retrieval.store import RetrievalStore
from forecaster.settings import RetrievalSettings

FED = FixtureArticle(
    "Federal Reserve",
    "The Federal Reserve is the central bank of the United States.\n\n"
    "== Monetary policy ==\n"
    "The Federal Open Market Committee sets the federal funds rate. It cut interest rates in 2024 as "
    "inflation eased towards its two percent target.",
    (
        Revision(501, "2019-06-01T10:00:00Z",
                 "The '''Federal Reserve''' is the [[central bank]] of the [[United States|US]].{{Infobox bank}}\n\n"
                 "== Monetary policy ==\nIn 2019 the committee held the federal funds rate steady."
                 "<ref>Minutes, June 2019</ref>"),
        Revision(502, "2024-09-20T10:00:00Z",
                 "The '''Federal Reserve''' is the central bank of the United States.\n\n"
                 "== Monetary policy ==\nIt cut interest rates in 2024 as inflation eased."),
    ),
)
CHESS = FixtureArticle(
    "Ding Liren",
    "Ding Liren is a Chinese chess grandmaster. He won the World Chess Championship in 2023 against Ian "
    "Nepomniachtchi and lost the title to Gukesh Dommaraju in December 2024.",
    (
        Revision(701, "2022-03-01T00:00:00Z", "'''Ding Liren''' is a Chinese [[chess]] grandmaster."),
        Revision(702, "2023-05-01T00:00:00Z",
                 "'''Ding Liren''' is a Chinese chess grandmaster and the World Chess Champion since 2023."),
        Revision(703, "2024-12-13T00:00:00Z",
                 "'''Ding Liren''' is a Chinese chess grandmaster. He lost the title to Gukesh in December 2024."),
    ),
)
NEW_PAGE = FixtureArticle(
    "World Chess Championship 2024",
    "The World Chess Championship 2024 was a chess match between Ding Liren and Gukesh Dommaraju.",
    (Revision(901, "2023-12-01T00:00:00Z", "The '''World Chess Championship 2024''' is a planned chess match."),),
)
BANANA = FixtureArticle(
    "Banana",
    "A banana is an elongated, edible fruit produced by several kinds of large herbaceous flowering plants.",
)
ARTICLES = [FED, CHESS, NEW_PAGE, BANANA]


@pytest.fixture
def mediawiki() -> Iterator[Callable[..., MediaWikiFixture]]:
    """Start real MediaWiki servers on 127.0.0.1 (fixture articles unless given); all stopped afterwards."""
    started: list[MediaWikiFixture] = []

    def start(articles: list[FixtureArticle] | None = None, **kwargs) -> MediaWikiFixture:
        server = MediaWikiFixture(ARTICLES if articles is None else articles, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def make_settings(api_url: str = "http://127.0.0.1:9/w/api.php", **overrides) -> RetrievalSettings:
    """Settings for tests: short timeouts, no backoff, every passage scored (min_score 0)."""
    values = dict(wikipedia_api_url=api_url, wikipedia_timeout_s=0.5, min_score=0.0, top_k=5,
                  retry_backoff_s=0.0, passage_chars=300)
    values.update(overrides)
    return RetrievalSettings(**values)


@pytest.fixture
def store(tmp_path: Path):
    with RetrievalStore(tmp_path / "forecaster.db") as opened:
        yield opened


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with these lines in Helvetica (enough for pypdf to extract)."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " T* ".join(f"({line}) Tj" for line in escaped) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A documents folder with one FOMC note (test modules may define their own)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "fomc.md").write_text("# FOMC minutes\nMembers discussed when to cut the federal funds rate.")
    return folder
