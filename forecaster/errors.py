"""Errors a user can fix: each message names the field (or setting, file, line) and the rule."""


class ForecasterError(Exception):
    """Base of every error shown to the user as one clear line."""


class ConfigError(ForecasterError):
    """A setting breaks a rule (names the setting and the rule)."""


class InputError(ForecasterError):
    """An input file or value breaks a rule (names the file, line and field)."""
