"""A local documents folder: .txt, .md and .pdf files, split into passages; unreadable files skipped."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from forecaster.errors import ConfigError
from forecaster.retrieval.passage import Passage, SourceResult
from forecaster.retrieval.store import RetrievalStore
from forecaster.settings import RetrievalSettings

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md", ".pdf"})
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


@dataclass(frozen=True)
class Document:
    """A file's readable content: title, text and the date it speaks from."""

    title: str
    text: str
    date: date


def fetch_local(question_text: str, settings: RetrievalSettings, store: RetrievalStore, *,
                as_of: date | None = None) -> SourceResult:
    """Passages (unranked) from every readable document in the folder, dated on or before `as_of` if given.

    A file that cannot be read is skipped with a warning; a configured folder that does not exist raises.
    """
    folder = settings.documents_dir
    if folder is None:
        return SourceResult("local")
    if not folder.is_dir():
        raise ConfigError(f"retrieval.documents_dir: {folder} is not a folder")
    passages: list[Passage] = []
    warnings: list[str] = []
    for path in document_paths(folder):
        try:
            article_id, doc_date = _stored_document(path, store)
        except Exception as exc:  # any reader failure means this one file is unusable
            warnings.append(f"skipped {path}: {type(exc).__name__}: {exc}")
            continue
        if as_of is not None and doc_date > as_of:
            continue
        article = store.article(article_id)
        if article is not None:
            passages.extend(store.passages(article, settings.passage_chars))
    for warning in warnings:
        log.warning("local documents: %s", warning)
    return SourceResult("local", passages, warnings)


def document_paths(folder: Path) -> list[Path]:
    """The supported files under `folder`, hidden ones excluded, in a stable order."""
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _stored_document(path: Path, store: RetrievalStore) -> tuple[str, date]:
    """(article id, date) of the file, read only when it changed since the last run."""
    stat = path.stat()
    known = store.local_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if known is not None:
        return known[0], date.fromisoformat(known[1])
    document = read_document(path)
    article = store.save_article("local", document.title, str(path.resolve()), document.text)
    store.record_local_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size, article.id,
                            document.date.isoformat())
    return article.id, document.date


def read_document(path: Path) -> Document:
    """Title, text and date of one file; the date comes from `date:` front matter, else the file's mtime."""
    mtime = datetime.fromtimestamp(path.stat().st_mtime).date()
    if path.suffix.lower() == ".pdf":
        text = _pdf_text(path)
        meta: dict = {}
    else:
        text = path.read_bytes().decode("utf-8")
        meta, text = _front_matter(text, path)
    if not text.strip():
        raise ValueError("no text")
    title = str(meta.get("title") or _first_heading(text) or path.stem)
    return Document(title, text, _as_date(meta.get("date"), path) or mtime)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path), strict=False)
    return "\n\n".join((page.extract_text() or "") for page in reader.pages)


def _front_matter(text: str, path: Path) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1))
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: front matter is not a mapping of keys to values")
    return meta, text[match.end():]


def _as_date(value: object, path: Path) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"{path}: front matter 'date' must be YYYY-MM-DD, got {value!r}") from None


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else None
