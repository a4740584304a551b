"""A round's scores as rows of the scores table (what `evaluate` stores), and as the artifact's markdown.

One `ScoreRow` per (scope, forecaster): the run's ensemble, `constant 0.5` and `naive`. Outcomes may be
fractional (an open market scores against its latest value), so the parts are computed here on bin means, where
they keep their definitions: for Brier, score = reliability − resolution + uncertainty − mean(y(1 − y)) + the
within-bin terms, the extra term 0 when every outcome is 0 or 1.
"""

from __future__ import annotations

import numpy as np

from forecaster.scoring.bootstrap import bootstrap_mean_ci
from forecaster.scoring.markdown import scores_markdown
from forecaster.scoring.metrics import LOG_EPS, clip_probabilities
from forecaster.scoring.reliability import DEFAULT_BINS, bin_index
from forecaster.learning.round_scores import GAP_FORECAST, RoundScore, ScoredRow, score_lines
from forecaster.scoring.scores import CONSTANT_NAME, Kind, ScoreRow, ScoringOptions

NAIVE_NAME = "naive"
SCOPE_PREFIX = "forecastbench "


def round_evaluation_id(score: RoundScore) -> str:
    """The id the round's scores are stored under: apart from `evaluate`'s scores of the same run."""
    return f"round-{score.run_id}"


def round_table(score: RoundScore, method: str, options: ScoringOptions = ScoringOptions()) -> list[ScoreRow]:
    """The scores table of the round: per scope, the run's ensemble (`method`), 0.5 everywhere and naive."""
    table = []
    for scope in score.scopes:
        rows = [r for r in score.rows if scope.scope == "overall" or (scope.scope == "market") == r.is_market]
        if not rows:
            continue
        y = np.array([r.resolved_to for r in rows])
        for name, kind, pick in ((method, "ensemble", _forecast), (CONSTANT_NAME, "baseline", _constant),
                                 (NAIVE_NAME, "baseline", _naive)):
            p = np.array([pick(r) for r in rows])
            table.append(_score_row(SCOPE_PREFIX + scope.scope, name, kind, p, y, options))
    return table


def round_markdown(score: RoundScore, table: list[ScoreRow], confidence: float) -> str:
    """The artifact: the three score lines, what was left out, then the table."""
    lines = "\n".join(score_lines(score))
    return (f"**ForecastBench round {score.question_set}, run {score.run_id}**\n\n```\n{lines}\n```\n\n"
            f"gaps scored as 0.5: {score.gaps}; void rows left out: {score.void}; rows for questions the run "
            f"does not hold: {score.not_in_run}\n\n{scores_markdown(table, confidence)}")


def _forecast(row: ScoredRow) -> float:
    return row.forecast


def _constant(row: ScoredRow) -> float:
    return GAP_FORECAST


def _naive(row: ScoredRow) -> float:
    return row.naive


def _score_row(scope: str, name: str, kind: Kind, p: np.ndarray, y: np.ndarray,
               options: ScoringOptions) -> ScoreRow:
    brier = (p - y) ** 2
    q = clip_probabilities(p, options.log_eps)
    log = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    ci = dict(n_resamples=options.n_resamples, confidence=options.confidence, seed=options.seed)
    b_rel, b_res, b_unc, l_rel, l_res, l_unc = _parts(p, y, options.n_bins)
    return ScoreRow(scope=scope, kind=kind, name=name, n=int(p.size), brier=float(brier.mean()),
                    brier_ci=bootstrap_mean_ci(brier, **ci), log=float(log.mean()), log_ci=bootstrap_mean_ci(log, **ci),
                    brier_reliability=b_rel, brier_resolution=b_res, brier_uncertainty=b_unc,
                    log_reliability=l_rel, log_resolution=l_res, log_uncertainty=l_unc)


def _parts(p: np.ndarray, y: np.ndarray, n_bins: int = DEFAULT_BINS) -> tuple[float, ...]:
    """Brier and log reliability, resolution and uncertainty on equal-width bins, outcomes in [0, 1]."""
    q = clip_probabilities(p, LOG_EPS)
    index = bin_index(p, n_bins)
    bins = [index == k for k in np.unique(index)]
    w = np.array([b.mean() for b in bins])
    f = np.array([p[b].mean() for b in bins])
    f_log = np.array([q[b].mean() for b in bins])
    o_k = np.array([y[b].mean() for b in bins])
    o = float(y.mean())
    brier = (float(np.sum(w * (f - o_k) ** 2)), float(np.sum(w * (o_k - o) ** 2)), o * (1 - o))
    entropy = float(-o * np.log(o) - (1 - o) * np.log(1 - o)) if 0 < o < 1 else 0.0
    log = (float(np.sum(w * _kl(o_k, f_log))), float(np.sum(w * _kl(o_k, o))) if 0 < o < 1 else 0.0, entropy)
    return (*brier, *log)


def _kl(a: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    # Binary Kullback–Leibler divergence, 0 · ln 0 taken as 0; b is clipped away from 0 and 1 by the callers.
    b = np.clip(np.asarray(b, dtype=float), LOG_EPS, 1 - LOG_EPS)
    with np.errstate(divide="ignore", invalid="ignore"):
        yes = np.where(a > 0, a * np.log(a / b), 0.0)
        no = np.where(a < 1, (1 - a) * np.log((1 - a) / (1 - b)), 0.0)
    return yes + no
