"""A console progress bar fed by the run's progress records (see `forecaster.progress`)."""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import Any, Iterator

from forecaster.progress import LOGGER_NAME


class ProgressBar(logging.Handler):
    """Draws a tqdm bar: a `begin` record opens (or widens) it, `advance` records move it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.bar: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        total = getattr(record, "progress_total", None)
        if total is not None:
            if self.bar is None:
                self.bar = tqdm(total=total, unit=getattr(record, "progress_unit", ""), file=sys.stderr,
                                dynamic_ncols=True, leave=True, disable=False)  # TQDM_DISABLE is for children
            else:  # a second batch of work in the same command (e.g. a subflow)
                self.bar.total += total
                self.bar.refresh()
        done = getattr(record, "progress_advance", None)
        if done and self.bar is not None:
            self.bar.update(done)

    def finish(self) -> None:
        # Not `close()`: a library's dictConfig (vLLM's) closes every handler in the process mid-run.
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def progress_bar() -> Iterator[None]:
    """Show the model work's progress on the console while the block runs."""
    handler = ProgressBar()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.finish()
