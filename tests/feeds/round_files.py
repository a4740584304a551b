"""Slices of the real ForecastBench files in shared/data, written to a test's folder: the smallest real inputs."""

from __future__ import annotations

import json
from pathlib import Path

from forecaster.feeds.forecastbench import MARKET_SOURCES
from tests.shared_data import FORECASTBENCH_DIR

DUE = "2025-10-26"


def question_set_path(due: str = DUE) -> Path:
    return FORECASTBENCH_DIR / f"{due}-llm.json"


def resolution_set_path(due: str = DUE) -> Path:
    return FORECASTBENCH_DIR / f"{due}_resolution_set.json"


def set_slice(folder: Path, markets: int, datasets: int, due: str = DUE, name: str = "slice-llm.json") -> Path:
    """A copy of the set holding its first `markets` market and `datasets` dataset questions that the resolution
    set resolves (market questions: one resolved, one still open, when asked for two or more)."""
    raw = json.loads(question_set_path(due).read_text())
    rows = json.loads(resolution_set_path(due).read_text())["resolutions"]
    resolved = {(r["source"], r["id"]): r["resolved"] for r in rows}
    market = [q for q in raw["questions"] if q["source"] in MARKET_SOURCES and (q["source"], q["id"]) in resolved]
    closed = [q for q in market if resolved[(q["source"], q["id"])]]
    open_ = [q for q in market if not resolved[(q["source"], q["id"])]]
    picked = (closed[:1] + open_[:1] + [q for q in market if q not in closed[:1] + open_[:1]])[:markets]
    dataset = [q for q in raw["questions"] if q["source"] not in MARKET_SOURCES and (q["source"], q["id"]) in resolved]
    by_source: dict[str, dict] = {}
    for q in dataset:
        by_source.setdefault(q["source"], q)
    first_of_each = list(by_source.values())  # one per source first, then the others
    picked += (first_of_each + [q for q in dataset if q not in first_of_each])[:datasets]
    path = folder / name
    path.write_text(json.dumps({**raw, "questions": picked}))
    return path
