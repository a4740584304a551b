"""The `/pooling` request body for Chronos-2 forecasts: pydantic models whose errors name index, field and rule."""

from __future__ import annotations

import math
from typing import Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

MAX_INPUTS = 1024
MAX_PREDICTION_LENGTH = 1024
MIN_OBSERVATIONS = 5
# Rows (targets + covariates) the model sees at once: the scheduler cannot see series sizes, so memory is capped here.
MAX_BATCH_SIZE = 1024
DEFAULT_BATCH_SIZE = 256
MAX_VARIATES = 1024
MAX_QUANTILE_LEVELS = 99
DEFAULT_QUANTILE_LEVELS = (0.1, 0.5, 0.9)

CovariateKind = Literal["numeric", "categorical"]


class ForecastRequestError(ValueError):
    """A request that breaks a rule; vLLM answers a ValueError raised by the IO processor with HTTP 400."""


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but `true` is not an observation.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_numbers(values: list[Any], what: str) -> None:
    for i, value in enumerate(values):
        if value is None:
            continue
        if not _is_number(value):
            raise ValueError(f"{what}[{i}] must be a number or null, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{what}[{i}] must be finite (send missing values as null), got {value}")


def covariate_kind(values: list[Any], what: str) -> CovariateKind:
    """'numeric' when every value is a finite number or null, 'categorical' when every value is a string or null."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, str) for v in present) and present:
        return "categorical"
    for i, value in enumerate(values):
        if value is not None and not _is_number(value):
            raise ValueError(
                f"{what}[{i}]: a covariate must be all numbers (or null) or all strings (or null), "
                f"got {type(value).__name__}"
            )
    _check_numbers(values, what)
    return "numeric"


class ForecastInput(BaseModel):
    """One series to forecast: a 1-D or 2-D target, optional covariates, id and start timestamp."""

    model_config = ConfigDict(extra="forbid")

    target: list[Any] = Field(min_length=1)
    item_id: StrictStr | None = None
    start: StrictStr | None = None
    past_covariates: dict[StrictStr, list[Any]] | None = None
    future_covariates: dict[StrictStr, list[Any]] | None = None

    @field_validator("target")
    @classmethod
    def _target_shape(cls, target: list[Any]) -> list[Any]:
        if all(isinstance(row, list) for row in target):
            if len(target) > MAX_VARIATES:
                raise ValueError(f"at most {MAX_VARIATES} variates, got {len(target)}")
            lengths = {len(row) for row in target}
            if len(lengths) != 1:
                raise ValueError(f"every variate must have the same length, got lengths {sorted(lengths)}")
            for v, row in enumerate(target):
                _check_series(row, f"variate {v}")
            return target
        if any(isinstance(row, list) for row in target):
            raise ValueError("must be a list of numbers (1-D) or a list of lists of numbers (2-D), not a mix")
        _check_series(target, "value")
        return target

    @field_validator("start")
    @classmethod
    def _start_is_timestamp(cls, start: str | None) -> str | None:
        if start is not None:
            import pandas as pd  # here, so that the limits above import without pandas

            try:
                stamp = pd.Timestamp(start)
            except (ValueError, TypeError, OverflowError) as exc:
                raise ValueError(f"must be an ISO 8601 timestamp, got {start!r} ({exc})") from None
            if pd.isna(stamp):
                raise ValueError(f"must be an ISO 8601 timestamp, got {start!r}")
        return start

    @model_validator(mode="after")
    def _past_covariates_match_target(self) -> "ForecastInput":
        for name, values in (self.past_covariates or {}).items():
            covariate_kind(values, f"past_covariates.{name}")
            if len(values) != self.history_length:
                raise ValueError(
                    f"past_covariates.{name} must have the target's length {self.history_length}, got {len(values)}"
                )
        future = self.future_covariates or {}
        unknown = sorted(set(future) - set(self.past_covariates or {}))
        if unknown:
            raise ValueError(f"future_covariates {unknown} must also be given in past_covariates")
        for name, values in future.items():
            kind = covariate_kind(values, f"future_covariates.{name}")
            past_kind = covariate_kind(self.past_covariates[name], f"past_covariates.{name}")  # type: ignore[index]
            if kind != past_kind and any(v is not None for v in values):
                raise ValueError(f"future_covariates.{name} is {kind} but past_covariates.{name} is {past_kind}")
        return self

    @property
    def is_multivariate(self) -> bool:
        """True when the target is 2-D."""
        return isinstance(self.target[0], list)

    @property
    def n_variates(self) -> int:
        """Number of target variates (1 for a 1-D target)."""
        return len(self.target) if self.is_multivariate else 1

    @property
    def history_length(self) -> int:
        """Number of time steps in the target."""
        return len(self.target[0]) if self.is_multivariate else len(self.target)


def _check_series(values: list[Any], what: str) -> None:
    _check_numbers(values, what)
    if len(values) < MIN_OBSERVATIONS:
        raise ValueError(f"must have at least {MIN_OBSERVATIONS} observations, got {len(values)}")
    if all(v is None for v in values):
        raise ValueError(f"{what}s are all null: at least one observed value is needed")


class ForecastParameters(BaseModel):
    """How to forecast: horizon, quantile levels, frequency, batching and cross-learning."""

    model_config = ConfigDict(extra="forbid")

    prediction_length: StrictInt = Field(1, ge=1, le=MAX_PREDICTION_LENGTH)
    quantile_levels: list[Any] = Field(
        default_factory=lambda: list(DEFAULT_QUANTILE_LEVELS), min_length=1, max_length=MAX_QUANTILE_LEVELS
    )
    freq: StrictStr | None = None
    batch_size: StrictInt = Field(DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    cross_learning: StrictBool = False

    @field_validator("quantile_levels")
    @classmethod
    def _levels_in_open_unit_interval(cls, levels: list[Any]) -> list[float]:
        for i, level in enumerate(levels):
            if not _is_number(level) or not math.isfinite(level):
                raise ValueError(f"[{i}] must be a finite number, got {level!r}")
            if not 0 < level < 1:
                raise ValueError(f"[{i}] must lie strictly between 0 and 1, got {level}")
        if len(set(levels)) != len(levels):
            raise ValueError("levels must be distinct")
        return [float(level) for level in levels]

    @field_validator("freq")
    @classmethod
    def _freq_is_pandas_offset(cls, freq: str | None) -> str | None:
        if freq is not None:
            from pandas.tseries.frequencies import to_offset

            try:
                to_offset(freq)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"must be a pandas frequency string such as 'D' or 'h', got {freq!r} ({exc})") from None
        return freq


class ForecastRequest(BaseModel):
    """The `data` object of a `/pooling` request."""

    model_config = ConfigDict(extra="forbid")

    inputs: list[ForecastInput] = Field(min_length=1, max_length=MAX_INPUTS)
    parameters: ForecastParameters = Field(default_factory=ForecastParameters)

    @model_validator(mode="after")
    def _future_covariates_cover_horizon(self) -> "ForecastRequest":
        horizon = self.parameters.prediction_length
        for index, item in enumerate(self.inputs):
            for name, values in (item.future_covariates or {}).items():
                if len(values) != horizon:
                    raise ForecastRequestError(
                        f"inputs[{index}].future_covariates.{name}: must have prediction_length {horizon} values, "
                        f"got {len(values)}"
                    )
        return self


def _location(loc: tuple[Union[int, str], ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "data"


def parse_request(data: object) -> ForecastRequest:
    """Validate a request's `data`; raise ForecastRequestError naming every broken rule."""
    if not isinstance(data, dict):
        raise ForecastRequestError(f"data: must be an object with 'inputs' and 'parameters', got {type(data).__name__}")
    try:
        return ForecastRequest.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False, include_input=False):
            message = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{_location(tuple(err['loc']))}: {message}")
        raise ForecastRequestError("; ".join(lines)) from None
