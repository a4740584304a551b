"""Round scoring flow: a stored run against a ForecastBench resolution set; scores stored and published."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from forecaster.errors import InputError
from forecaster.names import id_problem
from forecaster.runtime import bootstrap
from forecaster.learning.round_scores import left_out_lines, score_lines
from forecaster.learning.round_table import round_evaluation_id
from forecaster.scoring.scores import ScoringOptions
from tasks.evaluate import store_scores_task
from tasks.rounds import (
    publish_round_task,
    resolution_set_task,
    round_report_task,
    round_scores_task,
    run_round_task,
)


@flow(name="score-round", log_prints=True)
def score_round_flow(
    resolutions_file: str,
    run_id: str | None = None,
    n_resamples: int = 2000,
    config_file: str | None = None,
    learned_file: str | None = None,
) -> dict[str, Any]:
    """Score run `run_id` (default: the latest) on the resolution set by ForecastBench's rules, beside the
    0.5-everywhere and naive baselines; the scores table is stored under `round-{run id}` and published. The
    report adds the Brier per source and horizon band beside the learned-priors reference of `learned_file`
    (default: `[ensemble] learned_file`)."""
    _check_parameters(resolutions_file, run_id, n_resamples)
    settings = bootstrap(config_file)
    logger = get_run_logger()
    resolutions = resolution_set_task(resolutions_file)
    run_round = run_round_task(settings, run_id)
    options = ScoringOptions(n_resamples=n_resamples)
    score, table = round_scores_task(run_round, resolutions, settings.ensemble.method, options)
    evaluation_id = round_evaluation_id(score)
    store_scores_task(settings, evaluation_id, table)
    publish_round_task(evaluation_id, score, table, options.confidence)
    lines, notes = score_lines(score), left_out_lines(score)
    report = round_report_task(settings, score, run_round.due_date, learned_file)
    logger.info("run %s on %s:\n%s", score.run_id, score.question_set, "\n".join(lines + notes))
    return {"run_id": score.run_id, "evaluation_id": evaluation_id, "question_set": score.question_set,
            "lines": lines, "notes": notes, "report": report, "scores": [row.as_record() for row in table]}


def _check_parameters(resolutions_file: Any, run_id: Any, n_resamples: Any) -> None:
    """Parameters come from the UI and the API too: a bad one fails the run before anything is read."""
    if not isinstance(resolutions_file, str) or not resolutions_file:
        raise InputError("resolutions_file: must be the path of a ForecastBench resolution set")
    if run_id is not None and run_id != "latest":
        problem = id_problem(run_id) if isinstance(run_id, str) else "must be text"
        if problem:
            raise InputError(f"run_id: {problem}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 100:
        raise InputError(f"n_resamples: must be a whole number >= 100, got {n_resamples!r}")
