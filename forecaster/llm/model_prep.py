"""Turn a configured model into something vLLM can load: demo GGUFs are converted once to safetensors."""

from __future__ import annotations

import fcntl
import importlib.util
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from forecaster.errors import ConfigError
from forecaster.settings import ModelSpec

log = logging.getLogger(__name__)


def ensure_model(spec: ModelSpec) -> str:
    """The path or id to hand vLLM, converting a packaged GGUF first when its folder is missing."""
    if spec.gguf_source is None or spec.is_s3:
        return spec.path
    target = Path(spec.path)
    if (target / "config.json").is_file():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Several processes may start on a fresh checkout at once (workers, a parallel test run): one converts, the
    # others wait for it and find the folder done.
    with open(target.with_name(target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "config.json").is_file():
            convert_in_child(packaged_file(spec.gguf_source), target)
    return str(target)


def convert_in_child(gguf_path: Path, target: Path) -> None:
    """`convert_gguf` in a child process: its 1.7 GB peak is handed back at once, and it inherits the
    environment's console policy (no progress bars unless verbose)."""
    done = subprocess.run([sys.executable, "-m", __name__, str(gguf_path), str(target)])
    if done.returncode != 0:
        raise ConfigError(f"models.*.gguf_source: converting {gguf_path.name} failed (exit {done.returncode}); "
                          "see the log file")


def packaged_file(source: str) -> Path:
    """Resolve "package:file" to a file inside an installed package, without importing it."""
    package, _, name = source.partition(":")
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise ConfigError(f"models.*.gguf_source: package {package!r} is not installed (from {source!r})")
    path = Path(next(iter(found.submodule_search_locations))) / name
    if not path.is_file():
        raise ConfigError(f"models.*.gguf_source: {name!r} not found in package {package!r}")
    return path


def convert_gguf(gguf_path: Path, target: Path) -> None:
    """Dequantize a GGUF into a safetensors folder with its tokenizer (written atomically)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to safetensors in %s (once)", gguf_path.name, target)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    # The weights are already dequantized; save_pretrained refuses while the GGUF quantizer is attached.
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(target)


if __name__ == "__main__":
    convert_gguf(Path(sys.argv[1]), Path(sys.argv[2]))
