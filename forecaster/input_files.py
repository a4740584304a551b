"""Reading a file a person hands us: one clear error (file, line) for a missing, oversized or non-UTF-8 file.

Every input file (questions, resolutions, series) is read through here, so a bad byte is an `InputError`
naming the file and line, never a `UnicodeDecodeError` traceback, and a huge file is refused before it is read.
"""

from __future__ import annotations

from pathlib import Path

from forecaster.errors import InputError

# Far above any real questions or series file (the ForecastBench dev file is 0.1 MiB); a file this big is a
# mistake (a wrong path, a database dump) that would otherwise be read whole into memory.
MAX_INPUT_BYTES = 64 * 2**20


def check_input_file(path: Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> None:
    """Raise unless `path` is a regular file of at most `max_bytes` bytes (`what` names it in the message)."""
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {what} is {size} bytes, over the limit of {max_bytes} bytes "
                         "(split it into smaller files)")


def read_input_text(path: str | Path, what: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file's text, decoded as UTF-8 (a leading byte-order mark is dropped)."""
    path = Path(path)
    check_input_file(path, what, max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since it was measured
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: {what} is over the limit of {max_bytes} bytes (split it into smaller files)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         f"save the {what} as UTF-8") from None


def input_lines(text: str) -> list[str]:
    """The file's lines as an editor numbers them: split on newlines only.

    `str.splitlines` also splits on characters such as U+2028 that JSON allows inside a string, which would
    cut a valid JSON line in two and shift every later line number.
    """
    return [line.rstrip("\r") for line in text.split("\n")]
