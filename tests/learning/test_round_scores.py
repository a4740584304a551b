"""Scoring a run on a ForecastBench round: ForecastBench's rules on small hand-built rows."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest

from forecaster.errors import InputError
from forecaster.feeds.forecastbench import ResolutionSet, RoundResolution
from forecaster.feeds.forecastbench_runs import RoundForecast, RunRound
from forecaster.learning.round_scores import score_lines, score_round
from forecaster.learning.round_table import round_evaluation_id, round_table
from forecaster.scoring.scores import ScoringOptions
from forecaster.scoring.store import ScoringStore

SET = "2025-10-26-llm.json"
D1, D2, D3 = date(2025, 11, 2), date(2025, 11, 25), date(2026, 1, 24)
FORECASTS = [
    RoundForecast("A", "manifold", None, 0.7, 0.6, "fb-a"),
    RoundForecast("B", "polymarket", None, None, 0.2, "fb-b"),  # a gap: the run could not forecast it
    RoundForecast("C", "fred", D1, 0.4, None, "fb-c1"),
    RoundForecast("C", "fred", D2, 0.9, None, "fb-c2"),
    RoundForecast("C", "fred", D3, 0.8, None, "fb-c3"),
]
RESOLUTIONS = [
    RoundResolution("A", "manifold", date(2026, 1, 2), 1.0, True),  # a market that resolved YES
    RoundResolution("B", "polymarket", date(2026, 8, 19), 0.3, False),  # still open: its latest value
    RoundResolution("C", "fred", D1, 0.0, True),
    RoundResolution("C", "fred", D2, 1.0, False),  # void: not resolved
    RoundResolution("C", "fred", D3, math.nan, True),  # void: no value
    RoundResolution("D", "fred", D1, 1.0, True),  # a question the run does not hold
]


def _score(forecasts=FORECASTS, resolutions=RESOLUTIONS, question_set=SET):
    run = RunRound("run-1", SET, date(2025, 10, 26), list(forecasts), 0)
    return score_round(run, ResolutionSet(date(2025, 10, 26), question_set, list(resolutions)))


def _scope(name):
    return next(s for s in _score().scopes if s.scope == name)


def test_market_rows_score_against_resolved_to_and_a_gap_counts_one_half():
    market = _scope("market")
    assert market.n == 2
    assert market.brier == pytest.approx(((0.7 - 1.0) ** 2 + (0.5 - 0.3) ** 2) / 2)


def test_void_dataset_rows_and_rows_outside_the_run_are_left_out():
    score = _score()
    assert _scope("dataset").n == 1 and _scope("dataset").brier == pytest.approx(0.4 ** 2)
    assert (score.void, score.not_in_run, score.gaps) == (2, 1, 1)


def test_the_baselines_score_the_same_rows():
    market, dataset, overall = _scope("market"), _scope("dataset"), _scope("overall")
    assert market.constant == pytest.approx(((0.5 - 1.0) ** 2 + (0.5 - 0.3) ** 2) / 2)
    assert market.naive == pytest.approx(((0.6 - 1.0) ** 2 + (0.2 - 0.3) ** 2) / 2)
    assert dataset.naive == dataset.constant == pytest.approx(0.25)
    assert overall.naive == pytest.approx(((0.6 - 1.0) ** 2 + (0.2 - 0.3) ** 2 + 0.25) / 3)


def test_three_greppable_lines():
    lines = score_lines(_score())
    pattern = r"(overall|market|dataset) +brier (\d\.\d{4})  \(0\.5 everywhere (\d\.\d{4}), naive (\d\.\d{4})\)  n=(\d+)"
    assert [re.fullmatch(pattern, line).group(1) for line in lines] == ["overall", "market", "dataset"]


def test_a_resolution_set_of_another_round_is_refused():
    with pytest.raises(InputError, match="resolution set is for"):
        _score(question_set="2025-11-09-llm.json")


def test_a_run_matching_no_row_is_refused():
    with pytest.raises(InputError, match="no row of the resolution set"):
        _score(resolutions=RESOLUTIONS[-1:])


def test_the_round_table_is_stored_with_fractional_outcomes(tmp_path):
    score = _score()
    table = round_table(score, "mean", ScoringOptions(n_resamples=100))
    with ScoringStore(tmp_path / "db.sqlite") as store:
        store.save_scores(round_evaluation_id(score), table)
        stored = store.scores(round_evaluation_id(score))
    market = next(r for r in stored if r.scope == "forecastbench market" and r.name == "mean")
    assert market.brier == pytest.approx(_scope("market").brier) and market.n == 2
    assert {r.name for r in stored} == {"mean", "constant 0.5", "naive"}
