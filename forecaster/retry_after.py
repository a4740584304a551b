"""How long a 429 asks to wait: every HTTP client of ours reads Retry-After the same way."""

from __future__ import annotations

import email.utils
import time


def retry_after_s(value: str, fallback_s: float, cap_s: float) -> float:
    """`value` (seconds or an HTTP date) as seconds within [0, cap_s]; `fallback_s` when empty or unreadable."""
    wait = fallback_s
    value = value.strip()
    if value:
        try:
            wait = float(value)
        except ValueError:
            try:
                wait = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                pass  # unreadable: the fallback's wait
    return min(max(wait, 0.0), cap_s)
