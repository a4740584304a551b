"""Whether an in-process vLLM engine is still whole, and engine calls that never wait on a dead one.

vLLM notices its core process dying and marks the engine dead, but a call already waiting for output keeps
waiting (its output thread is closed without a word), and it never notices a model worker alone dying. So
each engine is watched here: its core process(es), their model workers and vLLM's dead-engine flag, checked
before every call and every `POLL_S` seconds during one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often a call in flight looks at the engine's processes
REAPER = Path(__file__).with_name("reaper.py")
T = TypeVar("T")


class EngineDied(RuntimeError):
    """A process of the engine died (or vLLM marked it dead): the engine is discarded, a retry starts anew."""


def _dead(process: Any) -> bool:
    import psutil

    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def _name(process: Any) -> str:
    import psutil

    try:
        return process.name()
    except psutil.Error:
        return "?"


def _fail_client(client: Any) -> None:
    """Make vLLM's client raise `EngineDeadError` now, in a call waiting on it and in every later one."""
    from vllm.v1.engine.exceptions import EngineDeadError

    resources = getattr(client, "resources", None)
    if resources is not None:
        resources.engine_dead = True
    outputs = getattr(client, "outputs_queue", None)
    if outputs is not None:
        outputs.put_nowait(EngineDeadError())  # what `get_output` blocks on
    for future in list(getattr(client, "utility_results", {}).values()):
        with contextlib.suppress(Exception):  # already done
            future.set_exception(EngineDeadError())


class EngineWatch:
    """The processes one engine runs on, watched; what is left of them is killed when the engine is dropped."""

    def __init__(self, llm: Any) -> None:
        import psutil

        self.client = getattr(llm.llm_engine, "engine_core", None)
        manager = getattr(getattr(self.client, "resources", None), "engine_manager", None)
        cores = [psutil.Process(p.pid) for p in getattr(manager, "processes", [])]
        # Taken once the engine is ready: by then its cores have started all their model workers.
        self.processes = [*cores, *(w for core in cores for w in core.children(recursive=True))]
        self.names = {p.pid: _name(p) for p in self.processes}
        self.reaper = self._start_reaper()

    def _start_reaper(self) -> subprocess.Popen | None:
        """A small process that kills the engine's processes if ours ends without doing so (SIGTERM, kill -9):
        vLLM's core outlives its parent otherwise."""
        if not self.processes:
            return None
        pids = [f"{p.pid}:{p.create_time()}" for p in self.processes]
        return subprocess.Popen([sys.executable, str(REAPER), str(os.getpid()), *pids], stdin=subprocess.DEVNULL,
                                start_new_session=True)  # a terminal's Ctrl-C must not stop it first

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def death(self) -> str | None:
        """Why the engine is dead, or None while it is whole."""
        for process in self.processes:
            if _dead(process):
                return f"engine process {self.names[process.pid]} (pid {process.pid}) died"
        if getattr(getattr(self.client, "resources", None), "engine_dead", False):
            return "vLLM marked the engine dead"
        return None

    def call(self, fn: Callable[[], T]) -> T:
        """`fn()` (an engine call), failed with `EngineDied` within `POLL_S` of a process of the engine dying."""
        reason = self.death()
        if reason is not None:
            raise EngineDied(reason)
        stop, seen = threading.Event(), []

        def watch() -> None:
            while not stop.wait(POLL_S):
                if (found := self.death()) is not None:
                    seen.append(found)
                    _fail_client(self.client)
                    return

        watcher = threading.Thread(target=watch, name="engine-watchdog", daemon=True)
        watcher.start()
        try:
            return fn()
        except Exception as exc:
            reason = seen[0] if seen else self.death()
            if reason is None:
                raise
            raise EngineDied(reason) from exc
        finally:
            stop.set()

    def tear_down(self) -> None:
        """Kill what is left of a dead engine (orphaned model workers hold their memory) and close vLLM's client."""
        if self.client is not None:
            _fail_client(self.client)
        for process in self.processes:
            if not _dead(process):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):  # what is left of the client may refuse to shut down cleanly
            self.client.shutdown()
        self.stop_reaper()

    def stop_reaper(self) -> None:
        if self.reaper is not None:
            self.reaper.kill()
            self.reaper.wait()
            self.reaper = None
