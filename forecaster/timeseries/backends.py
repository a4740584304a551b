"""Where Chronos-2 runs: in this process (`Chronos2Pipeline`) or behind vLLM's `/pooling` endpoint."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from chronos2_vllm.protocol import DEFAULT_BATCH_SIZE, MAX_INPUTS

from forecaster.errors import ConfigError
from forecaster.settings import TimeSeriesSettings
from forecaster.timeseries.pooling_client import plain_json
from forecaster.timeseries.series import Forecast, Series

log = logging.getLogger(__name__)

# The /pooling schema's limit on inputs per request.
MAX_INPUTS_PER_REQUEST = MAX_INPUTS


class ForecastBackend(Protocol):
    """Anything that turns validated series into quantile forecasts."""

    name: str

    def forecast(self, series: Sequence[Series], horizon: int, quantile_levels: Sequence[float]) -> list[Forecast]:
        """One forecast per series, in input order."""
        ...


class InProcessBackend:
    """Chronos-2 through `Chronos2Pipeline.predict_quantiles` in this process."""

    name = "in-process"

    def __init__(self, model_path: str, device: str = "cpu", batch_size: int = DEFAULT_BATCH_SIZE, cross_learning: bool = False):
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size
        self.cross_learning = cross_learning

    def forecast(self, series: Sequence[Series], horizon: int, quantile_levels: Sequence[float]) -> list[Forecast]:
        """Forecast every series with the pipeline (loaded once per process and path)."""
        pipeline = load_pipeline(self.model_path, self.device)
        quantiles, means = pipeline.predict_quantiles(
            [s.chronos_input() for s in series],
            prediction_length=horizon,
            quantile_levels=list(quantile_levels),
            batch_size=self.batch_size,
            cross_learning=self.cross_learning,
        )
        return [
            Forecast(
                series_id=s.id,
                timestamps=s.future_timestamps,
                quantile_levels=tuple(quantile_levels),
                quantiles=q[0].float().numpy().astype(float),
                mean=m[0].float().numpy().astype(float),
            )
            for s, q, m in zip(series, quantiles, means)
        ]


class PoolingBackend:
    """Chronos-2 behind vLLM's `/pooling` endpoint: a thin adapter over `ChronosPoolingClient`."""

    name = "pooling"

    def __init__(self, client: Any, batch_size: int = DEFAULT_BATCH_SIZE, cross_learning: bool = False):
        self.client = client
        self.batch_size = batch_size
        self.cross_learning = cross_learning

    def forecast(self, series: Sequence[Series], horizon: int, quantile_levels: Sequence[float]) -> list[Forecast]:
        """Send the series (at most MAX_INPUTS_PER_REQUEST a request) and read each prediction's quantile columns back."""
        from forecaster.timeseries.pooling_client import ForecastParameters

        levels = list(quantile_levels)
        parameters = ForecastParameters(prediction_length=horizon, quantile_levels=levels,
                                        batch_size=self.batch_size, cross_learning=self.cross_learning)
        forecasts: list[Forecast] = []
        for start in range(0, len(series), MAX_INPUTS_PER_REQUEST):
            chunk = series[start: start + MAX_INPUTS_PER_REQUEST]
            predictions = self.client.forecast([request_input(s) for s in chunk], parameters)
            forecasts += [
                Forecast(
                    series_id=s.id,
                    timestamps=s.future_timestamps,
                    quantile_levels=tuple(levels),
                    quantiles=np.column_stack([np.asarray(p.quantiles[q], dtype=float) for q in levels]),
                    mean=np.asarray(p.mean, dtype=float),
                )
                for s, p in zip(chunk, predictions)
            ]
        return forecasts


def request_input(series: Series) -> dict:
    """A series as one `/pooling` input: plain JSON types, missing values as null."""
    item = plain_json(series.chronos_input())
    item["item_id"] = series.id
    return item


@functools.lru_cache(maxsize=2)
def load_pipeline(model_path: str, device: str = "cpu") -> Any:
    """Load a Chronos-2 pipeline once per process and (path, device)."""
    import torch
    from chronos import Chronos2Pipeline

    log.info("loading Chronos-2 from %s on %s", model_path, device)
    pipeline = Chronos2Pipeline.from_pretrained(model_path, device_map=device, dtype=torch.float32)
    pipeline.model.eval()
    return pipeline


def ensure_checkpoint(settings: TimeSeriesSettings, logger: logging.Logger | logging.LoggerAdapter = log) -> str:
    """The model path to load; a missing local folder gets a RANDOM tiny checkpoint (logged loudly)."""
    path = settings.model_path
    if _is_hub_id(path) or (Path(path) / "config.json").is_file():
        return path
    if not settings.build_random_if_missing:
        raise ConfigError(f"timeseries.model_path: no Chronos-2 checkpoint at {path!r} (config.json missing)")
    from chronos2_vllm.checkpoint import build_random_checkpoint

    logger.warning(
        "no Chronos-2 weights at %s: building a RANDOM tiny checkpoint there (forecasts are meaningless; "
        "point timeseries.model_path at real weights such as amazon/chronos-2)", path,
    )
    build_random_checkpoint(path, size="tiny")
    return path


def _is_hub_id(path: str) -> bool:
    # "org/name" is a Hugging Face id; anything else (absolute, ./x, data/models/x) is a local folder.
    parts = Path(path).parts
    return not Path(path).exists() and len(parts) == 2 and not path.startswith((".", "/", "~"))


def build_backend(
    settings: TimeSeriesSettings, logger: logging.Logger | logging.LoggerAdapter = log
) -> ForecastBackend:
    """The pooling backend when a server URL is configured, else the in-process pipeline."""
    if settings.server_url:
        from forecaster.timeseries.pooling_client import ChronosPoolingClient

        client = ChronosPoolingClient(
            settings.server_url, settings.server_model or settings.model_path, settings.request_timeout_s
        )
        return PoolingBackend(client, batch_size=settings.batch_size, cross_learning=settings.cross_learning)
    return InProcessBackend(
        ensure_checkpoint(settings, logger), settings.device, settings.batch_size, settings.cross_learning
    )
