"""Commands for event questions: validate the config, forecast, show history."""

from __future__ import annotations

import typer

from forecaster.cli import common


def validate_config() -> None:
    """Check the configuration and exit non-zero with one message per broken rule."""
    from forecaster.config_checks import check_settings

    settings = common.settings()
    with common.clean_errors():
        check_settings(settings)
    typer.echo("configuration OK")


def register(app: typer.Typer) -> None:
    app.command("validate-config")(validate_config)
