"""Prefect artifacts: PNGs embedded in markdown, so the UI shows them without a file server."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Sequence

from prefect.artifacts import create_markdown_artifact


def png_markdown(path: str | Path, title: str) -> str:
    """A PNG as a markdown image with a base64 data URI (artifacts hold markdown, not files)."""
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f"![{title}](data:image/png;base64,{data})"


def publish_png(path: str | Path, key: str, title: str, description: str) -> None:
    """One PNG as the markdown artifact `key`."""
    create_markdown_artifact(key=key, markdown=png_markdown(path, title), description=description)


def publish_pngs(paths: Sequence[str | Path], key: str, title: str) -> None:
    """Several PNGs in one markdown artifact `key`, each under its file name."""
    parts = [f"## {title}"]
    parts += [f"**{Path(path).name}**\n\n{png_markdown(path, Path(path).stem)}" for path in paths]
    create_markdown_artifact(key=key, markdown="\n\n".join(parts), description=title)
