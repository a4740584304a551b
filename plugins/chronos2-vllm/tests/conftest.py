"""The plugin's session fixtures: a tiny checkpoint, the real `/pooling` server, the in-process reference.

The checkpoint and server are the session's shared ones (`chronos2_vllm.testing`): run from the application's
root, its tests reuse the same server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chronos2_vllm.testing import Pooling, session_checkpoint, session_pooling_server


@pytest.fixture(scope="session")
def tiny_checkpoint(request, tmp_path_factory) -> Path:
    """A random Chronos-2 of the published layout, tiny sizes."""
    return session_checkpoint(request.config, tmp_path_factory)


@pytest.fixture(scope="session")
def pooling_server(request, tmp_path_factory) -> str:
    """Base URL of the real vLLM `/pooling` server with the chronos2 plugin."""
    return session_pooling_server(request.config, tmp_path_factory)


@pytest.fixture(scope="session")
def pipeline(tiny_checkpoint):
    """The in-process reference: Chronos2Pipeline on the same checkpoint, float32."""
    import torch
    from chronos import Chronos2Pipeline

    return Chronos2Pipeline.from_pretrained(str(tiny_checkpoint), device_map="cpu", torch_dtype=torch.float32)


@pytest.fixture(scope="session")
def pooling(pooling_server) -> Pooling:
    """A strict `/pooling` caller on the session server."""
    return Pooling(pooling_server)
