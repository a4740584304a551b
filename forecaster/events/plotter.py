"""Question plots drawn in a process of their own, beside the flow.

matplotlib draws in pure Python: in the flow's process its drawing held the GIL that the engine calls of the next
chunk need at every step, and a round's model work beside the plots took twice its time (18 s instead of 9 s for
25 questions on 2 cores). Drawn in a child process, the plots take only CPU time, not the flow's turn.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class PlotJob:
    """One question's plot, with the stored rows it is drawn from (`question` a stored row for a yes/no
    question, a Question for the others)."""

    question: Any
    history: tuple[dict[str, Any], ...]
    agent_rows: tuple[dict[str, Any], ...] | None
    out_dir: Path


def draw(job: PlotJob) -> Path:
    """Draw one plot (in whichever process runs it)."""
    if job.agent_rows is None:
        from forecaster.events.typed.plots import plot_typed

        return plot_typed(job.question, job.history, job.out_dir)
    from forecaster.events.plots import plot_question

    return plot_question(job.question, job.history, job.agent_rows, job.out_dir)


def _ready() -> None:
    import forecaster.events.plots  # noqa: F401 - matplotlib's import, paid while the engine starts


def _end_with(parent: int) -> None:
    """End this drawing process once `parent` has: a flow process killed with -9 never closes its pool, and the
    drawer, waiting on a queue it holds both ends of, would wait for good."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Plotter:
    """A run's drawing process: started with `start()` (spawned, as vLLM's engines are: the flow's process has
    threads), ended with `close()`. A drawing process that died is replaced, once per call."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_end_with, initargs=(os.getpid(),))
            self._pool.submit(_ready)

    def draw(self, jobs: Sequence[PlotJob]) -> list[Path]:
        """Every job's plot, in order."""
        self.start()
        try:
            return list(self._pool.map(draw, jobs))
        except BrokenProcessPool:  # the drawing process died (killed, out of memory): once more, on a new one
            self.close()
            self.start()
            return list(self._pool.map(draw, jobs))

    def process_ids(self) -> list[int]:
        """The drawing processes' ids (none before the first `start`)."""
        return sorted(self._pool._processes) if self._pool is not None else []

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Plotter":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
