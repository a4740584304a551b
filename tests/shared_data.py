"""The team's shared data beside the checkout (CI clones the repo with shared/ next to it)."""

from forecaster.settings import PROJECT_ROOT

DEV_FILE = PROJECT_ROOT.parent / "shared" / "data" / "forecastbench-2024-07-21-dev.jsonl"
