"""GPU slots: a flow run holds a slot of a Prefect global concurrency limit (sized to the GPUs) while its models
hold the device."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

# The limit `forecaster deploy` creates with one slot per GPU; absent in demo runs, where holding it is a no-op.
from forecaster.deployments import GPU_LIMIT

log = logging.getLogger(__name__)


@contextlib.contextmanager
def gpu_slot(name: str = GPU_LIMIT) -> Iterator[None]:
    """Hold one slot of the `name` limit while the body runs; go on without it if the limit or API is missing."""
    from prefect.concurrency.sync import concurrency

    with contextlib.ExitStack() as stack:
        try:
            # strict=False: a missing limit is skipped, so demo runs on an ephemeral server are unchanged.
            stack.enter_context(concurrency(name, occupy=1, strict=False))
        except TimeoutError:
            raise
        except Exception as exc:  # an unreachable API must not stop a forecast that needs no coordination
            log.warning("concurrency limit %r not taken (%s: %s); running without it", name,
                        type(exc).__name__, exc)
        yield
