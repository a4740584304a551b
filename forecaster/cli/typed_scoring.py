"""`resolve` for questions that are not yes/no (an option, a number, a date, above_upper_bound,
below_lower_bound), and `score-types`: a run's typed forecasts scored on what resolved."""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

from forecaster.cli import common


def stored_typed_question(settings, question_id: str):
    """The stored question if it is not yes/no, else None."""
    from forecaster.events.store import ForecastStore
    from forecaster.events.typed_store import question_from_row

    if not settings.database_path.is_file():
        return None
    with ForecastStore(settings.database_path) as store:
        row = store.question(question_id)
    question = question_from_row(row) if row else None
    return question if question is not None and question.type != "binary" else None


def resolve_typed(settings, question, outcome: str, when: date) -> None:
    """Record a typed outcome once it is found to fit the question; print what each member of its latest
    forecast scores."""
    from forecaster.events.typed.outcome import outcome_place
    from forecaster.scoring.typed_outcomes import TypedOutcomes, TypedResolution

    outcome_place(question, outcome)  # refuses an option it lacks, a value that is no number or date
    with TypedOutcomes(settings.database_path) as outcomes:
        outcomes.save([TypedResolution(question.id, outcome.strip(), when, "cli")])
    typer.echo(f"{question.id} resolved {outcome.strip()} on {when.isoformat()}")


def score_types(run: Optional[str] = typer.Option(None, "--run", help="A run id, or latest (default).")) -> None:
    """Score a run's multiple-choice (Brier, log) and numeric, discrete, date forecasts (CRPS, log of the
    outcome's bin) on the typed questions that resolved."""
    from forecaster.events.store import ForecastStore
    from forecaster.events.typed.report import run_typed_scores

    settings = common.settings()
    with common.clean_errors():
        with ForecastStore(settings.database_path) as store:
            run_id = store.resolve_run(run)
        scores = run_typed_scores(settings.database_path, run_id)
    for score in scores:
        typer.echo(score.line())
    typer.echo(f"run {run_id}: {len({s.question_id for s in scores})} resolved typed question(s) scored")


def register(app: typer.Typer) -> None:
    app.command("score-types")(score_types)
