"""Ids made safe as file names and Prefect artifact keys, by one function each, for every area.

Ids come from files and from Prefect UI parameters: an id such as `../../x` or `/tmp/x` must never name a file
outside its folder. A plain id keeps its name; any other gets a digest of the original, so two ids never share one.
"""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 100


def file_stem(identifier: str) -> str:
    """A file name (without suffix) for `identifier`: letters, digits, `_`, `-` and inner dots only."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", identifier)
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip("._-")
    return _unique(identifier, cleaned)


def artifact_key(prefix: str, name: str) -> str:
    """A Prefect artifact key (lowercase letters, digits and dashes) for `name`, under `prefix`."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{prefix}-{_unique(name, cleaned)}"[:MAX_LENGTH]


def _unique(original: str, cleaned: str) -> str:
    # Only an id that needed no change (case included) keeps its bare name.
    if cleaned and cleaned == original and len(cleaned) <= MAX_LENGTH - 20:
        return cleaned
    digest = hashlib.blake2b(original.encode(), digest_size=5).hexdigest()
    return f"{cleaned[: MAX_LENGTH - 30]}-{digest}" if cleaned else digest
