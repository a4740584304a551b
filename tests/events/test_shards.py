"""Sharded sets without Prefect: the split, what a lost shard still owes, the merged table read back."""

import datetime as dt

import pytest

from forecaster.errors import InputError
from forecaster.events.questions import Question, question_from_mapping
from forecaster.events.store import ForecastStore
from forecaster.events.sharding import (
    merged_summaries, question_records, remaining, split_into_shards, stored_question_ids,
)
from tests.events.factories import question_result


def questions(n: int) -> list[Question]:
    return [Question(f"q-{i}", f"Will event {i} happen by 2027?") for i in range(n)]


def test_twelve_questions_in_three_shards_are_three_slices_of_four_in_order():
    shards = split_into_shards(questions(12), 3)
    assert [[q.id for q in s.questions] for s in shards] == [
        [f"q-{i}" for i in range(0, 4)], [f"q-{i}" for i in range(4, 8)], [f"q-{i}" for i in range(8, 12)]]


def test_uneven_sets_give_shard_sizes_differing_by_at_most_one_and_every_question_once():
    shards = split_into_shards(questions(10), 3)
    assert [len(s.questions) for s in shards] == [4, 3, 3]
    assert sorted(q.id for s in shards for q in s.questions) == sorted(q.id for q in questions(10))


def test_more_shards_than_questions_gives_one_shard_per_question_and_none_empty():
    assert [len(s.questions) for s in split_into_shards(questions(2), 5)] == [1, 1]


@pytest.mark.parametrize("count", [0, -1])
def test_fewer_than_one_shard_is_refused_naming_the_option(count):
    with pytest.raises(InputError, match=r"--shards: must be at least 1"):
        split_into_shards(questions(3), count)


def test_a_set_with_a_repeated_id_is_refused_since_that_question_would_be_forecast_twice():
    with pytest.raises(InputError, match=r"duplicate id\(s\) \['q-1'\]"):
        split_into_shards([*questions(3), Question("q-1", "Again?")], 2)


def test_question_records_are_read_back_by_the_events_flow_as_the_same_questions():
    original = Question("q-x", "Will X happen?", dt.date(2027, 6, 30), "some background", "criteria",
                        dt.date(2026, 11, 1), "metaculus")
    (record,) = question_records([original])
    assert question_from_mapping(record, "questions[0]") == original


def stored(database, flow_run_id: str, run_id: str, question_ids: list[str]) -> None:
    store = ForecastStore(database)
    store.start_run(run_id, flow_run_id, "mean", ["agent-0", "agent-1"])
    for qid in question_ids:
        store.save_question(run_id, question_result(qid))


def test_stored_questions_are_those_saved_by_the_sets_own_flow_runs_only(tmp_path):
    database = tmp_path / "f.db"
    stored(database, "flow-a", "run-a", ["q-0", "q-1"])
    stored(database, "flow-other", "run-other", ["q-2"])
    assert stored_question_ids(database, ["flow-a", "flow-b"]) == {"q-0", "q-1"}


def test_a_lost_shard_owes_only_its_questions_not_yet_stored(tmp_path):
    database = tmp_path / "f.db"
    (shard,) = split_into_shards(questions(4), 1)
    stored(database, "flow-a", "run-a", ["q-0", "q-2"])
    assert [q.id for q in remaining(shard, stored_question_ids(database, ["flow-a"]))] == ["q-1", "q-3"]


def test_nothing_is_stored_before_the_database_exists(tmp_path):
    assert stored_question_ids(tmp_path / "absent.db", ["flow-a"]) == set()


def test_the_merged_table_has_one_row_per_question_in_the_sets_order_from_every_shard(tmp_path):
    database = tmp_path / "f.db"
    stored(database, "flow-a", "run-a", ["q-1", "q-0"])
    stored(database, "flow-b", "run-b", ["q-2"])
    rows = merged_summaries(database, questions(3), ["flow-a", "flow-b"])
    assert [(r["question_id"], r["run_id"]) for r in rows] == [("q-0", "run-a"), ("q-1", "run-a"), ("q-2", "run-b")]
    assert rows[0]["ensemble"] == pytest.approx(0.3)
    assert rows[0]["agents"] == {"agent-0": pytest.approx(0.2), "agent-1": pytest.approx(0.4)}


def test_a_question_no_shard_stored_is_a_failed_row_of_the_merged_table(tmp_path):
    database = tmp_path / "f.db"
    stored(database, "flow-a", "run-a", ["q-0"])
    rows = merged_summaries(database, questions(2), ["flow-a"])
    assert rows[1]["ensemble"] is None and rows[1]["failures"] == ["not stored by any shard"]


@pytest.mark.slow
def test_prefects_record_of_completed_persist_tasks_names_the_questions_a_run_stored(prefect_server):
    from prefect import flow, task
    from prefect.runtime import flow_run

    from tasks.sharding import persisted_per_prefect

    @task(task_run_name="persist: {question_ids}")
    def persist(question_ids: str) -> None:
        if "q-failed" in question_ids:
            raise RuntimeError("not stored")

    @flow
    def shard() -> str:
        persist("q-0 q-1")
        persist("q-2")
        persist.submit("q-failed q-3").wait()
        return flow_run.get_id()

    assert persisted_per_prefect([shard()]) == {"q-0", "q-1", "q-2"}


def test_a_store_task_runs_name_lists_every_question_it_stores_and_is_read_back_as_those_ids():
    from tasks.events import _persist_name, persisted_ids

    results = [question_result(qid) for qid in ("q-0", "FB.acled-1", "m_2")]
    assert persisted_ids(_persist_name({"results": results})) == {"q-0", "FB.acled-1", "m_2"}
    assert persisted_ids("plot: q-0 +2") == set()
