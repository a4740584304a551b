"""Progress of a run's model work, published as log records: a console may draw them as a bar, the log keeps them.

Records travel through logging rather than a callback so a flow run by a worker reports the same way as one
run from the command line, and nothing below the flow needs to know who is watching.
"""

from __future__ import annotations

import logging

LOGGER_NAME = "forecaster.progress"
_log = logging.getLogger(LOGGER_NAME)


def begin(total: int, unit: str) -> None:
    """Announce `total` units of work (e.g. forecasts: questions x agents)."""
    _log.info("%d %s to do", total, unit, extra={"progress_total": total, "progress_unit": unit})


def advance(done: int = 1, what: str = "") -> None:
    """`done` more units finished."""
    _log.info("%d done%s", done, f" ({what})" if what else "", extra={"progress_advance": done})
