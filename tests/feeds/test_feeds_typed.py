"""Every Metaculus question type against the stand-in: pulled with its fields (a group as its questions), each
type's body accepted by the stand-in's copy of the server's rules, a body that breaks one never sent, typed
outcomes read back and scored."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.feeds.clients import pull
from forecaster.feeds.store import FeedStore
from forecaster.question_files import load_questions
from forecaster.scoring.typed_outcomes import TypedOutcomes
from tests.feeds.stored import store_typed_run

LOW_END, SPREAD = [0.9] * 8, [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95]
READS = {"metaculus-2002": [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]], "metaculus-2003": [SPREAD, LOW_END],
         "metaculus-2004": [SPREAD, [0.0] * 8], "metaculus-2005": [SPREAD, SPREAD],
         "metaculus-2006": [SPREAD, LOW_END], "metaculus-2007": [[1.0] * 8, [0.0] * 8]}


@pytest.fixture
def pulled(typed_metaculus, feed_settings):
    return {q.id: q for q in pull(feed_settings, "metaculus", "aib").questions}


@pytest.fixture
def typed_db(pulled, data_dir):
    db = data_dir / "forecaster.db"
    store_typed_run(db, "run-t", [q for q in pulled.values() if q.type != "binary"], READS)
    return db


def test_every_type_is_pulled_and_a_group_gives_each_of_its_questions(pulled):
    assert {qid: q.type for qid, q in pulled.items()} == {
        "metaculus-2001": "binary", "metaculus-2002": "multiple_choice", "metaculus-2003": "numeric",
        "metaculus-2004": "date", "metaculus-2005": "discrete", "metaculus-2006": "numeric",
        "metaculus-2007": "numeric"}
    assert pulled["metaculus-2006"].text == "Group 206: part 2006" and pulled["metaculus-2006"].post_id == "206"


def test_pulled_questions_carry_their_options_range_scale_and_bounds(pulled):
    mc, numeric, date, discrete = (pulled[f"metaculus-{i}"] for i in (2002, 2003, 2004, 2005))
    assert mc.options == ("Red", "Blue", "Green") and mc.market_probability is None
    assert (numeric.range_min, numeric.range_max, numeric.zero_point, numeric.open_upper_bound, numeric.unit) == (
        1.0, 1000.0, 0.0, True, "launches")
    assert date.range_min == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc).timestamp() and date.open_lower_bound
    assert discrete.outcome_count == 11


def test_the_pulled_file_of_every_type_loads_as_it_was_pulled(typed_metaculus, cli, tmp_path):
    out = tmp_path / "aib.jsonl"
    assert cli("pull", "metaculus", "--tournament", "aib", "--out", str(out)).exit_code == 0
    assert [q.type for q in load_questions(out)] == ["binary", "multiple_choice", "numeric", "date", "discrete",
                                                    "numeric", "numeric"]


def test_each_types_body_is_accepted_by_the_servers_rules(typed_metaculus, typed_db, cli):
    result = cli("submit", "metaculus", "--run", "run-t")
    assert result.exit_code == 0, result.output
    assert sorted(typed_metaculus.forecasts) == [2002, 2003, 2004, 2005, 2006, 2007]
    per_category = typed_metaculus.forecasts[2002][0]
    assert list(per_category) == ["Red", "Blue", "Green"] and sum(per_category.values()) == pytest.approx(1)
    assert len(typed_metaculus.forecasts[2005][0]) == 12 and len(typed_metaculus.forecasts[2003][0]) == 201


def test_a_body_that_breaks_a_rule_is_recorded_refused_and_never_sent(typed_metaculus, typed_db, cli):
    with FeedStore(typed_db) as feeds:
        feeds.db.execute('UPDATE typed_forecasts SET "values" = \'[0.5, 0.5]\' WHERE question_id = ?'
                         " AND member = 'ensemble'", ["metaculus-2003"])
        feeds.db.conn.commit()
    result = cli("submit", "metaculus", "--run", "run-t")
    assert result.exit_code == 1
    assert 2003 not in typed_metaculus.forecasts
    assert "metaculus-2003: forecast not submitted: breaks the server's rules: continuous_cdf must hold 201" \
        in result.output


def test_typed_outcomes_are_read_back_and_scored(typed_metaculus, typed_db, cli):
    typed_metaculus.resolve(202, "Blue")
    typed_metaculus.resolve(203, "above_upper_bound")
    typed_metaculus.resolve(206, "12.5", question_id=2006)
    assert cli("resolve", "--from", "metaculus").exit_code == 0
    with TypedOutcomes(typed_db) as outcomes:
        assert {q: r.outcome for q, r in outcomes.all().items()} == {
            "metaculus-2002": "Blue", "metaculus-2003": "above_upper_bound", "metaculus-2006": "12.5"}
    result = cli("score-types", "--run", "run-t")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("metaculus-2002") and "ensemble" in line]
    assert len(lines) == 1 and "brier" in lines[0]


def test_resolve_takes_an_option_and_refuses_one_the_question_lacks(typed_db, cli):
    refused = cli("resolve", "metaculus-2002", "Purple")
    assert refused.exit_code == 2 and "must be one of its options ['Red', 'Blue', 'Green']" in refused.output
    assert cli("resolve", "metaculus-2004", "2027-05-01", "--date", "2027-05-02").exit_code == 0
    with TypedOutcomes(typed_db) as outcomes:
        assert {q: r.outcome for q, r in outcomes.all().items()} == {"metaculus-2004": "2027-05-01"}


def test_history_shows_each_members_options_and_cdf_summary(typed_db, cli):
    choice = cli("history", "metaculus-2002")
    assert choice.exit_code == 0, choice.output
    assert "ensemble             A) Red 0.4" in choice.output and "agent-1              B) Blue 0.5" in choice.output
    numeric = cli("history", "metaculus-2003")
    assert "ensemble             median " in numeric.output and "launches (80%: " in numeric.output


@pytest.mark.parametrize("question_id", ["metaculus-2002", "metaculus-2004"])
def test_a_typed_question_is_plotted(typed_db, pulled, tmp_path, question_id):
    from forecaster.events.store import ForecastStore
    from forecaster.events.typed.plots import plot_typed
    from forecaster.events.typed_store import typed_history

    with ForecastStore(typed_db) as store:
        path = plot_typed(pulled[question_id], typed_history(store.db, question_id), tmp_path)
    assert path.stat().st_size > 10_000


def test_a_comment_states_the_typed_forecast(typed_metaculus, typed_db, cli):
    assert cli("submit", "metaculus", "--run", "run-t", "--comment").exit_code == 0
    texts = {c["on_post"]: c["text"] for c in typed_metaculus.comments}
    assert texts[202].startswith("Forecast A) Red 0.4") and "launches (80%: " in texts[203]
