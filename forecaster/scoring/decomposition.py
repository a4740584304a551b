"""Murphy's decomposition of the Brier score, and the same decomposition of the log score, on probability bins.

For any proper score, the mean score of forecasts that take one value per bin splits exactly into
    score = reliability − resolution + uncertainty
(Bröcker 2009, "Reliability, sufficiency, and the decomposition of proper scores"), where, with n_k forecasts in
bin k, their mean forecast f_k, the bin's observed frequency o_k and the overall frequency o:
    reliability = Σ n_k/N · d(o_k, f_k)   miscalibration: 0 when every bin's frequency equals its forecast;
    resolution  = Σ n_k/N · d(o_k, o)     how far the bins' frequencies move away from the base rate;
    uncertainty = e(o)                    the score of always forecasting the base rate.
The Brier score takes d(a, b) = (a − b)² and e(o) = o(1 − o) (Murphy 1973). The log score takes the binary
Kullback–Leibler divergence d(a, b) = a ln(a/b) + (1 − a) ln((1 − a)/(1 − b)) and the binary entropy
e(o) = −o ln o − (1 − o) ln(1 − o): both follow from the score itself, which is why this is the analogue.

Forecasts that vary inside a bin add within-bin terms (Stephenson et al. 2008); `residual` holds them so that
reliability − resolution + uncertainty + residual equals the score exactly. It is 0 when each bin holds one value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecaster.scoring.metrics import LOG_EPS, as_forecasts, brier_losses, clip_probabilities, log_losses
from forecaster.scoring.reliability import DEFAULT_BINS, bin_index


@dataclass(frozen=True)
class Decomposition:
    """A mean score and its parts: score = reliability − resolution + uncertainty + residual."""

    score: float
    reliability: float
    resolution: float
    uncertainty: float
    residual: float


def _binned(p: NDArray[np.float64], y: NDArray[np.float64], n_bins: int):
    idx = bin_index(p, n_bins)
    weights, mean_f, mean_o = [], [], []
    for k in np.unique(idx):
        members = idx == k
        weights.append(members.mean())
        mean_f.append(p[members].mean())
        mean_o.append(y[members].mean())
    return np.array(weights), np.array(mean_f), np.array(mean_o)


def _kl(a: NDArray[np.float64], b: NDArray[np.float64] | float) -> NDArray[np.float64]:
    # 0 · ln 0 is taken as 0; b is clipped by the callers, so its logs are finite.
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        yes = np.where(a > 0, a * np.log(a / b), 0.0)
        no = np.where(a < 1, (1 - a) * np.log((1 - a) / (1 - b)), 0.0)
    return yes + no


def _entropy(o: float) -> float:
    if o <= 0 or o >= 1:
        return 0.0
    return float(-o * np.log(o) - (1 - o) * np.log(1 - o))


def brier_decomposition(probabilities: ArrayLike, outcomes: ArrayLike, n_bins: int = DEFAULT_BINS) -> Decomposition:
    """Murphy's reliability, resolution and uncertainty of the Brier score on equal-width bins."""
    p, y = as_forecasts(probabilities, outcomes)
    if p.size == 0:
        raise ValueError("cannot decompose the score of zero forecasts")
    w, f, o_k = _binned(p, y, n_bins)
    o = y.mean()
    score = float(brier_losses(p, y).mean())
    rel = float(np.sum(w * (f - o_k) ** 2))
    res = float(np.sum(w * (o_k - o) ** 2))
    unc = float(o * (1 - o))
    return Decomposition(score, rel, res, unc, score - (rel - res + unc))


def log_decomposition(
    probabilities: ArrayLike, outcomes: ArrayLike, n_bins: int = DEFAULT_BINS, eps: float = LOG_EPS
) -> Decomposition:
    """The log score's reliability (KL to the bins' frequencies), resolution and uncertainty (entropy), in nats."""
    p, y = as_forecasts(probabilities, outcomes)
    if p.size == 0:
        raise ValueError("cannot decompose the score of zero forecasts")
    q = clip_probabilities(p, eps)
    w, f, o_k = _binned(q, y, n_bins)
    o = float(y.mean())
    score = float(log_losses(p, y, eps).mean())
    rel = float(np.sum(w * _kl(o_k, f)))
    res = float(np.sum(w * _kl(o_k, o))) if 0 < o < 1 else 0.0
    unc = _entropy(o)
    return Decomposition(score, rel, res, unc, score - (rel - res + unc))
