"""Published rounds: `export forecastbench` writes a run's submission file, `score` scores a run on a round."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from forecaster.cli import common

export_app = typer.Typer(help="Write a run's forecasts in a platform's submission format.", no_args_is_help=True)
DEFAULT_ORGANIZATION = "forecaster"


@export_app.command("forecastbench")
def export_forecastbench(
    out: Path = typer.Option(..., "--out", "-o", help="The file to write, or a folder (then named "
                             "{due}.{organization}.{model}.json)."),
    run: Optional[str] = typer.Option(None, "--run", metavar="RUN_ID|latest", help="The run (default: latest)."),
    organization: str = typer.Option(DEFAULT_ORGANIZATION, "--organization", help="Who submits."),
    model: Optional[str] = typer.Option(None, "--model", help="The model's name (default: the run's models)."),
    model_organization: Optional[str] = typer.Option(None, "--model-organization",
                                                     help="Who made the model (default: --organization)."),
) -> None:
    """Write the run's forecasts of a ForecastBench set as the submission file ForecastBench reads."""
    from forecaster.events.store import ForecastStore
    from forecaster.feeds.forecastbench_runs import read_run_round, round_submission
    from forecaster.feeds.forecastbench_submission import submission_file_name, write_submission

    settings = common.settings()
    with common.clean_errors(), ForecastStore(settings.database_path) as store:
        run_round = read_run_round(store, store.resolve_run(run))
        name = model or "+".join(run_round.models) or "forecaster"
        submission = round_submission(run_round, organization, name, model_organization)
        path = out / submission_file_name(run_round.due_date, organization, name) if out.is_dir() else out
        write_submission(submission, path)
    typer.echo(f"run {run_round.run_id}: {len(submission.forecasts)} forecast(s) of {run_round.question_set} "
               f"written to {path}")
    if run_round.gaps:
        typer.echo(f"{len(run_round.gaps)} forecast(s) the run could not make are left out: ForecastBench fills "
                   "each with 0.5")
    if run_round.other_questions:
        typer.echo(f"{run_round.other_questions} question(s) of the run not from a ForecastBench set are left out")


def score(
    resolutions: Path = typer.Option(..., "--resolutions", "-r", help="A ForecastBench resolution set "
                                     "(YYYY-MM-DD_resolution_set.json)."),
    run: Optional[str] = typer.Option(None, "--run", metavar="RUN_ID|latest", help="The run (default: latest)."),
    resamples: int = typer.Option(2000, "--resamples", min=100, help="Bootstrap resamples for the stored intervals."),
    learned: Optional[Path] = typer.Option(
        None, "--learned", help="A learned file (forecaster calibrate): its priors are the reference per source."),
) -> None:
    """Score a stored run on a ForecastBench resolution set, beside 0.5 everywhere and the naive forecaster."""
    from forecaster.events.store import ForecastStore
    from forecaster.feeds.forecastbench import read_resolution_set
    from forecaster.feeds.forecastbench_runs import read_run_round
    from forecaster.learning.learned_file import read_combiner

    settings = common.settings()
    with common.clean_errors():
        # Fail fast on a bad file or run, before a Prefect server starts.
        read_resolution_set(resolutions)
        if learned is not None:
            read_combiner(learned)
        with ForecastStore(settings.database_path) as store:
            run_id = store.resolve_run(run)
            read_run_round(store, run_id)
    from flows.rounds import score_round_flow

    with common.clean_errors():
        result = score_round_flow(resolutions_file=str(resolutions), run_id=run_id, n_resamples=resamples,
                                  config_file=common.config_file_parameter(),
                                  learned_file=str(learned) if learned else None)
    typer.echo(f"run {result['run_id']} on {result['question_set']}:")
    for line in result["lines"] + result["notes"]:
        typer.echo(line)
    typer.echo("\nBrier per source and horizon band:\n\n" + result["report"] + "\n")
    typer.echo(f"scores stored as {result['evaluation_id']} in {settings.database_path}")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.command("score")(score)
