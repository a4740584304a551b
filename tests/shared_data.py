"""The team's shared data beside the checkout (CI clones the repo with shared/ next to it).

Counts of the ForecastBench dev file are read from the file, never typed into tests.
"""

from __future__ import annotations

import json

from forecaster.settings import PROJECT_ROOT

DEV_FILE = PROJECT_ROOT.parent / "shared" / "data" / "forecastbench-2024-07-21-dev.jsonl"


def dev_records() -> list[dict]:
    """Every record of the dev file, in file order."""
    return [json.loads(line) for line in DEV_FILE.read_text().splitlines() if line.strip()]


def dev_market_probabilities() -> dict[str, float]:
    """Question id -> market probability, for the dev file's questions that have a market."""
    return {r["id"]: r["market_probability"] for r in dev_records() if r["market_probability"] is not None}


FORECASTBENCH_DIR = PROJECT_ROOT.parent / "shared" / "data" / "forecastbench"


def forecastbench_questions() -> list[dict]:
    """Every question record of every published ForecastBench set in the shared data."""
    return [q for path in sorted(FORECASTBENCH_DIR.glob("*-llm.json"))
            for q in json.loads(path.read_text())["questions"]]
