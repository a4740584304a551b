"""What an id from outside may be, and ids made safe as file names and Prefect artifact keys, for every area.

Ids come from files and from Prefect UI parameters. At the door an id must meet `ID_RULE` (`id_problem` says
which part it breaks): an id such as `../../x` or `/tmp/x` is refused there. Behind the door, as defence in depth,
ids become file names and artifact keys by one function each: a plain id keeps its name; any other gets a digest
of the original, so two ids never share one and none names a file outside its folder.
"""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 100
MAX_ID_LENGTH = 128
ID_RULE = (f"an id is 1 to {MAX_ID_LENGTH} characters: letters, digits, '_', '-' or '.', starting with a letter "
           "or digit, without '..'")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ID_CHAR = re.compile(r"[A-Za-z0-9_.-]")


def id_problem(identifier: str) -> str | None:
    """What is wrong with `identifier` as an id (a phrase naming the broken part of `ID_RULE`), or None."""
    if not identifier:
        problem = "must not be empty"
    elif len(identifier) > MAX_ID_LENGTH:
        problem = f"is {len(identifier)} characters long"
    elif "/" in identifier or "\\" in identifier:
        problem = "must not contain a path separator"
    elif ".." in identifier:
        problem = "must not contain '..'"
    elif not _ID.fullmatch(identifier):
        bad = next((c for c in identifier if not _ID_CHAR.fullmatch(c)), None)
        problem = f"must not contain {bad!r}" if bad else "must start with a letter or digit"
    else:
        return None
    return f"{problem} ({ID_RULE})"


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


# The crowd's member name (a market price or community forecast stored beside the agents): events store it,
# feeds leave it out of submissions, learning weighs it.
CROWD = "crowd"
# The series member's name (a question's own series forecast, `forecaster.series`): stored, plotted and weighed
# like the crowd, never an agent.
SERIES = "series"
# Members that are not agents: agents' means and agent-only learning leave them out.
NOT_AGENTS = (CROWD, SERIES)
