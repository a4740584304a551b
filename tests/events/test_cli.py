"""The command line: clear one-line errors, nothing written on bad input."""

from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def test_bad_questions_file_names_file_line_and_field_and_writes_nothing(data_dir):
    bad = data_dir / "questions.jsonl"
    bad.write_text('{"question": "Fine?"}\n{"question": ""}\n')
    result = runner.invoke(app, ["forecast", "--questions", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: field 'question' is required" in result.output
    assert not (data_dir / "forecaster.db").exists()


def test_invalid_setting_stops_with_the_setting_named(data_dir, monkeypatch):
    monkeypatch.setenv("FORECASTER_LOGPROB_CACHE_SIZE", "50")
    result = runner.invoke(app, ["validate-config"])
    assert result.exit_code == 2
    assert "logprob_cache_size: must be >= 101" in result.output


def test_wrongly_typed_setting_names_its_path(data_dir, monkeypatch):
    monkeypatch.setenv("FORECASTER_VLLM__TENSOR_PARALLEL_SIZE", "zero")
    result = runner.invoke(app, ["validate-config"])
    assert result.exit_code == 2
    assert "vllm.tensor_parallel_size:" in result.output


def test_valid_config_is_reported_ok(data_dir):
    result = runner.invoke(app, ["validate-config"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


def test_history_of_an_unknown_question_is_a_clear_error(data_dir):
    result = runner.invoke(app, ["history", "q-nope"])
    assert result.exit_code == 2
    assert "question 'q-nope' not found" in result.output


def test_options_that_repeat_are_refused_before_anything_runs(data_dir):
    result = runner.invoke(app, ["forecast", "Which colour wins?", "--options", "Red,Red"])
    assert result.exit_code == 2
    assert "questions[0]: question 'Which colour wins?' field 'options' must be a list of 2 to 26" in result.output
    assert not (data_dir / "forecaster.db").exists()
