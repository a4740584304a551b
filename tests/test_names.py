"""Ids become safe file names and artifact keys by one function each; two ids never share one."""

from __future__ import annotations

import datetime as dt

import pytest

from forecaster.events.plots import plot_question
from forecaster.names import artifact_key, file_stem
from tests import images

HOSTILE = ["../../x", "/tmp/x", "..", ".", "a/../../b", "C:\\evil", "q\x00id", " ", "ÿ" * 300]


def test_a_plain_id_keeps_its_name():
    assert file_stem("demo-mars-2027") == "demo-mars-2027"
    assert file_stem("AirPassengers.v2") == "AirPassengers.v2"
    assert artifact_key("plot", "q-mars") == "plot-q-mars"


@pytest.mark.parametrize("identifier", HOSTILE)
def test_a_hostile_id_becomes_a_plain_file_name(identifier):
    stem = file_stem(identifier)
    assert stem and "/" not in stem and "\\" not in stem and ".." not in stem and not stem.startswith(".")
    assert len(stem) <= 100


def test_two_ids_never_share_a_file_name_or_an_artifact_key():
    ids = ["a/b", "a_b", "a b", "a?b", "A-B", "a-b", "../x", "x", *HOSTILE]
    assert len({file_stem(i) for i in ids}) == len(ids)
    assert len({artifact_key("plot", i) for i in ids}) == len(ids)


def test_artifact_keys_hold_only_lowercase_letters_digits_and_dashes():
    for identifier in ["Q_Mars 2027", *HOSTILE]:
        key = artifact_key("plot", identifier)
        assert set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") and len(key) <= 100


def test_a_plot_of_a_question_with_a_path_as_id_stays_in_the_plots_folder(tmp_path):
    plots = tmp_path / "data" / "plots"
    question = {"id": "../../escaped", "text": "Will it escape?", "resolution_date": None}
    row = {"run_id": "r", "as_of": "2026-11-23", "created_at": "2026-11-23T00:00:00", "probability": 0.4,
           "method": "mean"}
    agent = {**row, "agent": "a", "distribution": [1 / 101] * 101}
    path = plot_question(question, [row], [agent], plots)
    assert path.parent == plots and path.is_file()
    assert not (tmp_path / "escaped.png").exists()
    assert images.size(path) == (700, 450)
