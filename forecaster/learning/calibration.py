"""What `forecaster calibrate` does, without the command line: judge the rolling origin, fit on everything known
before the cut, and say what was fitted and what was not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from forecaster.errors import InputError
from forecaster.learning.backtest import JudgedRound, backtest
from forecaster.learning.combiner import DEFAULT_CROWD_RIDGE, DEFAULT_RIDGE, Combiner, fit_combiner
from forecaster.learning.priors import DEFAULT_STRENGTH
from forecaster.learning.report import pooled, rounds_report, source_and_band_report
from forecaster.learning.rounds import Round
from forecaster.learning.rows import known_before
from forecaster.names import CROWD


@dataclass(frozen=True)
class Options:
    as_of: dt.date | None = None
    ridge: float = DEFAULT_RIDGE
    crowd_ridge: float = DEFAULT_CROWD_RIDGE
    strength: float = DEFAULT_STRENGTH


@dataclass(frozen=True)
class Calibration:
    """The rolling-origin judgement, the final fit and the notes a user must read."""

    judged: list[JudgedRound]
    combiner: Combiner
    notes: list[str] = field(default_factory=list)


def calibrate(rounds: Sequence[Round], options: Options = Options()) -> Calibration:
    """Judge every round but the first by a fit on the earlier ones, then fit on every outcome before the cut."""
    names = [r.name for r in rounds]
    if len(set(names)) != len(names):
        raise InputError(f"--questions: the same question set given twice ({sorted(n for n in set(names) if names.count(n) > 1)})")
    judged = backtest({r.name: r.rows for r in rounds}, {r.name: r.due_date for r in rounds}, options.ridge,
                      options.strength, crowd_ridge=options.crowd_ridge, as_of=options.as_of)
    rows = known_before([row for r in rounds for row in r.rows], options.as_of)
    if not rows:
        raise InputError(f"no resolution dated before --as-of {options.as_of}: nothing to fit on")
    combiner = fit_combiner(rows, options.ridge, options.strength, options.crowd_ridge)
    notes = []
    if not combiner.agents:
        notes.append("no stored run given (--run): fitted the crowd, the priors and the recalibration only; "
                     "agents' weights are not fitted (a file without them gives agents weight 0)")
    if CROWD not in combiner.weights:
        notes.append("no crowd value among the fitting rows: the crowd's weight is not fitted")
    return Calibration(judged, combiner, notes)


def parameters_text(combiner: Combiner) -> str:
    """The fitted parameters, one per line."""
    lines = ["member weights (log-odds slopes):"]
    lines += [f"  {name:<24} {w:+.3f}" for name, w in sorted(combiner.weights.items())] or ["  (none)"]
    if combiner.crowd_agent_weights:
        lines.append("agents' weights beside a crowd value (on crowd questions):")
        lines += [f"  {name:<24} {w:+.3f}" for name, w in sorted(combiner.crowd_agent_weights.items())]
    lines.append("prior weight per source (questions without a crowd value):")
    lines += [f"  {s:<24} {w:+.3f}" for s, w in sorted(combiner.prior_weight.items())]
    lines.append(f"on crowd questions: prior weight {combiner.crowd_prior_weight:+.3f}, "
                 f"intercept {combiner.crowd_intercept:+.3f}")
    lines.append("priors (source: rate over all horizons; per horizon in days):")
    for source, rate in sorted(combiner.priors.by_source.items()):
        per = ", ".join(f"{h}d {v:.3f}" for h, v in sorted(combiner.priors.by_horizon.get(source, {}).items()))
        lines.append(f"  {source:<12} {rate:.3f}" + (f"   {per}" if per else ""))
    return "\n".join(lines)


def calibration_text(result: Calibration) -> str:
    """Everything calibrate prints: the rolling-origin table, per source and band, the fit and its notes."""
    parts = ["Rolling origin (each round forecast by a fit on the earlier rounds, outcomes known before its due "
             "date; Brier, lower is better):", rounds_report(result.judged)]
    if result.judged:
        parts += ["Judged rounds together:", source_and_band_report(*pooled(result.judged))]
    fitted = result.combiner.fitted
    parts += [f"Fit on {fitted.get('rows')} resolved rows:", parameters_text(result.combiner)]
    parts += [f"note: {n}" for n in result.notes]
    return "\n\n".join(parts)
