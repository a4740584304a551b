"""The scores table: agents, ensemble methods and baselines on every scope, with intervals."""

from datetime import date

import pytest

from forecaster.errors import InputError
from forecaster.scoring.scores import ForecastRow, ScoringOptions, render_table, score_table

D = date(2024, 7, 28)
QUESTIONS = [  # id, source, outcome
    ("q1", "manifold", 1),
    ("q2", "manifold", 0),
    ("q3", "fred", 1),
    ("q4", "fred", 0),
]
MARKET = {"q1": 0.9, "q2": 0.2}
FAST = ScoringOptions(n_resamples=200)


def rows(agent_probabilities: dict[str, float], name: str = "sceptic", kind: str = "agent") -> list[ForecastRow]:
    return [ForecastRow(q, s, name, agent_probabilities[q], y, D, kind) for q, s, y in QUESTIONS]


def cell(table, scope, name):
    (row,) = [r for r in table if r.scope == scope and r.name == name]
    return row


def test_table_scores_agents_methods_and_baselines_on_all_questions():
    forecasts = rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}) + rows(
        {"q1": 1.0, "q2": 0.0, "q3": 1.0, "q4": 0.0}, name="mean", kind="ensemble"
    )
    table = score_table(forecasts, MARKET, FAST)
    # (0.04 + 0.09 + 0.16 + 0.25) / 4 = 0.135
    assert cell(table, "all", "sceptic").brier == pytest.approx(0.135)
    assert cell(table, "all", "mean").brier == 0.0
    assert cell(table, "all", "constant 0.5").brier == 0.25
    assert cell(table, "all", "base rate").n == 4


def test_market_is_scored_only_where_it_has_a_probability_and_has_its_own_scope():
    table = score_table(rows({"q1": 0.5, "q2": 0.5, "q3": 0.5, "q4": 0.5}), MARKET, FAST)
    market = cell(table, "all", "market")
    assert market.n == 2
    # (0.1² + 0.2²) / 2 = 0.025
    assert market.brier == pytest.approx(0.025)
    assert cell(table, "with market", "sceptic").n == 2
    assert not [r for r in table if r.scope == "source=fred" and r.name == "market"]


def test_each_source_gets_its_own_scope():
    table = score_table(rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}), None, FAST)
    # manifold: (0.04 + 0.09)/2; fred: (0.16 + 0.25)/2
    assert cell(table, "source=manifold", "sceptic").brier == pytest.approx(0.065)
    assert cell(table, "source=fred", "sceptic").brier == pytest.approx(0.205)


def test_intervals_bracket_the_scores():
    table = score_table(rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}), MARKET, FAST)
    for row in table:
        assert row.brier_ci.low <= row.brier <= row.brier_ci.high
        assert row.log_ci.low <= row.log <= row.log_ci.high


def test_questions_must_agree_on_their_outcome():
    bad = rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5})
    bad.append(ForecastRow("q1", "manifold", "other", 0.4, 0, D))
    with pytest.raises(InputError, match="forecast row 4 .*'q1'.*differ from an earlier row"):
        score_table(bad, None, FAST)


def test_a_probability_outside_the_unit_interval_is_named():
    with pytest.raises(InputError, match="forecast row 0 .*field 'probability' must lie in"):
        score_table([ForecastRow("q1", "manifold", "a", 1.5, 1, D)], None, FAST)


def test_baseline_names_are_reserved():
    with pytest.raises(InputError, match="'market' is reserved"):
        score_table(rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}, name="market"), MARKET, FAST)


def test_rendered_table_shows_every_scope_and_forecaster():
    table = score_table(rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}), MARKET, FAST)
    text = render_table(table)
    for heading in ("[all]", "[source=fred]", "[source=manifold]", "[with market]"):
        assert heading in text
    assert "sceptic" in text and "0.135" in text and "market" in text


def test_records_are_flat_for_storage():
    record = score_table(rows({"q1": 0.8, "q2": 0.3, "q3": 0.6, "q4": 0.5}), None, FAST)[0].as_record()
    assert {"brier_ci_low", "brier_ci_high", "log_ci_low", "log_ci_high"} <= record.keys()
    assert all(not isinstance(v, (dict, list)) for v in record.values())
