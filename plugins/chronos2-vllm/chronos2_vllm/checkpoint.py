"""Random-weight Chronos-2 checkpoints with the published layout, for tests and benchmarks (no hub here)."""

from __future__ import annotations

from pathlib import Path

# The 21 levels the published model was trained on.
QUANTILES = [0.01, 0.05, *(round(0.1 + 0.05 * i, 2) for i in range(17)), 0.95, 0.99]

# "base" has the published size (~120M parameters): speed is measured on it, never on "tiny".
SIZES = {
    "tiny": dict(d_model=6, d_kv=4, d_ff=8, num_layers=2, num_heads=4),
    "base": dict(d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12),
}


def build_random_checkpoint(directory: str | Path, size: str = "tiny", seed: int = 0) -> Path:
    """Write a random Chronos-2 checkpoint of the given size to `directory` (reused if already there)."""
    import torch
    from chronos.chronos2 import Chronos2CoreConfig, Chronos2Model

    directory = Path(directory)
    if (directory / "config.json").is_file():
        return directory
    torch.manual_seed(seed)
    config = Chronos2CoreConfig(
        **SIZES[size],
        architectures=["Chronos2Model"],
        chronos_pipeline_class="Chronos2Pipeline",
        chronos_config={
            "context_length": 8192,
            "input_patch_size": 16,
            "output_patch_size": 16,
            "input_patch_stride": 16,
            "max_output_patches": 64,
            "quantiles": QUANTILES,
            "use_reg_token": True,
            "use_arcsinh": True,
            "time_encoding_scale": 8192,
        },
    )
    tmp = directory.with_name(directory.name + ".partial")
    Chronos2Model(config).save_pretrained(tmp)
    tmp.rename(directory)
    return directory
