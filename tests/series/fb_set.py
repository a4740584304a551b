"""A small ForecastBench question set written for a test: one FRED, one DBnomics, one Yahoo and one ACLED dataset
question, and one market question, due on the stand-ins' due date."""

from __future__ import annotations

import json
from pathlib import Path

from tests.series.conftest import DUE

HORIZONS = ("2026-03-09", "2026-04-01")


def dataset_question(source: str, qid: str, dates: tuple[str, ...] = HORIZONS) -> dict:
    return {"id": qid, "source": source, "question": f"Will {qid} have increased by {{resolution_date}} as compared "
            "to its value on {forecast_due_date}?", "resolution_criteria": "Resolves to the value on the date.",
            "background": "A series.", "url": "https://example.org", "source_intro": "", "market_info_open_datetime":
            "N/A", "market_info_close_datetime": "N/A", "market_info_resolution_criteria": "N/A",
            "freeze_datetime": "2026-02-20T00:00:00+00:00", "freeze_datetime_value": "150.0",
            "freeze_datetime_value_explanation": "The latest value.", "resolution_dates": list(dates)}


def write_set(folder: Path) -> Path:
    market = {**dataset_question("manifold", "m1"), "question": "Will it happen?", "resolution_dates": "N/A",
              "freeze_datetime_value": "0.4"}
    questions = [dataset_question("fred", "DAAA"), dataset_question("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D"),
                 dataset_question("yfinance", "^GSPC"), dataset_question("acled", "a1b2c3"), market]
    path = folder / f"{DUE.isoformat()}-llm.json"
    path.write_text(json.dumps({"forecast_due_date": DUE.isoformat(), "question_set": path.name,
                                "questions": questions}))
    return path
