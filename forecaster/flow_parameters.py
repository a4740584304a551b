"""The flows' parameters, checked before anything runs or loads: they come from the Prefect UI and API too.

A flow calls its check first, so a bad parameter fails the run at once, its message (parameter, or file, line and
field, and the rule) the run's state message, with nothing written and no model loaded. The CLI calls the same
checks, so a command and a deployment refuse the same input the same way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from forecaster.errors import InputError
from forecaster.events.ensemble import ALL_METHODS
from forecaster.events.questions import DEFAULT_LIMITS, Question
from forecaster.question_files import load_all_questions, load_questions
from forecaster.names import id_problem
from forecaster.settings import QuestionSettings

LEARNED_SPLITS = ("kfold", "time")
MIN_FOLDS = 2
MIN_RESAMPLES = 100


def check_forecast_parameters(
    questions_file: str | Path | None,
    questions: Sequence[Any] | None,
    agents: Sequence[str] | None = None,
    ensemble_method: str | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    resume: str | None = None,
    limits: QuestionSettings = DEFAULT_LIMITS,
) -> list[Question]:
    """The run's questions, once every parameter of `forecast_events` is found valid (InputError otherwise).

    Agents are checked against the configured ones when the settings are loaded (`select_agents`); here only
    that none is named twice. `today` defaults to the clock's date, as in the flow. `limits` are the
    configured caps on a question's fields and on the number of inline questions.
    """
    if not questions_file and not questions:
        raise InputError("questions_file, questions: give a questions file or at least one question")
    if questions_file is not None and not isinstance(questions_file, (str, Path)):
        raise InputError(f"questions_file: must be a path, got {type(questions_file).__name__}")
    _check_agents(agents)
    if ensemble_method is not None and ensemble_method not in ALL_METHODS:
        raise InputError(f"ensemble_method: must be one of {list(ALL_METHODS)}, got {str(ensemble_method)[:80]!r}")
    for name, value in (("as_of", as_of), ("today", today)):
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            raise InputError(f"{name}: must be a date YYYY-MM-DD, got {str(value)[:80]!r}")
    _check_run_id("resume", resume)
    if as_of is not None and as_of > (today or dt.date.today()):
        raise InputError(f"as_of: {as_of} is after today ({today or dt.date.today()}); a forecast can only be "
                         "made as of a day that has come")
    return load_all_questions(questions_file, questions, limits)


def default_as_of(questions_file: str | Path | None, today: dt.date) -> dt.date:
    """The day a run forecasts as of when no `as_of` is given: a ForecastBench set's due date (today at the
    latest, for a round published before it is due), else today."""
    from forecaster.feeds.forecastbench_questions import question_set_due_date

    due = question_set_due_date(questions_file)
    return min(due, today) if due else today


def check_evaluate_parameters(
    questions_file: str | Path,
    agents: Sequence[str] | None = None,
    run_id: str | None = None,
    learned_split: str = "kfold",
    n_folds: int = 5,
    n_resamples: int = 2000,
) -> list[Question]:
    """The file's questions, once every parameter of `evaluate` is found valid (its outcomes too)."""
    from forecaster.learning.evaluation_rows import file_has_outcomes
    from forecaster.scoring.resolutions import read_resolutions_file

    if not isinstance(questions_file, (str, Path)) or not str(questions_file):
        raise InputError("questions_file: must be the path of a questions file")
    _check_agents(agents)
    _check_run_id("run_id", run_id)
    if learned_split not in LEARNED_SPLITS:
        raise InputError(f"learned_split: must be one of {list(LEARNED_SPLITS)}, got {str(learned_split)[:80]!r}")
    for name, value, least in (("n_folds", n_folds, MIN_FOLDS), ("n_resamples", n_resamples, MIN_RESAMPLES)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(f"{name}: must be a whole number >= {least}, got {value!r}")
    questions = load_questions(questions_file)
    if file_has_outcomes(questions_file):
        read_resolutions_file(questions_file)  # all of its outcomes valid, or nothing recorded
    return questions


def _check_agents(agents: Sequence[str] | None) -> None:
    if agents is None:
        return
    if isinstance(agents, str) or not all(isinstance(a, str) and a for a in agents):
        raise InputError("agents: must be a list of agent names")
    repeated = sorted({a for a in agents if list(agents).count(a) > 1})
    if repeated:
        raise InputError(f"agents: each agent may be named once; {repeated} named more than once")


def _check_run_id(name: str, run_id: Any) -> None:
    """A run id, when given, follows the id rule (it names rows and is shown back to the user)."""
    if run_id is None:
        return
    problem = id_problem(run_id) if isinstance(run_id, str) else "must be text"
    if problem:
        raise InputError(f"{name}: {problem}")
