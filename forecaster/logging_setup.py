"""Console plus rotating-file logging; LOG_DIR / LOG_FILE (via the settings) decide where the file goes."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from pydantic import BaseModel, SecretStr

from forecaster.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "forecaster-file"


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
