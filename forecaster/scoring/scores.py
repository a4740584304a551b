"""The scores table: every agent, ensemble method and baseline, over all questions, per question source and on
the questions that have a market probability, with bootstrap intervals and decompositions.

An evaluate flow hands in one `ForecastRow` per (question, agent or method) and gets `ScoreRow`s back;
`render_table` prints them. Baselines (constant 0.5, base rate, market) are added here, from the same questions.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Iterable, Literal, Mapping, Sequence

import numpy as np

from forecaster.errors import InputError
from forecaster.scoring.baselines import (
    BASE_RATE_METHODS,
    base_rate_leave_one_out,
    base_rate_resolved_before,
    constant_forecasts,
)
from forecaster.scoring.bootstrap import DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, Interval, bootstrap_mean_ci
from forecaster.scoring.decomposition import brier_decomposition, log_decomposition
from forecaster.scoring.metrics import LOG_EPS, brier_losses, log_losses
from forecaster.scoring.reliability import DEFAULT_BINS

Kind = Literal["agent", "ensemble", "baseline"]
KIND_ORDER = {"agent": 0, "ensemble": 1, "baseline": 2}
CONSTANT_NAME = "constant 0.5"
BASE_RATE_NAME = "base rate"
MARKET_NAME = "market"
ALL_SCOPE = "all"
MARKET_SCOPE = "with market"


@dataclass(frozen=True)
class ForecastRow:
    """One resolved forecast: what an agent or ensemble method said about a question, and what happened."""

    question_id: str
    source: str
    agent_or_method: str
    probability: float
    outcome: int
    resolution_date: date | None = None
    kind: Kind = "agent"
    forecast_date: date | None = None


@dataclass(frozen=True)
class ResolvedQuestion:
    """What the table needs to know about one resolved question."""

    question_id: str
    source: str
    outcome: int
    resolution_date: date | None
    forecast_date: date | None


@dataclass(frozen=True)
class ScoreRow:
    """One forecaster's scores on one scope of questions (Brier and log decompositions on the same bins)."""

    scope: str
    kind: Kind
    name: str
    n: int
    brier: float
    brier_ci: Interval
    log: float
    log_ci: Interval
    brier_reliability: float
    brier_resolution: float
    brier_uncertainty: float
    log_reliability: float
    log_resolution: float
    log_uncertainty: float

    def as_record(self) -> dict:
        """A flat dict (intervals as _low/_high columns) for storage or JSON."""
        record = asdict(self)
        for key in ("brier_ci", "log_ci"):
            interval = record.pop(key)
            record[f"{key}_low"], record[f"{key}_high"] = interval["low"], interval["high"]
        return record


@dataclass(frozen=True)
class ScoringOptions:
    """How the table is computed."""

    n_bins: int = DEFAULT_BINS
    n_resamples: int = DEFAULT_RESAMPLES
    confidence: float = DEFAULT_CONFIDENCE
    seed: int = 0
    base_rate: str = "leave_one_out"
    log_eps: float = LOG_EPS


@dataclass
class Forecasts:
    """One forecaster's probabilities by question id."""

    kind: Kind
    by_question: dict[str, float] = field(default_factory=dict)


def collect(rows: Iterable[ForecastRow]) -> tuple[dict[str, ResolvedQuestion], dict[str, Forecasts]]:
    """Questions and forecasters from the rows; raises InputError naming the row index and rule broken."""
    questions: dict[str, ResolvedQuestion] = {}
    forecasters: dict[str, Forecasts] = {}
    for i, row in enumerate(rows):
        where = f"forecast row {i} (question {row.question_id!r}, {row.agent_or_method!r})"
        if row.outcome not in (0, 1) or isinstance(row.outcome, bool):
            raise InputError(f"{where}: field 'outcome' must be 0 or 1 (got {row.outcome!r})")
        if isinstance(row.probability, bool) or not isinstance(row.probability, numbers.Real) or not 0 <= row.probability <= 1:
            raise InputError(f"{where}: field 'probability' must lie in [0, 1] (got {row.probability!r})")
        if row.kind not in KIND_ORDER:
            raise InputError(f"{where}: field 'kind' must be one of {sorted(KIND_ORDER)} (got {row.kind!r})")
        question = ResolvedQuestion(row.question_id, row.source, int(row.outcome), row.resolution_date, row.forecast_date)
        known = questions.setdefault(row.question_id, question)
        if known != question:
            raise InputError(f"{where}: outcome, source or dates differ from an earlier row of the same question")
        forecaster = forecasters.setdefault(row.agent_or_method, Forecasts(row.kind))
        if forecaster.kind != row.kind:
            raise InputError(f"{where}: field 'kind' is {row.kind!r}, an earlier row said {forecaster.kind!r}")
        if row.question_id in forecaster.by_question:
            raise InputError(f"{where}: a second forecast of the same question by the same agent or method")
        forecaster.by_question[row.question_id] = float(row.probability)
    return questions, forecasters


