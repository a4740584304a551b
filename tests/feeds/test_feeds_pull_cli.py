"""`forecaster pull ...`: the questions file it writes loads as the project's own, whole or not at all."""

from __future__ import annotations

import json

import yaml

from forecaster.question_files import load_questions


def test_pull_metaculus_writes_a_questions_file_that_loads(metaculus, cli, tmp_path):
    out = tmp_path / "aib.jsonl"
    result = cli("pull", "metaculus", "--tournament", "aib", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "metaculus: wrote 3 question(s)" in result.output
    assert "skipped 2 question(s)" in result.output
    loaded = load_questions(out)
    assert [(q.id, q.external_id, q.post_id) for q in loaded] == [
        ("metaculus-1001", "1001", "101"), ("metaculus-1002", "1002", "102"), ("metaculus-1003", "1003", "103")]
    assert loaded[0].market_probability == 0.3


def test_pull_manifold_writes_yaml_with_the_market_price(manifold, cli, tmp_path):
    out = tmp_path / "markets.yaml"
    result = cli("pull", "manifold", "--limit", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    records = yaml.safe_load(out.read_text())["questions"]
    assert [(r["id"], r["market_probability"]) for r in records] == [("manifold-m1", 0.1), ("manifold-m2", 0.2)]
    assert len(load_questions(out)) == 2


def test_pull_polymarket_writes_jsonl(polymarket, cli, tmp_path):
    out = tmp_path / "poly.jsonl"
    result = cli("pull", "polymarket", "--limit", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["external_id"] for line in out.read_text().splitlines()] == ["1", "2", "3"]


def test_a_failed_pull_leaves_the_earlier_file_untouched_and_no_temporary_file(metaculus, cli, tmp_path):
    out = tmp_path / "aib.jsonl"
    out.write_text('{"question": "Earlier?"}\n')
    metaculus.page_cap = 1
    metaculus.fail("GET", "/api/posts/", 200, "not json")
    result = cli("pull", "metaculus", "--tournament", "aib", "--out", str(out))
    assert result.exit_code == 2
    assert "error: metaculus: the answer to GET /api/posts/ is not JSON" in result.output
    assert "Traceback" not in result.output
    assert out.read_text() == '{"question": "Earlier?"}\n'
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_out_file_of_the_wrong_kind_is_refused_before_any_request(metaculus, cli, tmp_path):
    result = cli("pull", "metaculus", "--tournament", "aib", "--out", str(tmp_path / "q.csv"))
    assert result.exit_code == 2
    assert "--out" in result.output and ".jsonl, .yaml or .yml" in result.output
    assert metaculus.requests == []


def test_a_refused_token_is_one_line_and_writes_nothing(metaculus, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FORECASTER_FEEDS__METACULUS__TOKEN", "wrong")
    out = tmp_path / "aib.jsonl"
    result = cli("pull", "metaculus", "--tournament", "aib", "--out", str(out))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: metaculus: the token was refused (HTTP 401 on GET /api/posts/); check feeds.metaculus.token"]
    assert not out.exists()


def test_long_text_is_cut_to_the_door_caps_so_the_file_loads(metaculus, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FORECASTER_QUESTIONS__MAX_BACKGROUND_CHARS", "100")
    metaculus.posts[101]["question"]["description"] = "x" * 500
    out = tmp_path / "aib.jsonl"
    assert cli("pull", "metaculus", "--tournament", "aib", "--out", str(out)).exit_code == 0
    first = json.loads(out.read_text().splitlines()[0])
    assert len(first["background"]) == 100 and first["background"].endswith("[...]")
