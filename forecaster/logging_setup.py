"""Console plus rotating-file logging; LOG_DIR / LOG_FILE (via the settings) decide where the file goes.

The file gets everything at the configured level. A command's console (`configure_console`) gets warnings
and errors only, each once and on one line, unless the user asks for everything (`--verbose`, `LOG_LEVEL`).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, SecretStr

from forecaster.settings import Settings

# Where a vLLM logging config file for vLLM's own servers is kept (see
# `llm.environment.keep_vllm_logging_ours`): under vLLM's name, an engine in this process would apply it.
SERVER_LOGGING_CONFIG = "FORECASTER_VLLM_SERVER_LOGGING_CONFIG"

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "forecaster-file"
# Loggers whose run-state records Prefect's engine writes: the flow and the CLI report outcomes themselves.
_PREFECT_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
_PREFECT_PACKAGE = os.sep + "prefect" + os.sep
_OUR_LOGGERS = ("forecaster", "tasks", "flows", *_PREFECT_RUN_LOGGERS)


class RedactSecrets(logging.Filter):
    """Blank any configured secret value that a library might print."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._pattern = re.compile("|".join(re.escape(s) for s in secrets)) if secrets else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is not None:
            message = record.getMessage()
            if self._pattern.search(message):
                record.msg, record.args = self._pattern.sub("**********", message), None
        return True


def configure_logging(settings: Settings) -> None:
    """Attach the rotating file handler (and a console handler unless one exists); idempotent."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    # vLLM never configures its own logging here (forecaster.llm.environment.keep_vllm_logging_ours): its records reach
    # these handlers like any library's, also where an earlier config had cut its logger off.
    logging.getLogger("vllm").propagate = True
    log_file = settings.log_file.resolve()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        if Path(handler.baseFilename) == log_file:
            return
        # A later run in this process logs elsewhere (another data dir): move the file handler there.
        root.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    redact = RedactSecrets(secret_values(settings))
    file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=10_000_000, backupCount=5)
    file_handler.set_name(_HANDLER_NAME)
    handlers: list[logging.Handler] = [file_handler]
    # Prefect (when running) already prints to the console; a second console handler would double every line.
    if not any(type(h) is logging.StreamHandler or "Console" in type(h).__name__ for h in root.handlers):
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(redact)
        root.addHandler(handler)


def secret_values(settings: BaseModel) -> list[str]:
    """The plain values of every SecretStr anywhere in the settings (for redaction only)."""
    found: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr) and value.get_secret_value():
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            found += secret_values(value)
    return found


class OneLineFormatter(logging.Formatter):
    """`level: message`, first line only: tracebacks and details stay in the log file."""

    WIDTH = 160

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines() or [""]
        line = lines[0] if len(lines[0]) <= self.WIDTH else lines[0][: self.WIDTH - 1] + "…"
        more = " (details in the log file)" if len(lines) > 1 or record.exc_info or line != lines[0] else ""
        return f"{record.levelname.lower()}: {line}{more}"


class OncePerMessage(logging.Filter):
    """Each warning once: a library's repeats of one message template (about other objects) are dropped too."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        # Prefect's own run-state records are filtered out before this one: what is left on its run loggers is ours.
        ours = record.name.startswith(_OUR_LOGGERS)
        key = (record.levelname, record.getMessage() if ours else str(record.msg))
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


class NotLibraryChatter(logging.Filter):
    """Drops libraries' notices (anything below an error that is not ours: vLLM's start-up hints, Prefect's
    warnings, Python warnings) and the records Prefect's engine writes about run states (the flow and the command
    report outcomes themselves); ours pass. The log file keeps them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(_OUR_LOGGERS):
            return record.levelno >= logging.ERROR
        return not (record.name in _PREFECT_RUN_LOGGERS and _PREFECT_PACKAGE in record.pathname)


class ConsoleHandler(logging.StreamHandler):
    """Writes through tqdm so a progress bar on the console is not torn by a warning."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # logging must never raise
            self.handleError(record)


