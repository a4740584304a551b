"""GPU slots and devices: a flow run holds a slot of a Prefect global concurrency limit (sized to the GPUs) while
its models hold the device; the devices it may use come from its worker (`CUDA_VISIBLE_DEVICES`)."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Iterator

# The limit `forecaster deploy` creates with one slot per GPU; absent in demo runs, where holding it is a no-op.
from forecaster.orchestration.deployments import GPU_LIMIT

log = logging.getLogger(__name__)

# A slot's lease, renewed by the holder while it lives: a killed holder's slot returns to the pool within this
# (plus the server's repossessor loop, 15 s), instead of Prefect's default 300 s.
SLOT_LEASE_S = 60.0


@contextlib.contextmanager
def gpu_slot(name: str = GPU_LIMIT) -> Iterator[None]:
    """Hold one slot of the `name` limit while the body runs; go on without it if the limit or API is missing."""
    from prefect.concurrency.sync import concurrency

    log_devices()  # the run's own record of the devices its worker gave it (`forecaster worker --gpus`)
    with contextlib.ExitStack() as stack:
        try:
            # A missing limit (demo runs on a temporary server) is skipped. Asked first with a read: taking a slot
            # of a missing limit is a write, and inside a run it took about 2 s (5 ms outside one), before every
            # run's model work; the read takes milliseconds.
            if _limit_exists(name):
                stack.enter_context(concurrency(name, occupy=1, strict=False, lease_duration=SLOT_LEASE_S))
        except TimeoutError:
            raise
        except Exception as exc:  # an unreachable API must not stop a forecast that needs no coordination
            log.warning("concurrency limit %r not taken (%s: %s); running without it", name,
                        type(exc).__name__, exc)
        yield


def _limit_exists(name: str) -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            return False
    return True


def device_line() -> str:
    """Which devices this process may use: its `CUDA_VISIBLE_DEVICES` (set by `forecaster worker --gpus`) and
    the GPUs torch sees through it."""
    from forecaster.config_checks import cuda_devices

    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return (f"devices: CUDA_VISIBLE_DEVICES={visible if visible is not None else '(unset)'}, "
            f"torch sees {cuda_devices()} GPU(s)")


def log_devices() -> str:
    """Log `device_line()` into the current flow or task run's log (its own record of where it ran), or this
    module's log outside a run; returns the line."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    line = device_line()
    try:
        get_run_logger().info(line)
    except MissingContextError:
        log.info(line)
    return line
