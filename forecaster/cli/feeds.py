"""Commands for question platforms: `pull metaculus|manifold|polymarket` into a questions file, `submit metaculus`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from forecaster.cli import common

pull_app = typer.Typer(help="Pull a platform's open binary questions into a questions file (.jsonl or .yaml).",
                       no_args_is_help=True)
submit_app = typer.Typer(help="Post a run's forecasts to a platform.", no_args_is_help=True)

LIMIT_HELP = "At most N questions (default: every page)."
OUT_HELP = "The questions file to write (.jsonl, .yaml or .yml); written whole or not at all."


@pull_app.command("metaculus")
def pull_metaculus(
    tournament: str = typer.Option(..., "--tournament", "-t", help="The tournament's numeric id or slug."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help=LIMIT_HELP),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
) -> None:
    """Open binary questions of a Metaculus tournament, with the community prediction where it is shown."""
    _pull("metaculus", out, tournament, limit)


@pull_app.command("manifold")
def pull_manifold(
    term: str = typer.Option("", "--term", help="Search text (default: every open binary market)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help=LIMIT_HELP),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
) -> None:
    """Open binary Manifold markets, with the market probability."""
    _pull("manifold", out, term, limit)


@pull_app.command("polymarket")
def pull_polymarket(
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help=LIMIT_HELP),
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
) -> None:
    """Open Polymarket markets with Yes/No outcomes, with the Yes price."""
    _pull("polymarket", out, None, limit)


def _pull(platform: str, out: Path, query: str | None, limit: int | None) -> None:
    from forecaster.feeds.clients import pull_to_file

    settings = common.settings()
    with common.clean_errors():
        pulled = pull_to_file(settings, platform, out, query, limit)
    if pulled.skipped_line():
        typer.echo(pulled.skipped_line())
    typer.echo(f"{platform}: wrote {len(pulled.questions)} question(s) to {out}")


@submit_app.command("metaculus")
def submit_metaculus(
    run: str = typer.Option("latest", "--run", "-r", metavar="RUN_ID|latest", help="The run whose forecasts to "
                            "post (default: the latest run with forecasts)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the bodies; post nothing."),
    comment: bool = typer.Option(False, "--comment", help="Also post each forecast's context as a private comment."),
) -> None:
    """Post each forecast of the run on its Metaculus question; forecasts accepted earlier are not posted again."""
    from forecaster.feeds.submitting import COMMENT, FORECAST, plan_submission, submit
    from forecaster.feeds.records import ACCEPTED

    settings = common.settings()
    with common.clean_errors():
        report = plan_submission(settings, run, comment)
        for line in report.skipped:
            typer.echo(f"skipped {line}")
        if dry_run:
            for item in report.planned:
                for body in (item.forecast or None, item.comment):
                    if body:
                        typer.echo(json.dumps(body))
            typer.echo(f"dry run of {report.run_id}: {len(report.planned)} question(s) to post, "
                       f"{len(report.already)} accepted earlier; nothing posted")
            return
        submit(settings, report, echo=typer.echo)
    accepted = report.count(FORECAST, ACCEPTED)
    not_submitted = sum(1 for s in report.posted if s.kind == FORECAST and s.status != ACCEPTED)
    typer.echo(f"run {report.run_id}: {accepted} forecast(s) accepted, {not_submitted} not submitted, "
               f"{len(report.already)} accepted earlier" + (f", {report.count(COMMENT, ACCEPTED)} comment(s)"
                                                             if comment else ""))
    if not_submitted:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(pull_app, name="pull")
    app.add_typer(submit_app, name="submit")
