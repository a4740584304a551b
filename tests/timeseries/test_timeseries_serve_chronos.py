"""`forecaster serve-chronos`: the plugin's serve command and environment, printed by --dry-run."""

from __future__ import annotations

from typer.testing import CliRunner

from forecaster.cli import app


def test_serve_chronos_dry_run_prints_the_required_flags_and_env():
    result = CliRunner().invoke(app, ["serve-chronos", "some/model", "--port", "8123", "--dry-run"])
    assert result.exit_code == 0, result.output
    for flag in ("-m vllm.entrypoints.openai.api_server", "--io-processor-plugin chronos2", "--runner pooling",
                 "--enforce-eager", "--no-enable-prefix-caching", "--skip-tokenizer-init", "--enable-mm-embeds",
                 "--dtype float32", "--max-model-len 8192", "--port 8123", "--model some/model"):
        assert flag in result.output
    assert "VLLM_USE_V2_MODEL_RUNNER=0" in result.output
    assert "VLLM_CPU_OMP_THREADS_BIND=" in result.output
