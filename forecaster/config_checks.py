"""Checks of the settings against the machine: what pydantic cannot know from the values alone."""

from __future__ import annotations

from forecaster.errors import ConfigError
from forecaster.settings import Settings


def check_settings(settings: Settings) -> None:
    """Raise ConfigError naming the first setting that breaks a rule."""
    problems = settings_problems(settings)
    if problems:
        raise ConfigError("; ".join(problems))


def settings_problems(settings: Settings) -> list[str]:
    """Every broken rule, one message each (empty when the settings are usable here)."""
    return []
