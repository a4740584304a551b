"""Scoring resolved binary forecasts: proper scores, decompositions, intervals, baselines, recalibration."""

from forecaster.scoring.metrics import LOG_EPS, brier_score, log_score
from forecaster.scoring.scores import ForecastRow, ScoreRow, ScoringOptions, render_table, score_table

__all__ = [
    "LOG_EPS",
    "ForecastRow",
    "ScoreRow",
    "ScoringOptions",
    "brier_score",
    "log_score",
    "render_table",
    "score_table",
]
