"""Kills an engine's processes once the process that started them is gone (run as a script by `EngineWatch`).

vLLM's engine core does not end with its parent: a forecast stopped by SIGTERM (or killed) would leave its core
and model workers holding their memory. Stdlib and psutil only, so it starts in a blink.

Usage: python reaper.py PARENT_PID PID:CREATE_TIME ...
"""

from __future__ import annotations

import os
import signal
import sys
import time

import psutil

POLL_S = 0.5


def _same(pid: int, created: float) -> psutil.Process | None:
    """The process while it runs, if the pid still names the one that was started (not a reused pid)."""
    try:
        process = psutil.Process(pid)
        if abs(process.create_time() - created) < 0.01 and process.status() != psutil.STATUS_ZOMBIE:
            return process
    except psutil.Error:
        pass
    return None


def main(argv: list[str]) -> int:
    parent = int(argv[0])
    targets = [(int(pid), float(created)) for pid, created in (a.split(":", 1) for a in argv[1:])]
    while True:
        alive = [p for p in (_same(*t) for t in targets) if p is not None]
        if not alive:
            return 0  # the engine was shut down, or died and was cleaned up
        if os.getppid() != parent:  # our parent ended: we were handed to init
            for process in alive:
                try:
                    process.send_signal(signal.SIGKILL)
                except psutil.Error:
                    pass
            return 0
        time.sleep(POLL_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
