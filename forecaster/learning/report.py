"""Brier tables for a user to read at a glance: per judged round, per source and per horizon band, each
forecaster beside the two baselines (0.5 everywhere, naive) and the learned-priors reference."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from forecaster.learning.backtest import JudgedRound
from forecaster.learning.rows import BANDS, MARKET_BAND, LearningRow, horizon_band

ALL = "all"


def grouped_brier(rows: Sequence[LearningRow], forecasts: Mapping[str, np.ndarray],
                  key: Callable[[LearningRow], str]) -> list[tuple[str, int, dict[str, float]]]:
    """(group, n, Brier per forecaster) for every group of rows, then all rows together."""
    y = np.array([r.outcome for r in rows])
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(key(r), []).append(i)
    out = []
    for name, idx in [*sorted(groups.items(), key=lambda g: _order(g[0])), (ALL, list(range(len(rows))))]:
        out.append((name, len(idx), {f: float(np.mean((p[idx] - y[idx]) ** 2)) for f, p in forecasts.items()}))
    return out


def _order(group: str) -> tuple[int, str]:
    labels = [MARKET_BAND] + [label for _, label in BANDS]
    return (labels.index(group), "") if group in labels else (len(labels), group)


def render_groups(title: str, table: Sequence[tuple[str, int, Mapping[str, float]]]) -> str:
    """A plain-text table: one line per group, one column per forecaster (lower is better)."""
    names = list(table[0][2]) if table else []
    head = f"{title:<14} {'n':>6} " + " ".join(f"{n:>14}" for n in names)
    lines = [head, "-" * len(head)]
    for group, n, scores in table:
        lines.append(f"{group:<14} {n:>6} " + " ".join(f"{scores[name]:>14.4f}" for name in names))
    return "\n".join(lines)


def source_and_band_report(rows: Sequence[LearningRow], forecasts: Mapping[str, np.ndarray]) -> str:
    """Brier per source, then per horizon band."""
    return "\n\n".join([render_groups("source", grouped_brier(rows, forecasts, lambda r: r.source)),
                        render_groups("horizon", grouped_brier(rows, forecasts, lambda r: horizon_band(r.horizon_days)))])


def rounds_report(judged: Sequence[JudgedRound]) -> str:
    """The rolling-origin table: one line per judged round (fit rounds, cut, rows) and the mean over them."""
    if not judged:
        return "no round could be judged (each needs an earlier round with outcomes known before its due date)"
    names = list(judged[0].forecasts)
    head = f"{'judged round':<14} {'fit on':>6} {'fit rows':>8} {'rows':>5} " + " ".join(f"{n:>14}" for n in names)
    lines = [head, "-" * len(head)]
    for j in judged:
        scores = j.brier()
        lines.append(f"{j.split.judge:<14} {len(j.split.fit):>6} {j.fit_rows:>8} {len(j.rows):>5} "
                     + " ".join(f"{scores.get(n, float('nan')):>14.4f}" for n in names))
    mean = {n: float(np.mean([j.brier().get(n, np.nan) for j in judged])) for n in names}
    lines.append(f"{'mean':<14} {'':>6} {'':>8} {'':>5} " + " ".join(f"{mean[n]:>14.4f}" for n in names))
    return "\n".join(lines)


def pooled(judged: Sequence[JudgedRound]) -> tuple[list[LearningRow], dict[str, np.ndarray]]:
    """Every judged row and its forecasts, the rounds put together (for the per-source and per-band tables)."""
    rows = [r for j in judged for r in j.rows]
    names = [n for n in judged[0].forecasts if all(n in j.forecasts for j in judged)] if judged else []
    return rows, {n: np.concatenate([j.forecasts[n] for j in judged]) for n in names}
