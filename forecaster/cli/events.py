"""Commands for event questions: validate the config, forecast, show history, the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer

from forecaster.cli import common
from forecaster.names import SERIES
from forecaster.settings import PROJECT_ROOT

DEMO_QUESTIONS = PROJECT_ROOT / "examples" / "demo_questions.yaml"


def validate_config() -> None:
    """Check the configuration and exit non-zero with one message per broken rule."""
    from forecaster.config_checks import check_settings

    settings = common.settings()
    with common.clean_errors():
        check_settings(settings)
    typer.echo("configuration OK")


def forecast(
    question: Optional[str] = typer.Argument(None, help='A question, e.g. "Will X happen by 2027-06-30?"'),
    questions: Optional[Path] = typer.Option(None, "--questions", "-q", help="A YAML or JSONL file of questions, "
                                             "or a ForecastBench question set (.json) as published."),
    agent: Optional[List[str]] = typer.Option(None, "--agent", "-a", help="Only these agents (repeatable)."),
    method: Optional[str] = typer.Option(None, "--method", "-m", help="Ensemble method (default from config)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Forecast as of this date (YYYY-MM-DD; default "
                                        "today, or a ForecastBench set's due date)."),
    shards: Optional[int] = typer.Option(None, "--shards", min=1, help="Split --questions into N runs on the "
                                         "workers of the Prefect server at PREFECT_API_URL."),
    resume: Optional[str] = typer.Option(None, "--resume", metavar="RUN_ID", help="Take up an ended run: skip "
                                         "the questions it stored, forecast the rest into it."),
    options: Optional[str] = typer.Option(None, "--options", help='QUESTION is multiple choice with these '
                                          'options, comma-separated: "Red,Blue,Green".'),
) -> None:
    """Forecast one question or a file of questions with the agent ensemble, store and plot them."""
    if not question and not questions:
        raise typer.BadParameter("give a QUESTION or --questions FILE")
    if options is not None and not question:
        raise typer.BadParameter("--options belong to a QUESTION given on the command line")
    if shards:
        from forecaster.cli.shards import run_sharded

        with common.clean_errors():
            day = _date(as_of)
        return run_sharded(questions, shards, agent, method, day)
    inline = [_inline(question, options)] if question else None
    run_forecast(questions, inline, agent, method, as_of, resume)


def _inline(question: str, options: str | None) -> str | dict:
    """The question as the flow's `questions` parameter takes it; with options, a multiple-choice record (the
    door checks the options)."""
    if options is None:
        return question
    return {"question": question, "type": "multiple_choice", "options": [o.strip() for o in options.split(",")]}


def demo() -> None:
    """The main job on the embedded default: forecast the demo questions on the demo model."""
    run_forecast(DEMO_QUESTIONS, None, None, None, None)


def run_forecast(questions_file: Path | None, inline: list[str | dict] | None, agents: list[str] | None,
                 method: str | None, as_of: str | None, resume: str | None = None) -> None:
    from forecaster.config_checks import check_settings
    from forecaster.events.agents import first_model
    from forecaster.flow_parameters import check_forecast_parameters

    settings = common.settings(runs_work=True)
    with common.clean_errors():
        check_settings(settings)
        day = _date(as_of)
        # The flow's own checks, before an engine starts: file, line and field, or the parameter.
        check_forecast_parameters(questions_file, inline, agents, method, day, limits=settings.questions)
        if resume:  # a run that is not there fails before any model loads
            from forecaster.events.resume import require_stored_run

            require_stored_run(settings.database_path, resume)
        model = first_model(settings, agents)
    from forecaster.events.rendering import forecasts_text, run_status

    with common.model_work():
        common.warm_up_locally(settings, model)
        from flows.events import forecast_events

        summaries = forecast_events(
            questions_file=str(questions_file) if questions_file else None, questions=inline, agents=agents,
            ensemble_method=method, as_of=day, config_file=str(common.CONFIG_FILE) if common.CONFIG_FILE else None,
            resume=resume)
    typer.echo(forecasts_text(summaries))
    typer.echo(f"\nstored in {settings.database_path}; plots in {settings.plots_dir}")
    common.exit_for(run_status(summaries))


def history(question_id: str = typer.Argument(..., help="The question's id (see `forecaster forecast`).")) -> None:
    """Print a question's forecasts over time: the ensemble and each agent."""
    from forecaster.events.store import ForecastStore

    settings = common.settings()
    store = ForecastStore(settings.database_path)
    question = store.question(question_id)
    if question is None:
        typer.secho(f"error: question {question_id!r} not found in {settings.database_path}", fg="red", err=True)
        raise typer.Exit(2)
    typer.echo(question["text"])
    agents = store.agent_history(question_id)
    contexts = store.contexts(question_id)
    typed = typed_rows(store, question)
    for row in store.ensemble_history(question_id):
        if typed is not None:
            typer.echo(f"{row['created_at'][:19]}  as of {row['as_of']}  ensemble ({row['method']})")
            for line in typed.get(row["run_id"], []):
                typer.echo(f"    {line}")
        else:
            typer.echo(f"{row['created_at'][:19]}  as of {row['as_of']}  ensemble ({row['method']}) "
                       f"{row['probability']:.3f}")
        for a in (a for a in agents if a["run_id"] == row["run_id"] and typed is None):
            flag = "  LOW MASS" if a["low_mass"] else ""
            typer.echo(f"    {a['agent']:<20} {a['probability']:.3f}  median {a['median']:.2f}  mode {a['mode']:.2f}"
                       f"  entropy {a['entropy_bits']:.2f} bits  mass {a['mass']:.3g}{flag}")
            if a["context_cut"]:
                typer.echo(f"        cut to fit the model's context: {'; '.join(a['context_cut'])}")
            if a["agent"] == SERIES and a["reasoning"]:
                typer.echo(f"        {a['reasoning']}")  # the member's series, reference and quantiles
        context = contexts.get(row["run_id"], {"passages": [], "failures": []})
        for p in context["passages"]:
            typer.echo(f"    context: [{p['source']}] {p['title']} ({p['location']}, score {p['score']:.2f})")
        for f in context["failures"]:
            typer.echo(f"    no context from {f['source']}: {f['reason']}")
    for run_id, failures in store.failures(question_id).items():
        for f in failures:
            typer.echo(f"run {run_id}: {f['agent']} could not forecast: {f['reason']}")


def typed_rows(store, question: dict) -> dict[str, list[str]] | None:
    """Per run, one line per member (ensemble first) of a question that is not yes/no; None for a yes/no one."""
    from forecaster.events.typed.shown import typed_line
    from forecaster.events.typed_store import ENSEMBLE, question_from_row, typed_history

    record = question_from_row(question)
    if record.type == "binary":
        return None
    lines: dict[str, list[str]] = {}
    for r in sorted(typed_history(store.db, record.id), key=lambda r: r["member"] != ENSEMBLE):
        lines.setdefault(r["run_id"], []).append(f"{r['member']:<20} {typed_line(record, r['kind'], r['values'])}")
    return lines


def _date(value: str | None) -> dt.date | None:
    from forecaster.errors import InputError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of: must be a date YYYY-MM-DD, got {value!r}") from None


def register(app: typer.Typer) -> None:
    app.command("validate-config")(validate_config)
    app.command("forecast")(forecast)
    app.command("history")(history)
    app.command("demo")(demo)
