"""The local documents folder: .txt, .md and .pdf, unreadable files skipped, dates honoured for as_of."""

import logging
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from forecaster.errors import ConfigError
from forecaster.retrieval import fetch_local

from .conftest import make_settings, write_pdf


def _settings(folder: Path):
    return make_settings(wikipedia_enabled=False, documents_dir=folder)


def _set_mtime(path: Path, day: date) -> None:
    stamp = datetime(day.year, day.month, day.day, 12).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "rates.txt").write_text("The central bank kept interest rates at five percent in June.")
    (docs / "sub" / "olympics.md").write_text(
        "---\ntitle: Paris Games\ndate: 2024-06-01\n---\n# Ignored heading\nThe Seine was too polluted for a swim.")
    write_pdf(docs / "chess.pdf", ["Ding Liren defends his chess title.", "The match is in Singapore."])
    (docs / "notes.csv").write_text("not,a,document")
    (docs / ".hidden.txt").write_text("A hidden file that should never be read.")
    return docs


def test_txt_md_and_pdf_files_become_passages(folder, store):
    result = fetch_local("any question", _settings(folder), store)
    by_title = {p.title: p for p in result.passages}
    assert set(by_title) == {"rates", "Paris Games", "chess"}
    assert "Ding Liren defends his chess title." in by_title["chess"].text
    assert "Singapore" in by_title["chess"].text
    assert "---" not in by_title["Paris Games"].text
    assert by_title["rates"].location == str((folder / "rates.txt").resolve())
    assert {p.source for p in result.passages} == {"local"}
    assert result.warnings == []


def test_an_unreadable_file_is_skipped_with_a_warning_and_the_rest_used(folder, store, caplog):
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (folder / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        result = fetch_local("any question", _settings(folder), store)
    assert {p.title for p in result.passages} == {"rates", "Paris Games", "chess"}
    assert len(result.warnings) == 2
    assert any("broken.pdf" in w for w in result.warnings)
    assert any("latin1.txt" in w and "UnicodeDecodeError" in w for w in result.warnings)
    assert "broken.pdf" in caplog.text


def test_as_of_ignores_documents_dated_after_it(folder, store):
    _set_mtime(folder / "rates.txt", date(2024, 1, 10))
    _set_mtime(folder / "chess.pdf", date(2024, 8, 1))
    # The front-matter date (2024-06-01) wins over the file's mtime.
    _set_mtime(folder / "sub" / "olympics.md", date(2020, 1, 1))
    titles = lambda as_of: {p.title for p in fetch_local("q", _settings(folder), store, as_of=as_of).passages}
    assert titles(date(2024, 3, 1)) == {"rates"}
    assert titles(date(2024, 6, 1)) == {"rates", "Paris Games"}
    assert titles(None) == {"rates", "Paris Games", "chess"}


def test_a_changed_file_is_read_again(folder, store):
    fetch_local("q", _settings(folder), store)
    path = folder / "rates.txt"
    path.write_text("The central bank raised interest rates to six percent in July.")
    result = fetch_local("q", _settings(folder), store)
    assert [p.text for p in result.passages if p.title == "rates"] == [path.read_text()]


def test_a_missing_folder_is_a_config_error_naming_the_setting(tmp_path, store):
    with pytest.raises(ConfigError, match="retrieval.documents_dir"):
        fetch_local("q", _settings(tmp_path / "nowhere"), store)


def test_no_folder_configured_gives_nothing(store):
    assert fetch_local("q", make_settings(documents_dir=None), store).passages == []
