"""Validated inputs → the batches `Chronos2Pipeline.predict` would build, one engine prompt each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from chronos2_vllm.protocol import ForecastInput, ForecastRequest, covariate_kind

# The tensors one prompt carries to the model (see multimodal.FIELDS).
FIELDS = ("context", "group_ids", "future_covariates", "prediction_length")


@dataclass(frozen=True)
class TargetSlice:
    """Where one input's target rows sit in one batch's output."""

    input_index: int
    start: int
    end: int


@dataclass
class Batch:
    """One engine prompt: the model's tensors and the inputs they answer."""

    tensors: dict[str, torch.Tensor]
    targets: list[TargetSlice]


@dataclass
class ForecastPlan:
    """Everything post-processing needs besides the model output."""

    n_inputs: int
    quantile_levels: list[float]
    prediction_length: int
    item_ids: list[str | None]
    multivariate: list[bool]
    timestamps: list[list[str] | None]
    batches: list[Batch] = field(default_factory=list)


def schema_key(item: ForecastInput) -> tuple:
    """Inputs that chronos may batch together share this key (target width, covariate names and kinds)."""
    past = item.past_covariates or {}
    future = item.future_covariates or {}
    return (
        item.n_variates,
        tuple(sorted((name, covariate_kind(values, name)) for name, values in past.items())),
        tuple(sorted(future)),
    )


def group_by_schema(inputs: list[ForecastInput]) -> list[list[int]]:
    """Input indices grouped by schema, groups in order of first appearance, indices in request order."""
    groups: dict[tuple, list[int]] = {}
    for index, item in enumerate(inputs):
        groups.setdefault(schema_key(item), []).append(index)
    return list(groups.values())


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _covariate_array(values: list[Any], name: str) -> np.ndarray:
    if covariate_kind(values, name) == "categorical":
        return np.array(values, dtype=object)
    # np.asarray([1.0, None]) would be an object array that chronos treats as categorical.
    return _floats(values)


def to_chronos_dict(item: ForecastInput) -> dict[str, Any]:
    """One input as the dict `Chronos2Pipeline.predict` accepts (null → NaN)."""
    if item.is_multivariate:
        target = np.stack([_floats(row) for row in item.target])
    else:
        target = _floats(item.target)
    converted: dict[str, Any] = {"target": target}
    if item.past_covariates:
        converted["past_covariates"] = {k: _covariate_array(v, k) for k, v in item.past_covariates.items()}
    if item.future_covariates:
        converted["future_covariates"] = {k: _covariate_array(v, k) for k, v in item.future_covariates.items()}
    return converted


def forecast_timestamps(start: str, freq: str, history_length: int, prediction_length: int) -> list[str]:
    """ISO timestamps of the forecast steps of a series whose first observation is at `start`."""
    import pandas as pd

    index = pd.date_range(start=pd.Timestamp(start), periods=history_length + prediction_length, freq=freq)
    return [stamp.isoformat() for stamp in index[history_length:]]


def build_plan(request: ForecastRequest, context_length: int, output_patch_size: int) -> ForecastPlan:
    """Group by schema and batch exactly as the pipeline does; raise ValueError for what chronos refuses."""
    from chronos.chronos2.dataset import Chronos2Dataset, DatasetMode

    params = request.parameters
    plan = ForecastPlan(
        n_inputs=len(request.inputs),
        quantile_levels=list(params.quantile_levels),
        prediction_length=params.prediction_length,
        item_ids=[item.item_id for item in request.inputs],
        multivariate=[item.is_multivariate for item in request.inputs],
        timestamps=[_timestamps(item, i, params.freq, params.prediction_length) for i, item in enumerate(request.inputs)],
    )
    for indices in group_by_schema(request.inputs):
        dataset = Chronos2Dataset(
            [to_chronos_dict(request.inputs[i]) for i in indices],
            context_length=context_length,
            prediction_length=params.prediction_length,
            batch_size=params.batch_size,
            output_patch_size=output_patch_size,
            mode=DatasetMode.TEST,
        )
        position = 0
        for raw in dataset:
            ranges = raw["target_idx_ranges"]
            group_ids = raw["group_ids"]
            if params.cross_learning:
                group_ids = torch.zeros_like(group_ids)
            tensors = {
                "context": raw["context"].to(torch.float32),
                "group_ids": group_ids.to(torch.long),
                "future_covariates": raw["future_covariates"].to(torch.float32),
                "prediction_length": torch.tensor([params.prediction_length], dtype=torch.long),
            }
            targets = [TargetSlice(indices[position + k], start, end) for k, (start, end) in enumerate(ranges)]
            position += len(ranges)
            plan.batches.append(Batch(tensors=tensors, targets=targets))
    return plan


def _timestamps(item: ForecastInput, index: int, freq: str | None, prediction_length: int) -> list[str] | None:
    if item.start is None or freq is None:
        return None
    try:
        return forecast_timestamps(item.start, freq, item.history_length, prediction_length)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"inputs[{index}].start: cannot lay out timestamps with freq {freq!r}: {exc}") from None
