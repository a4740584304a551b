"""A ForecastBench question set as the questions door hands it on: one `Question` per forecast to make.

Each (question, resolution date) gets its own stored id, `fb-{due}-{source}-{id}` with `-{resolution date}` on
dataset questions, so that every round and horizon is its own stored forecast and `history` shows it. The
ForecastBench id stays in `external_id`, the set's file name in `question_set`, the due date in `forecast_date`.
The crowd's forecast on a market question becomes `market_probability`; a dataset question's latest value is a
line of its background, where the agents read it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path

from forecaster.events.questions import Question, question_from_mapping
from forecaster.feeds.forecastbench import QUESTION_SET_KEYS, QuestionSet, RoundQuestion, read_question_set
from forecaster.input_files import MAX_INPUT_BYTES, check_input_file
from forecaster.names import id_problem
from forecaster.series.ref import SERIES_SOURCES, series_from_mapping
from forecaster.settings import QuestionSettings

ID_PREFIX = "fb-"
log = logging.getLogger(__name__)


def is_question_set_file(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> bool:
    """True for a .json file whose top level has ForecastBench's `forecast_due_date`, `question_set`, `questions`."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return False
    check_input_file(path, "questions file", max_bytes)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8: the reader says so with file and line
        return True
    return isinstance(data, dict) and any(key in data for key in QUESTION_SET_KEYS)


def question_set_due_date(path: str | Path | None) -> date | None:
    """The set's due date when `path` is a ForecastBench question set file, else None."""
    if not path or not is_question_set_file(path):
        return None
    return read_question_set(path).due_date


def question_set_questions(path: str | Path, limits: QuestionSettings) -> list[tuple[str, Question]]:
    """(where, question) for every forecast the set asks for; the door's caps and id rule apply to each."""
    question_set = read_question_set(path)
    if question_set.skipped_combinations:
        log.warning("%s: %d combination question(s) skipped (an id that is a list: not forecast here)", path,
                    question_set.skipped_combinations)
    located = []
    for round_question in question_set.questions:
        where = f"{path}: question {round_question.id!r}"
        if round_question.resolution_date:
            where += f" at {round_question.resolution_date}"
        located.append((where, as_question(round_question, question_set, where, limits)))
    return located


def as_question(round_question: RoundQuestion, question_set: QuestionSet, where: str,
                limits: QuestionSettings) -> Question:
    """The question the agents read, checked at the door as any other question record."""
    rq = round_question
    record = {
        "id": stored_id(rq, question_set.due_date),
        "question": rq.text,
        "background": _background(rq),
        "resolution_criteria": rq.resolution_criteria,
        "resolution_date": rq.resolution_date.isoformat() if rq.resolution_date else None,
        "forecast_date": question_set.due_date.isoformat(),
        "source": rq.source,
        "url": rq.url,
        "market_probability": rq.freeze_value if rq.is_market else None,
        "external_id": rq.id,
        "question_set": question_set.name,
        "series": _series(rq),
    }
    return question_from_mapping(record, where, limits)


def _series(rq: RoundQuestion) -> dict[str, str] | None:
    """A dataset question whose series can be fetched from its id alone (FRED, DBnomics, Yahoo)."""
    if rq.is_market or rq.source not in SERIES_SOURCES or series_from_mapping(
            {"source": rq.source, "id": rq.id}, "", quiet=True) is None:
        return None
    return {"source": rq.source, "id": rq.id}


def stored_id(round_question: RoundQuestion, due: date) -> str:
    """The question's stored id: readable when the ForecastBench id allows it, else with a digest in its place."""
    tail = f"-{round_question.resolution_date.isoformat()}" if round_question.resolution_date else ""
    head = f"{ID_PREFIX}{due.isoformat()}-{round_question.source}-"
    readable = f"{head}{round_question.id}{tail}"
    if id_problem(readable) is None:
        return readable
    digest = hashlib.blake2b(round_question.id.encode(), digest_size=8).hexdigest()
    return f"{head}{digest}{tail}"


def _background(rq: RoundQuestion) -> str:
    """The background, and on a dataset question the series' value at the freeze date, as the agents read it."""
    if rq.is_market or not rq.freeze_text:
        return rq.background
    when = f" on {rq.freeze_date.isoformat()}" if rq.freeze_date else ""
    what = rq.freeze_explanation.rstrip(".") or "The latest value"
    line = f"Latest value{when}: {rq.freeze_text} ({what})."
    return f"{rq.background}\n\n{line}" if rq.background else line
