"""The in-process reference pipeline and a strict `/pooling` caller (checkpoint and server: tests/conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
import pytest

from tests.chronos_server import SERVED_NAME

@pytest.fixture(scope="session")
def pipeline(tiny_checkpoint):
    """The in-process reference: Chronos2Pipeline on the same checkpoint, float32."""
    import torch
    from chronos import Chronos2Pipeline

    return Chronos2Pipeline.from_pretrained(str(tiny_checkpoint), device_map="cpu", torch_dtype=torch.float32)


def _reject_constant(name: str) -> Any:
    raise AssertionError(f"response carries the non-JSON literal {name}")


class Pooling:
    """Posts `/pooling` bodies and parses answers strictly (NaN/Infinity in a response fail the test)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=120)

    def post_raw(self, content: str | bytes) -> httpx.Response:
        return self.http.post("/pooling", content=content, headers={"Content-Type": "application/json"})

    def post(self, data: Any, model: str = SERVED_NAME) -> httpx.Response:
        return self.post_raw(json.dumps({"model": model, "task": "plugin", "data": data}))

    def forecast(self, data: Any) -> list[dict[str, Any]]:
        response = self.post(data)
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_constant=_reject_constant)["data"]["predictions"]


@pytest.fixture(scope="session")
def pooling(pooling_server) -> Pooling:
    return Pooling(pooling_server)


def random_walk(rng: np.random.Generator, length: int, variates: int | None = None) -> np.ndarray:
    """A positive random walk (1-D, or `variates` × length)."""
    shape = (length,) if variates is None else (variates, length)
    return 50 + np.cumsum(rng.normal(size=shape), axis=-1)
