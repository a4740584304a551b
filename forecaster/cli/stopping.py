"""Stop means stop: a command asked to stop (SIGTERM, Ctrl-C) ends within a bound, its temporary Prefect server
with it, and its exit status says how a run ended."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from typing import Iterator

log = logging.getLogger(__name__)

# Exit statuses of the run commands (README "Exit status"); 2 (bad input or configuration) is common.clean_errors'.
EXIT_STATUS = {"completed": 0, "partial": 3, "failed": 1}
# How long the command may take to unwind (the flow records its run as failed, engines shut down) once asked to
# stop; past it the process ends at once.
STOP_GRACE_S = 20.0
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def exit_status(status: str) -> int:
    """The command's exit status for a run that ended `completed`, `partial` or `failed`."""
    return EXIT_STATUS[status]


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Around a command's run: SIGTERM or SIGINT stops the temporary Prefect server at once and unwinds the run
    (SystemExit 128+signal); a second signal, or an unwinding longer than STOP_GRACE_S, ends the process.

    Python's default SIGTERM ends the process without unwinding: the temporary server, a child process, was left
    running. A plain unwinding may wait for ever on threads still at work (engine start, retrieval).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    received: list[int] = []  # the exit status of the first stop signal

    def on_signal(signum: int, _frame: object) -> None:
        code = 128 + signum
        stop_temporary_server()
        if received:
            _end_now(code)
        received.append(code)
        _end_after(STOP_GRACE_S, code)
        log.warning("stopping: %s received", signal.Signals(signum).name)
        raise SystemExit(code)

    for sig in _SIGNALS:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            stop_temporary_server()
            _exit_now(received[0])


def _exit_now(code: int) -> None:
    """End a stopped command without the interpreter's finalization: a daemon thread still inside torch or vLLM
    (an engine starting) is unwound then, and their C++ catches abort the process ("FATAL: exception not
    rethrown") instead of it exiting with its status. Engines and the server are already stopped here, but for
    an engine caught mid-start, whose processes no pool knows yet: every process still under this one ends."""
    _end_descendants()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def stop_temporary_server() -> None:
    """Stop the temporary Prefect server this process started, if any (Prefect stops it at exit otherwise)."""
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # Prefect keeps one per process: this is the one its client started
    if server.server_process is not None:
        server.stop()


def _end_descendants(grace_s: float = 3.0) -> None:
    """SIGTERM every process under this one, then SIGKILL those still running after `grace_s`."""
    import psutil

    with contextlib.suppress(psutil.Error):
        children = psutil.Process().children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.terminate()
        _, alive = psutil.wait_procs(children, timeout=grace_s)
        for child in alive:
            with contextlib.suppress(psutil.Error):
                child.kill()


def _end_now(code: int) -> None:
    """The unwinding took too long: no logging here, its locks may be what it waits on."""
    _end_descendants()
    os._exit(code)


def _end_after(seconds: float, code: int) -> None:
    timer = threading.Timer(seconds, _end_now, args=(code,))
    timer.daemon = True
    timer.start()
