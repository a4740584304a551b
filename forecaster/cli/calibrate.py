"""`forecaster calibrate`: fit the learned combination on resolved rounds and judge it on rounds it never saw."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from forecaster.cli import common
from forecaster.errors import InputError

NO_RUN = "-"


def calibrate(
    questions: List[Path] = typer.Option(..., "--questions", "-q", help="A ForecastBench question set (repeatable)."),
    resolutions: List[Path] = typer.Option(
        ..., "--resolutions", "-r", help="Its resolution set, in the same order as --questions (repeatable)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the learned file (JSON)."),
    run: Optional[List[str]] = typer.Option(
        None, "--run", help=f"The stored run of each question set, in order ('{NO_RUN}' for none): agents' weights."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="Use only resolutions dated before this day (YYYY-MM-DD)."),
    # No defaults here: the fit's own (forecaster.learning.combiner) apply, kept in one place.
    ridge: Optional[float] = typer.Option(
        None, "--ridge", min=1e-6, help="Pull of prior slopes and agents to the plain rule (default 1)."),
    crowd_ridge: Optional[float] = typer.Option(
        None, "--crowd-ridge", min=1e-6,
        help="Pull of the crowd's parameters and of the agents' weights beside it (default 1000)."),
) -> None:
    """Fit per-(source, horizon) priors and member weights on resolved rounds; print the rolling-origin Brier."""
    from forecaster.learning.calibration import Options, calibrate as fit, calibration_text
    from forecaster.learning.learned_file import write_combiner
    from forecaster.scoring.resolutions import parse_date

    with common.clean_errors():
        if len(questions) != len(resolutions):
            raise InputError(f"--questions and --resolutions come in pairs: got {len(questions)} and "
                             f"{len(resolutions)}")
        if run and len(run) != len(questions):
            raise InputError(f"--run: give one per question set ('{NO_RUN}' for none): got {len(run)} for "
                             f"{len(questions)}")
        try:
            cut = parse_date(as_of) if as_of is not None else None
        except ValueError as exc:
            raise InputError(f"--as-of {exc}") from None
        rounds = _rounds(questions, resolutions, run)
        pulls = {name: value for name, value in (("ridge", ridge), ("crowd_ridge", crowd_ridge)) if value is not None}
        result = fit(rounds, Options(as_of=cut, **pulls))
        typer.echo(calibration_text(result))
        write_combiner(result.combiner, out)
    typer.echo(f"\nlearned file written: {out} (use it with [ensemble] method = \"learned\", learned_file)")


def _rounds(questions: List[Path], resolutions: List[Path], runs: Optional[List[str]]):
    from forecaster.learning.rounds import read_round, stored_run_members

    members = [None] * len(questions)
    if runs and any(r != NO_RUN for r in runs):
        from forecaster.events.store import ForecastStore

        with ForecastStore(common.settings().database_path) as store:
            members = [None if r == NO_RUN else stored_run_members(store, r) for r in runs]
    return [read_round(q, r, m) for q, r, m in zip(questions, resolutions, members)]


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)
