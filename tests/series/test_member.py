"""The `series` member: recognised on ForecastBench dataset questions, its probability read from its quantiles,
stored like an agent's forecast (quantiles beside it), shown by `history`, plotted, and weighed when combined."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.events.crowd import pooled
from forecaster.events.ensemble import LEARNED
from forecaster.events.plots import plot_question
from forecaster.events.questions import Question, question_from_mapping
from forecaster.events.series_member import series_member
from forecaster.events.store import ForecastStore, QuestionResult
from forecaster.errors import InputError
from forecaster.feeds.forecastbench_questions import question_set_questions
from forecaster.learning.backtest import AGENTS_MEAN, forecasts_for
from forecaster.learning.combiner import fit_combiner
from forecaster.learning.evaluation_report import reference_forecasts
from forecaster.learning.rows import LearningRow
from forecaster.names import SERIES
from forecaster.series.cache import SeriesCache
from forecaster.series.member import SeriesFailure, SeriesForecast, question_inputs, series_forecasts
from forecaster.series.plots import plot_series_member
from forecaster.series.probability import probability_above, probability_above_unknown
from forecaster.series.ref import SeriesRef
from forecaster.series.store import MemberStore
from forecaster.settings import EnsembleSettings
from tests.series.conftest import DUE
from tests.series.fb_set import write_set


@pytest.fixture
def fb_questions(tmp_path, series_settings) -> list[Question]:
    return [q for _, q in question_set_questions(write_set(tmp_path), series_settings.questions)]


@pytest.fixture
def outcomes(fb_questions, series_settings) -> dict:
    with SeriesCache(series_settings.database_path) as cache:
        return series_forecasts(question_inputs(fb_questions, {q.id: DUE for q in fb_questions}), series_settings,
                                cache)


def test_forecastbench_dataset_questions_name_their_series(fb_questions):
    named = {(q.source, q.series.id if q.series else None) for q in fb_questions}
    assert named == {("fred", "DAAA"), ("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D"),
                     ("yfinance", "^GSPC"), ("acled", None), ("manifold", None)}


def test_every_served_series_question_gets_a_member_read_from_its_quantiles(outcomes, fb_questions):
    assert len(outcomes) == 6  # three series at two resolution dates; ACLED and the market have none
    for f in outcomes.values():
        assert isinstance(f, SeriesForecast)
        assert f.probability == (probability_above(f.quantiles, f.levels, f.reference, 0.01) if f.reference_known
                                 else probability_above_unknown(f.quantiles, f.reference_quantiles, f.levels, 0.01))


def test_a_rising_series_is_more_likely_higher_later(outcomes):
    fred = sorted((f.resolution_date, f.probability) for f in outcomes.values() if f.ref.source == "fred")
    assert fred[0][1] > 0.5 and fred[1][1] >= fred[0][1]


def test_one_fetch_per_series_and_due_date(outcomes, fred, dbnomics):
    assert len(dbnomics.requests) == 1 and len(fred.requests) == 1


def test_a_source_that_fails_fails_only_its_questions_member(fb_questions, series_settings, fred, monkeypatch):
    fred.fail("GET", "/fred/series/observations", 400, '{"error_code": 400, "error_message": "api_key bad"}')
    with SeriesCache(series_settings.database_path) as cache:
        out = series_forecasts(question_inputs(fb_questions, {q.id: DUE for q in fb_questions}), series_settings,
                               cache)
    failed = {qid for qid, o in out.items() if isinstance(o, SeriesFailure)}
    assert failed == {q.id for q in fb_questions if q.source == "fred"}
    member = series_member(out[min(failed)], 1.0)
    assert member.agent == SERIES and "api_key was refused" in member.reason


def test_the_member_is_stored_with_its_quantiles_and_shown_by_history(outcomes, fb_questions, series_settings):
    f = next(o for o in outcomes.values() if o.ref.source == "yfinance")
    q = next(q for q in fb_questions if q.id == f.question_id)
    member = series_member(f, 1.0)
    with ForecastStore(series_settings.database_path) as store, MemberStore(series_settings.database_path) as mine:
        store.start_run("r1", None, "mean", ["series"])
        store.save_question("r1", QuestionResult(q, DUE, (member,), pooled(q, DUE, [member], EnsembleSettings(),
                                                                             "mean")))
        mine.save("r1", f)
        mine.save("r1", f)  # a retried write replaces
        stored = store.agent_history(q.id)
        rows = mine.history(q.id)
    assert [(a["agent"], a["probability"]) for a in stored] == [(SERIES, f.probability)]
    assert len(rows) == 1 and rows[0]["quantiles"] == list(f.quantiles) and rows[0]["reference"] == f.reference
    shown = CliRunner().invoke(app, ["history", q.id])
    assert shown.exit_code == 0 and "series" in shown.output and "quantiles" in shown.output


def test_the_member_is_plotted_with_history_fan_and_reference(outcomes, series_settings, tmp_path):
    f = next(iter(outcomes.values()))
    with MemberStore(series_settings.database_path) as mine:
        mine.save("r1", f)
        row = mine.latest(f.question_id)
    path = plot_series_member(row, tmp_path)
    assert path.name.endswith("-series.png") and path.stat().st_size > 10_000
    assert row["fan"]["days"] and row["history"]["dates"]


def rows(n: int = 60) -> list[LearningRow]:
    """Resolved dataset rows where the series member knows the answer and the agent does not."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        outcome = float(i % 2)
        out.append(LearningRow("r", dt.date(2026, 1, 1) + dt.timedelta(days=14 * (i // 20)), f"q{i}", "fred", 30,
                               outcome, dt.date(2026, 1, 1), None,
                               {"agent-a": float(rng.uniform(0.3, 0.7)), SERIES: 0.8 if outcome else 0.2}))
    return out


def test_the_learned_combiner_weighs_the_series_member():
    combiner = fit_combiner(rows())
    assert combiner.weights[SERIES] > 0.5 and combiner.agents == ["agent-a"]
    high = combiner.combine("fred", 30, None, {"agent-a": 0.5, SERIES: 0.8}).probability
    low = combiner.combine("fred", 30, None, {"agent-a": 0.5, SERIES: 0.2}).probability
    assert high > 0.6 > 0.4 > low


def test_a_learned_file_without_the_member_ignores_it_instead_of_falling_back():
    plain = [LearningRow(r.round, r.due_date, r.question_id, r.source, r.horizon_days, r.outcome, r.resolved_on,
                         None, {"agent-a": r.agents["agent-a"]}) for r in rows()]
    combined = fit_combiner(plain).combine("fred", 30, None, {"agent-a": 0.5, SERIES: 0.9})
    assert combined.probability is not None and combined.note is None


def test_the_learned_pool_of_a_question_passes_the_member_to_the_combiner(outcomes, fb_questions):
    f = next(iter(outcomes.values()))
    q = next(q for q in fb_questions if q.id == f.question_id)
    agent = series_member(f, 1.0)
    agent_a = type(agent)(q.id, "agent-a", "m", "plain", 1.0, agent.distribution, 0.5, 50, 50, 1.0, 1.0, False, "")
    combiner = fit_combiner(rows())
    result = pooled(q, DUE, [agent_a, agent], EnsembleSettings(), LEARNED, combiner)
    assert result.method == LEARNED and result.probability == combiner.combine(
        "fred", (q.resolution_date - DUE).days, None, {"agent-a": 0.5, SERIES: f.probability}).probability


def test_the_agents_mean_baseline_leaves_the_series_member_out():
    data = rows(4)
    expected = [r.agents["agent-a"] for r in data]
    assert list(reference_forecasts(data, {}, None)[AGENTS_MEAN]) == expected
    assert list(forecasts_for(data, fit_combiner(rows()))[AGENTS_MEAN]) == expected


def test_a_question_record_takes_a_series_and_gives_it_back():
    q = question_from_mapping({"question": "Will X rise?", "series": {"source": "fred", "id": "DAAA",
                                                                      "threshold": 5}}, "here")
    assert q.series == SeriesRef("fred", "DAAA", 5.0)
    assert question_from_mapping(q.to_record(), "again") == q


@pytest.mark.parametrize("series, message", [
    ({"source": "quandl", "id": "X"}, "field 'series.source' must be one of fred, dbnomics, yfinance, file"),
    ({"source": "fred", "id": "a/b"}, "field 'series.id' must be"),
    ({"source": "fred", "id": "X", "threshold": "high"}, "field 'series.threshold' must be a finite number"),
    ({"source": "fred", "id": "X", "when": 1}, "field 'series' has unknown key"),
    ("fred:X", "field 'series' must be a mapping"),
])
def test_a_bad_series_is_refused_at_the_door_naming_the_field(series, message):
    with pytest.raises(InputError, match=message):
        question_from_mapping({"question": "Will X rise?", "series": series}, "file.yaml:3")


def test_the_question_plot_shows_the_member_beside_the_agents(outcomes, fb_questions, series_settings, tmp_path):
    f = next(iter(outcomes.values()))
    row = {"agent": SERIES, "probability": f.probability, "created_at": "2026-03-02T00:00:00",
           "distribution": list(series_member(f, 1.0).distribution)}
    path = plot_question({"id": f.question_id, "text": "Will it rise?"}, [], [row], tmp_path)
    assert path.stat().st_size > 10_000


def test_a_learned_file_weighing_the_member_is_accepted_for_the_configured_agents(tmp_path):
    from forecaster.learning.learned_file import load_for_agents, write_combiner

    path = write_combiner(fit_combiner(rows()), tmp_path / "learned.json")
    assert load_for_agents(path, ["agent-a"]).weights[SERIES] > 0


def test_no_agent_may_take_the_members_name(series_settings):
    from forecaster.config_checks import settings_problems

    spec = series_settings.agents[0].model_copy(update={"name": SERIES})
    problems = settings_problems(series_settings.model_copy(update={"agents": [spec]}))
    assert any("'series' is the series member's name" in p for p in problems)
