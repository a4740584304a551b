"""`forecaster evaluate`: forecast resolved questions as of their own dates and score them against baselines."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forecaster.cli import common


def evaluate(
    questions: Path = typer.Option(
        ..., "--questions", "-q", help="JSONL or YAML questions; outcomes and market_probability in it are recorded."),
    agent: Optional[List[str]] = typer.Option(None, "--agent", "-a", help="Only these agents (repeatable)."),
    run: Optional[str] = typer.Option(None, "--run", help="Score this earlier run's forecasts instead of forecasting."),
    split: str = typer.Option("kfold", "--split", help="Out-of-sample fits of learned ensembles: kfold or time."),
    folds: int = typer.Option(5, "--folds", min=2, help="Number of folds (or time blocks) for learned ensembles."),
    resamples: int = typer.Option(2000, "--resamples", min=100, help="Bootstrap resamples for the intervals."),
    learned: Optional[Path] = typer.Option(
        None, "--learned", help="A learned file (forecaster calibrate): its priors are the reference per source."),
) -> None:
    """Forecast every resolved question as of its forecast_date, then print, store and plot the scores."""
    from forecaster.config_checks import check_settings
    from forecaster.errors import InputError
    from forecaster.learning.evaluation_rows import file_has_outcomes
    from forecaster.question_files import load_questions
    from forecaster.scoring.resolutions import read_resolutions_file
    from forecaster.events.agents import select_agents
    from forecaster.learning.learned_file import read_combiner

    settings = common.settings(runs_work=True)
    with common.clean_errors():
        check_settings(settings)
        select_agents(settings, agent)
        if split not in ("kfold", "time"):
            raise InputError(f"--split must be 'kfold' or 'time' (got {split!r})")
        # Fail fast with file:line, before an engine starts or anything is written.
        load_questions(questions)
        if learned is not None:
            read_combiner(learned)
        if file_has_outcomes(questions):
            read_resolutions_file(questions)
    from flows.evaluate import evaluate as evaluate_flow

    with common.model_work():
        result = evaluate_flow(
            questions_file=str(questions), agents=agent, run_id=run, learned_split=split, n_folds=folds,
            n_resamples=resamples, config_file=common.config_file_parameter(),
            learned_file=str(learned) if learned else None)
    typer.echo(result["text"])
    if result["unresolved"]:
        typer.echo(f"\n{len(result['unresolved'])} question(s) without a recorded outcome were not evaluated")
    typer.echo(f"\nevaluation {result['evaluation_id']}: {result['questions']} question(s); scores stored in "
               f"{settings.database_path}; plots {result['plots']['calibration']}, "
               f"{result['plots']['brier_over_time']}")
    common.exit_for(result["status"])


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
