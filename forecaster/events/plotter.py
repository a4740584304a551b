"""Question plots drawn in processes of their own beside the flow, or in the flow's process for a small run.

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
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:
    from forecaster.events.plots import QuestionFigures


@dataclass(frozen=True)
class PlotJob:
    """One question's plot, with the stored rows it is drawn from (`question` a stored row for a yes/no
    question, a Question for the others)."""

    question: Any
    history: tuple[dict[str, Any], ...]
    agent_rows: tuple[dict[str, Any], ...] | None
    out_dir: Path


def draw(job: PlotJob, figures: QuestionFigures | None = None) -> Path:
    """Draw one plot (in whichever process runs it), a yes/no question's on `figures` where given."""
    if job.agent_rows is None:
        from forecaster.events.typed.plots import plot_typed

        return plot_typed(job.question, job.history, job.out_dir)
    from forecaster.events.plots import QuestionFigures

    return (figures or QuestionFigures()).plot(job.question, job.history, job.agent_rows, job.out_dir)


# A drawing process's figures, made by its initializer: kept from plot to plot (see QuestionFigures).
_FIGURES: QuestionFigures | None = None


def _start_drawing(parent: int) -> None:
    """A drawing process's start: matplotlib's import paid while the engine works, and its end tied to `parent`."""
    global _FIGURES
    from forecaster.events.plots import QuestionFigures

    _FIGURES = QuestionFigures()
    _end_with(parent)


def _draw_there(job: PlotJob) -> Path:
    return draw(job, _FIGURES)


def _end_with(parent: int) -> None:
    """End this drawing process once `parent` has: a flow process killed with -9 never closes its pool, and the
    drawer, waiting on a queue it holds both ends of, would wait for good."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def drawing_processes(questions: int, batch_size: int, cores: int) -> int:
    """How many processes draw a run's plots: none for a run of one chunk (drawn here after its model work: a
    process's start would take its CPU from the engine), else a quarter of the cores, 1 to 4 (the last chunk's
    plots wait for its model work, then have the machine to themselves)."""
    return 0 if questions <= batch_size else min(4, max(1, cores // 4))


class Plotter:
    """A run's drawing: in `processes` processes of its own (spawned, as vLLM's engines are: the flow's process
    has threads), or here for 0. Started with `start()`, ended with `close()`. A drawing process that died is
    replaced, once per call."""

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._figures: QuestionFigures | None = None

    def start(self) -> None:
        if self._pool is None and self.processes:
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_drawing, initargs=(os.getpid(),))
            for _ in range(self.processes):  # each process starts now, beside the model work, not at its first plot
                self._pool.submit(os.getpid)

    def draw(self, jobs: Sequence[PlotJob]) -> Iterator[Path]:
        """Every job's plot, in order, each as soon as it is drawn."""
        if not self.processes:
            yield from self._draw_here(jobs)
            return
        done = 0
        self.start()
        try:
            for path in self._pool.map(_draw_there, jobs):
                done += 1
                yield path
        except BrokenProcessPool:  # a drawing process died (killed, out of memory): the rest once more, anew
            self.close()
            self.start()
            yield from self._pool.map(_draw_there, jobs[done:])

    def _draw_here(self, jobs: Sequence[PlotJob]) -> Iterator[Path]:
        from forecaster.events.plots import QuestionFigures

        self._figures = self._figures or QuestionFigures()
        for job in jobs:
            yield draw(job, self._figures)

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