def add_baselines(
    questions: Mapping[str, ResolvedQuestion],
    forecasters: dict[str, Forecasts],
    market: Mapping[str, float] | None,
    base_rate: str,
) -> None:
    """Add the constant 0.5, base-rate and (where given) market forecasts for the questions."""
    for name in (CONSTANT_NAME, BASE_RATE_NAME, MARKET_NAME):
        if name in forecasters:
            raise InputError(f"agent_or_method {name!r} is reserved for a baseline")
    ids = list(questions)
    outcomes = [questions[q].outcome for q in ids]
    forecasters[CONSTANT_NAME] = Forecasts("baseline", dict(zip(ids, constant_forecasts(len(ids)))))
    if base_rate == "leave_one_out":
        rates = base_rate_leave_one_out(outcomes)
    elif base_rate == "resolved_before":
        try:
            rates = base_rate_resolved_before(
                outcomes, [questions[q].resolution_date for q in ids], [questions[q].forecast_date for q in ids]
            )
        except ValueError as exc:
            raise InputError(f"base rate 'resolved_before': {exc}") from None
    else:
        raise InputError(f"base_rate must be one of {list(BASE_RATE_METHODS)} (got {base_rate!r})")
    forecasters[BASE_RATE_NAME] = Forecasts("baseline", dict(zip(ids, (float(r) for r in rates))))
    if market:
        for qid, p in market.items():
            if not 0 <= p <= 1:
                raise InputError(f"market probability of question {qid!r} must lie in [0, 1] (got {p!r})")
        in_set = {q: float(p) for q, p in market.items() if q in questions}
        if in_set:
            forecasters[MARKET_NAME] = Forecasts("baseline", in_set)


def scopes(questions: Mapping[str, ResolvedQuestion], market: Mapping[str, float] | None) -> dict[str, set[str]]:
    """The question sets the table reports on: all, each source, those with a market probability."""
    out = {ALL_SCOPE: set(questions)}
    for source in sorted({q.source for q in questions.values()}):
        out[f"source={source}"] = {qid for qid, q in questions.items() if q.source == source}
    with_market = {qid for qid in (market or {}) if qid in questions}
    if with_market:
        out[MARKET_SCOPE] = with_market
    return out


def score_one(scope: str, name: str, kind: Kind, p: np.ndarray, y: np.ndarray, options: ScoringOptions) -> ScoreRow:
    """The scores, intervals and decompositions of one forecaster on one scope."""
    brier = brier_losses(p, y)
    log = log_losses(p, y, options.log_eps)
    # The same seed in every cell: forecasters of one scope are resampled on the same question draws.
    ci = dict(n_resamples=options.n_resamples, confidence=options.confidence, seed=options.seed)
    bd = brier_decomposition(p, y, options.n_bins)
    ld = log_decomposition(p, y, options.n_bins, options.log_eps)
    return ScoreRow(
        scope=scope, kind=kind, name=name, n=int(p.size),
        brier=float(brier.mean()), brier_ci=bootstrap_mean_ci(brier, **ci),
        log=float(log.mean()), log_ci=bootstrap_mean_ci(log, **ci),
        brier_reliability=bd.reliability, brier_resolution=bd.resolution, brier_uncertainty=bd.uncertainty,
        log_reliability=ld.reliability, log_resolution=ld.resolution, log_uncertainty=ld.uncertainty,
    )


def score_table(
    rows: Sequence[ForecastRow],
    market: Mapping[str, float] | None = None,
    options: ScoringOptions = ScoringOptions(),
) -> list[ScoreRow]:
    """Scores of every agent, ensemble method and baseline on every scope, ordered by scope, kind and name."""
    questions, forecasters = collect(rows)
    if not questions:
        raise InputError("no resolved forecasts to score")
    add_baselines(questions, forecasters, market, options.base_rate)
    table = []
    for scope, ids in scopes(questions, market).items():
        for name, forecaster in sorted(forecasters.items(), key=lambda kv: (KIND_ORDER[kv[1].kind], kv[0])):
            scored = sorted(ids & forecaster.by_question.keys())
            if not scored:
                continue
            p = np.array([forecaster.by_question[q] for q in scored])
            y = np.array([questions[q].outcome for q in scored], dtype=float)
            table.append(score_one(scope, name, forecaster.kind, p, y, options))
    return table


def forecasts_by_name(
    rows: Sequence[ForecastRow], market: Mapping[str, float] | None = None, base_rate: str = "leave_one_out"
) -> dict[str, tuple[np.ndarray, np.ndarray, list[date | None]]]:
    """Each forecaster's (probabilities, outcomes, resolution dates), baselines included: what the plots draw."""
    questions, forecasters = collect(rows)
    add_baselines(questions, forecasters, market, base_rate)
    out = {}
    for name, forecaster in forecasters.items():
        ids = sorted(forecaster.by_question)
        out[name] = (
            np.array([forecaster.by_question[q] for q in ids]),
            np.array([questions[q].outcome for q in ids], dtype=float),
            [questions[q].resolution_date for q in ids],
        )
    return out


def _fmt(x: float) -> str:
    return "  nan" if math.isnan(x) else f"{x:.3f}"


def render_table(table: Sequence[ScoreRow], confidence: float = DEFAULT_CONFIDENCE) -> str:
    """A plain-text table, one block per scope (Brier decomposition: reliability, resolution, uncertainty)."""
    pct = f"{confidence:.0%}"
    header = (
        f"{'kind':<9} {'agent / method':<24} {'n':>4}  {'Brier':>6} {pct + ' CI':>15}  "
        f"{'log':>6} {pct + ' CI':>15}  {'rel':>6} {'res':>6} {'unc':>6}"
    )
    lines: list[str] = []
    current = None
    for row in table:
        if row.scope != current:
            current = row.scope
            if lines:
                lines.append("")
            lines += [f"[{row.scope}]", header, "-" * len(header)]
        lines.append(
            f"{row.kind:<9} {row.name[:24]:<24} {row.n:>4}  {_fmt(row.brier):>6} "
            f"{'[' + _fmt(row.brier_ci.low) + ', ' + _fmt(row.brier_ci.high) + ']':>15}  "
            f"{_fmt(row.log):>6} {'[' + _fmt(row.log_ci.low) + ', ' + _fmt(row.log_ci.high) + ']':>15}  "
            f"{_fmt(row.brier_reliability):>6} {_fmt(row.brier_resolution):>6} {_fmt(row.brier_uncertainty):>6}"
        )
    return "\n".join(lines)
