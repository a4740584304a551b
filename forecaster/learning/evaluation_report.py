"""The per-source and per-horizon-band Brier table for scored forecasts (`evaluate`, `score`): the agents and the
ensemble beside 0.5 everywhere, the naive forecaster (the crowd's value where there is one, else 0.5) and the
learned-priors reference (the learned file's (source, horizon) base rates, the crowd's value where there is one),
so a user sees at once whether the agents add anything."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from forecaster.learning.backtest import AGENTS_MEAN, CONSTANT, NAIVE, PRIORS_REF, naive, priors_reference
from forecaster.learning.combiner import Combiner
from forecaster.learning.report import source_and_band_report
from forecaster.learning.rows import LearningRow, agents_only
from forecaster.scoring.scores import ForecastRow

if TYPE_CHECKING:
    from forecaster.learning.rounds import Key
    from forecaster.learning.round_scores import RoundScore

NO_FILE = ("learned priors: no learned file (write one with `forecaster calibrate`, then pass --learned FILE or "
           "set [ensemble] learned_file)")


def horizon(forecast_date: dt.date | None, resolution_date: dt.date | None) -> int | None:
    """Days from the forecast to the resolution; None when either is unknown."""
    if forecast_date is None or resolution_date is None:
        return None
    return (resolution_date - forecast_date).days


def reference_forecasts(rows: Sequence[LearningRow], members: Mapping[str, Sequence[float]],
                        combiner: Combiner | None) -> dict[str, np.ndarray]:
    """The baselines, the learned-priors reference (with a learned file), then the given members' columns."""
    out = {CONSTANT: np.full(len(rows), 0.5), NAIVE: naive(rows)}
    if combiner is not None:
        out[PRIORS_REF] = priors_reference(rows, combiner.priors)
    agents = [agents_only(r) for r in rows]  # the crowd and series members are not agents
    if agents and all(agents):
        out[AGENTS_MEAN] = np.array([np.mean(list(a.values())) for a in agents])
    out.update({name: np.asarray(values, dtype=float) for name, values in members.items()})
    return out


def learning_report(rows: Sequence[LearningRow], members: Mapping[str, Sequence[float]],
                    combiner: Combiner | None) -> str:
    """The text printed under the scores table."""
    text = source_and_band_report(rows, reference_forecasts(rows, members, combiner))
    return text if combiner is not None else text + "\n" + NO_FILE


def rows_from_scores(rows: Sequence[ForecastRow], market: Mapping[str, float],
                     method: str) -> tuple[list[LearningRow], dict[str, list[float]]]:
    """An evaluation's scoring rows as learning rows (a question with a market value is a crowd question, its
    horizon none), and the ensemble `method`'s column for the questions it forecast."""
    by_question: dict[str, list[ForecastRow]] = {}
    for r in rows:
        by_question.setdefault(r.question_id, []).append(r)
    out, ensemble = [], []
    for qid, group in by_question.items():
        pooled = next((r.probability for r in group if r.kind == "ensemble" and r.agent_or_method == method), None)
        if pooled is None:
            continue
        first, crowd = group[0], market.get(qid)
        out.append(LearningRow("", first.forecast_date or dt.date.min, qid, first.source,
                               None if crowd is not None else horizon(first.forecast_date, first.resolution_date),
                               float(first.outcome), first.resolution_date, crowd,
                               {r.agent_or_method: r.probability for r in group if r.kind == "agent"}))
        ensemble.append(pooled)
    return out, {method: ensemble}


def rows_from_round(score: "RoundScore", due_date: dt.date, members: Mapping[Key, Mapping[str, float]],
                    method: str) -> tuple[list[LearningRow], dict[str, list[float]]]:
    """A scored ForecastBench round as learning rows (the agents' forecasts from the stored run), and the run's
    ensemble column."""
    rows = []
    for r in score.rows:
        key = (r.id, None if r.is_market else r.resolution_date)
        rows.append(LearningRow(score.question_set, due_date, r.id, r.source,
                                None if r.is_market else horizon(due_date, r.resolution_date), r.resolved_to,
                                r.resolution_date, r.naive if r.is_market else None, dict(members.get(key, {}))))
    return rows, {f"run ({method})": [r.forecast for r in score.rows]}
