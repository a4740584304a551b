"""A typed, synchronous client for Chronos-2 forecasts served on vLLM's `/pooling` endpoint."""

from __future__ import annotations

import math
from typing import Any, Optional, Union

import httpx
from pydantic import BaseModel, ConfigDict, Field

# The server's own limits and defaults: the client checks the same rules before sending.
from chronos2_vllm.protocol import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_QUANTILE_LEVELS,
    MAX_BATCH_SIZE,
    MAX_PREDICTION_LENGTH,
    MAX_QUANTILE_LEVELS,
)

from forecaster.errors import ForecasterError, InputError

Value = Optional[float]
Series = Union[list[Value], list[list[Value]]]
Covariate = Union[list[Optional[float]], list[Optional[str]]]


class PoolingServerError(ForecasterError):
    """The server could not be reached or answered with an error other than a rejected request."""


class PoolingRequestRejected(InputError):
    """The server rejected the request (HTTP 400); the message is the server's, naming index, field and rule."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"forecast request rejected ({status_code}): {message}")
        self.status_code = status_code
        self.server_message = message


class ForecastInput(BaseModel):
    """One series: a 1-D or 2-D target (None for missing values), optional id, start and covariates."""

    model_config = ConfigDict(extra="forbid")

    target: Series
    item_id: Optional[str] = None
    start: Optional[str] = None
    past_covariates: Optional[dict[str, Covariate]] = None
    future_covariates: Optional[dict[str, Covariate]] = None


class ForecastParameters(BaseModel):
    """Horizon, quantile levels, frequency, batching and cross-learning (server defaults when omitted)."""

    model_config = ConfigDict(extra="forbid")

    prediction_length: int = Field(1, ge=1, le=MAX_PREDICTION_LENGTH)
    quantile_levels: list[float] = Field(
        default_factory=lambda: list(DEFAULT_QUANTILE_LEVELS), min_length=1, max_length=MAX_QUANTILE_LEVELS
    )
    freq: Optional[str] = None
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    cross_learning: bool = False


class Prediction(BaseModel):
    """One input's forecast: mean and one column per quantile level (lists of lists when multivariate)."""

    mean: Series
    quantiles: dict[float, Series]
    item_id: Optional[str] = None
    timestamps: Optional[list[str]] = None

    @classmethod
    def from_response(cls, entry: dict[str, Any], levels: list[float]) -> "Prediction":
        """Read one element of `data.predictions`."""
        by_key = {repr(float(level)): level for level in levels}
        return cls(
            mean=entry["mean"],
            quantiles={by_key[key]: entry[key] for key in by_key},
            item_id=entry.get("item_id"),
            timestamps=entry.get("timestamps"),
        )


def plain_json(value: Any) -> Any:
    """Plain JSON types for a request body: arrays as lists, NaN as null (NaN is not JSON), recursively."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    return value


class ChronosPoolingClient:
    """`ChronosPoolingClient(base_url, model).forecast(inputs, parameters) -> list[Prediction]`."""

    def __init__(self, base_url: str, model: str, timeout: float = 120.0, transport: httpx.BaseTransport | None = None):
        self.model = model
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    def __enter__(self) -> "ChronosPoolingClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def health(self) -> bool:
        """True when the server answers /health with 200."""
        try:
            return self._http.get("/health").status_code == 200
        except httpx.HTTPError:
            return False

    def forecast(
        self, inputs: list[ForecastInput | dict[str, Any]], parameters: ForecastParameters | None = None
    ) -> list[Prediction]:
        """Forecast every input; predictions come back in input order."""
        parameters = parameters or ForecastParameters()
        items = [item if isinstance(item, ForecastInput) else ForecastInput.model_validate(item) for item in inputs]
        body = {
            "model": self.model,
            "task": "plugin",
            "data": {
                "inputs": [plain_json(item.model_dump(exclude_none=True)) for item in items],
                "parameters": parameters.model_dump(exclude_none=True),
            },
        }
        data = self._post(body)
        predictions = data.get("predictions")
        if not isinstance(predictions, list) or len(predictions) != len(items):
            raise PoolingServerError(f"expected {len(items)} predictions, got {str(predictions)[:200]}")
        return [Prediction.from_response(entry, parameters.quantile_levels) for entry in predictions]

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post("/pooling", json=body)
        except httpx.HTTPError as exc:
            raise PoolingServerError(f"cannot reach {self._http.base_url}: {exc}") from exc
        if response.status_code in (400, 404, 422):
            raise PoolingRequestRejected(response.status_code, _error_message(response))
        if response.status_code != 200:
            raise PoolingServerError(f"server answered {response.status_code}: {_error_message(response)}")
        return response.json()["data"]


def _error_message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:500]
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    return str(error.get("message", error) if isinstance(error, dict) else error)
