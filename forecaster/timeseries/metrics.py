"""Accuracy of a forecast against what happened: MASE, MAPE and weighted quantile loss."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def mape(actual: np.ndarray, point: np.ndarray) -> float:
    """Mean absolute percentage error, in percent (zero actuals are left out)."""
    actual, point = np.asarray(actual, float), np.asarray(point, float)
    keep = actual != 0
    return float(np.mean(np.abs((actual[keep] - point[keep]) / actual[keep])) * 100) if keep.any() else float("nan")


def mase(actual: np.ndarray, point: np.ndarray, history: np.ndarray, season_length: int) -> float:
    """Mean absolute error scaled by the in-sample error of the seasonal naive forecast."""
    history = np.asarray(history, float)
    m = season_length if len(history) > season_length else 1
    scale = np.mean(np.abs(history[m:] - history[:-m]))
    mae = np.mean(np.abs(np.asarray(actual, float) - np.asarray(point, float)))
    return float(mae / scale) if scale > 0 else float("nan")


def weighted_quantile_loss(actual: np.ndarray, quantiles: np.ndarray, levels: Sequence[float]) -> float:
    """Pinball loss summed over the horizon, scaled by sum |actual| and averaged over levels (GluonTS wQL)."""
    actual = np.asarray(actual, float)
    quantiles = np.asarray(quantiles, float)  # (horizon, levels)
    denom = np.sum(np.abs(actual))
    losses = []
    for j, q in enumerate(levels):
        diff = actual - quantiles[:, j]
        losses.append(2 * np.sum(np.maximum(q * diff, (q - 1) * diff)) / denom)
    return float(np.mean(losses)) if denom > 0 else float("nan")
