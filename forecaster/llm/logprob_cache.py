"""A bounded LRU of candidate log-probabilities, keyed by (model, prompt, candidate)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Hashable, Sequence


def prompt_key(prompt_ids: Sequence[int]) -> str:
    """A short stable digest of a prompt's token ids."""
    return hashlib.blake2b(",".join(map(str, prompt_ids)).encode(), digest_size=16).hexdigest()


class LogprobCache:
    """Least-recently-used cache; at least 101 entries so one whole distribution fits."""

    MIN_SIZE = 101

    def __init__(self, max_size: int) -> None:
        if max_size < self.MIN_SIZE:
            raise ValueError(f"logprob_cache_size: must be >= {self.MIN_SIZE} (one entry per number 0..100), got {max_size}")
        self.max_size = max_size
        self._data: OrderedDict[Hashable, float] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> float | None:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: float) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
