"""Decoded PNGs for plot tests: a plot must be an image of the expected size that changes with its data."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def pixels(path: str | Path) -> np.ndarray:
    """The decoded image, height x width x channels (matplotlib reads PNG without extra packages)."""
    from matplotlib.image import imread

    return imread(str(path), format="png")


def size(path: str | Path) -> tuple[int, int]:
    """(width, height) in pixels."""
    height, width = pixels(path).shape[:2]
    return width, height


def differ(a: str | Path, b: str | Path) -> bool:
    """Whether two images differ in at least one pixel (or in size)."""
    pa, pb = pixels(a), pixels(b)
    return pa.shape != pb.shape or not np.array_equal(pa, pb)

