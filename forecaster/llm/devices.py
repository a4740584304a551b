"""The accelerators this process can see."""

from __future__ import annotations


def cuda_devices() -> int:
    """GPUs this process can see (0 on a CPU-only machine)."""
    try:
        import torch
    except ImportError:
        return 0
    return torch.cuda.device_count() if torch.cuda.is_available() else 0
