"""Commands that record what happened: `resolve` one question, a resolutions file, or a platform's questions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from forecaster.cli import common
from forecaster.cli.typed_scoring import resolve_typed, stored_typed_question
from forecaster.errors import InputError


def resolve(
    question_id: Optional[str] = typer.Argument(None, help="The question to resolve."),
    outcome: Optional[str] = typer.Argument(None, help="yes or no (1 or 0); for a question that is not yes/no: an "
                                            "option, a number, a date, above_upper_bound or below_lower_bound."),
    resolution_date: Optional[str] = typer.Option(
        None, "--date", "-d", help="Resolution date, YYYY-MM-DD (default: today)."
    ),
    file: Optional[Path] = typer.Option(
        None, "--file", "-f", help="JSONL file: id, outcome, resolution_date (market_probability recorded too)."
    ),
    platform: Optional[str] = typer.Option(
        None, "--from", help="metaculus, manifold or polymarket: ask it about every stored question from it."
    ),
) -> None:
    """Record how questions resolved: `resolve ID yes|no|OPTION|NUMBER|DATE [--date D]`, `resolve --file F` or
    `resolve --from P`."""
    from forecaster.scoring.resolutions import read_resolutions_file
    from forecaster.scoring.store import ScoringStore

    settings = common.settings()
    with common.clean_errors():
        if platform is not None:
            if question_id is not None or outcome is not None or resolution_date is not None or file is not None:
                raise InputError("--from asks the platform: give no QUESTION_ID, OUTCOME, --date or --file with it")
            return _resolve_from(settings, platform)
        if file is not None:
            if question_id is not None or outcome is not None or resolution_date is not None:
                raise InputError("--file records a whole file: give no QUESTION_ID, OUTCOME or --date with it")
            # Validated in full before the database is even opened: a bad file leaves no trace.
            parsed = read_resolutions_file(file)
            with ScoringStore(settings.database_path) as store:
                n_res, n_market = store.save(parsed.resolutions, parsed.market_probabilities)
            typer.echo(f"recorded {n_res} resolutions and {n_market} market probabilities from {file}")
            return
        if question_id is None or outcome is None:
            raise InputError("give QUESTION_ID and OUTCOME (yes or no), or --file F")
        _resolve_one(settings, question_id.strip(), outcome, resolution_date)


def _resolve_one(settings, question_id: str, outcome: str, resolution_date: str | None) -> None:
    """One question's outcome: yes/no, or for a question that is not yes/no what its type takes."""
    from forecaster.names import id_problem
    from forecaster.scoring.resolutions import Resolution, parse_date, parse_outcome
    from forecaster.scoring.store import ScoringStore

    problem = id_problem(question_id)
    if problem:  # the rule every door applies to ids
        raise InputError(f"QUESTION_ID {problem}")
    try:
        when = parse_date(resolution_date) if resolution_date is not None else date.today()
    except ValueError as exc:
        raise InputError(f"--date {exc}") from None
    typed = stored_typed_question(settings, question_id)
    if typed is not None:
        return resolve_typed(settings, typed, outcome, when)
    try:
        value = parse_outcome(outcome)
    except ValueError as exc:
        raise InputError(f"OUTCOME {exc}") from None
    with ScoringStore(settings.database_path) as store:
        store.save([Resolution(question_id, value, when, "cli")])
    typer.echo(f"{question_id} resolved {'yes' if value else 'no'} on {when.isoformat()}")


def _resolve_from(settings, platform: str) -> None:
    from forecaster.feeds.records import PLATFORMS
    from forecaster.feeds.resolving import resolve_from

    if platform not in PLATFORMS:
        raise InputError(f"--from must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    report = resolve_from(settings, platform, date.today())
    for line in report.failed:
        typer.echo(f"not reachable: {line}")
    typer.echo(report.line())


def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve)
