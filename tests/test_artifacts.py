"""PNGs in markdown artifacts: embedded as base64 data URIs, decodable back to the file."""

from __future__ import annotations

import base64

from tasks.artifacts import png_markdown

PNG = b"\x89PNG\r\n\x1a\nabc"


def test_an_image_becomes_a_base64_data_uri(tmp_path):
    png = tmp_path / "p.png"
    png.write_bytes(PNG)
    markdown = png_markdown(png, "calibration")
    assert markdown.startswith("![calibration](data:image/png;base64,")
    assert base64.b64decode(markdown.split(",", 1)[1].rstrip(")")) == PNG