def configure_console(settings: Settings, verbose: bool = False, children_to_log: bool = False) -> None:
    """A command's console: warnings and errors once each on one line, everything else to the log file only.

    `children_to_log`: what the processes this one starts print (engine, temporary Prefect server) goes to the
    log file too. `verbose` (or a `LOG_LEVEL` in the environment) keeps every library's own console output.
    """
    configure_logging(settings)
    if verbose or os.environ.get("LOG_LEVEL"):
        return
    import prefect.logging.configuration

    prefect.logging.configuration.ensure_logging_setup()  # so its console handlers exist to be replaced
    console = ConsoleHandler(sys.stderr)
    console.set_name("forecaster-console")
    console.setLevel(logging.WARNING)
    console.setFormatter(OneLineFormatter())
    for record_filter in (NotLibraryChatter(), OncePerMessage(), RedactSecrets(secret_values(settings))):
        console.addFilter(record_filter)
    for logger in [logging.getLogger(), *_loggers_with_console_handlers()]:
        for handler in [h for h in logger.handlers if _is_console(h)]:
            logger.removeHandler(handler)
        if logger is logging.getLogger():
            logger.addHandler(console)
        else:
            logger.propagate = True
    _quiet_transformers()
    logging.captureWarnings(True)
    os.environ.setdefault(SERVER_LOGGING_CONFIG, str(write_vllm_logging_config(settings)))
    os.environ.update(_QUIET_CHILDREN)
    if children_to_log:
        console.setStream(children_output_to_log(settings.log_file.resolve()))


def children_output_to_log(log_file: Path) -> TextIO:
    """Point this process's standard error (fd 2, which every child process inherits) at the log file; returns
    the terminal's stream, which `sys.stderr` then is.

    vLLM's engine processes print their first notices before any logging exists in them ("Triton is installed,
    but doesn't include CPU backend"), Prefect's temporary server prints its own; none is the forecaster's.
    Left as it is where standard error is not a real one (a test's runner in-process).
    """
    try:
        if sys.stderr.fileno() != 2:
            return sys.stderr
    except (AttributeError, OSError, ValueError):
        return sys.stderr
    sys.stderr.flush()
    terminal = os.fdopen(os.dup(2), "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace")
    log_fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stderr = terminal
    return terminal


# For the processes this one starts (engine core and workers, servers): their deprecation warnings, C++
# notices and loading bars say nothing about the user's run. This process's own warnings are logged above.
_QUIET_CHILDREN: dict[str, str] = {
    "PYTHONWARNINGS": "ignore",
    "TORCH_CPP_LOG_LEVEL": "ERROR",
    "TQDM_DISABLE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}
# Everything `configure_console` puts in the environment (what a test that runs a command in-process undoes).
CONSOLE_ENVIRONMENT = (SERVER_LOGGING_CONFIG, *_QUIET_CHILDREN)


def _is_console(handler: logging.Handler) -> bool:
    stream = getattr(handler, "stream", None)
    return not isinstance(handler, logging.FileHandler) and stream in (sys.stderr, sys.stdout)


def _loggers_with_console_handlers() -> list[logging.Logger]:
    loggers = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    return [lg for lg in loggers if any(_is_console(h) for h in lg.handlers)]


def _quiet_transformers() -> None:
    # transformers prints through its own handler; let its records reach ours instead.
    from transformers.utils import logging as hf_logging

    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    hf_logging.disable_progress_bar()


def write_vllm_logging_config(settings: Settings) -> Path:
    """A logging config for the vLLM servers this command starts (through the environment): INFO and its
    start-up notices (performance hints about this machine) to our log file, errors on one line to the console."""
    path = settings.log_dir / "vllm-logging.json"
    here = __name__
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"file": {"format": FORMAT}, "console": {"()": f"{here}.OneLineFormatter"}},
        "filters": {"once": {"()": f"{here}.OncePerMessage"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(settings.log_file.resolve()),
                     "formatter": "file", "level": "INFO"},
            "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "console",
                        "level": "ERROR", "filters": ["once"]},
        },
        "loggers": {"vllm": {"handlers": ["file", "console"], "level": "INFO", "propagate": False}},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=1))
    return path
