"""Configuration: one settings object, env overrides, validation messages, secrets kept secret."""

import logging

import pytest
from pydantic import ValidationError

from forecaster.config_checks import settings_problems
from forecaster.logging_setup import RedactSecrets, secret_values
from forecaster.settings import load_settings


def problems(**overrides):
    return settings_problems(load_settings(**overrides), gpu_count=0)  # this CPU machine


def test_default_config_is_valid_here():
    assert problems() == []


def test_environment_overrides_nested_settings(monkeypatch):
    monkeypatch.setenv("FORECASTER_VLLM__MAX_MODEL_LEN", "2048")
    assert load_settings().vllm.max_model_len == 2048


def test_extra_toml_file_overrides_the_default(tmp_path):
    extra = tmp_path / "gpu.toml"
    extra.write_text('[ensemble]\nmethod = "median"\n')
    assert load_settings(extra).ensemble.method == "median"


def test_log_dir_and_log_file_env_are_honoured(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_DIR", str(tmp_path))
    assert load_settings().log_file == tmp_path / "forecaster.log"
    monkeypatch.setenv("LOG_FILE", str(tmp_path / "x.log"))
    assert load_settings().log_file == tmp_path / "x.log"


def test_parallelism_beyond_visible_devices_is_rejected():
    (msg,) = problems(vllm={"tensor_parallel_size": 2, "pipeline_parallel_size": 2})
    assert msg.startswith("vllm.tensor_parallel_size x vllm.pipeline_parallel_size: 2 x 2 = 4 must not exceed")


def test_ray_backend_without_ray_is_rejected():
    assert any(m.startswith("vllm.distributed_executor_backend: 'ray' needs the ray package")
               for m in problems(vllm={"distributed_executor_backend": "ray"}))


def test_loader_concurrency_out_of_range_is_rejected():
    (msg,) = problems(vllm={"model_loader_extra_config": {"concurrency": 0}})
    assert msg == "vllm.model_loader_extra_config.concurrency: must be an integer from 1 to 256, got 0"


def test_s3_model_without_the_streamer_load_format_is_rejected():
    (msg,) = problems(models={"big": "s3://bucket/llama"})
    assert msg == "models.big.path: an s3:// URI needs vllm.load_format = 'runai_streamer'"


def test_logprob_cache_smaller_than_101_is_rejected():
    (msg,) = problems(logprob_cache_size=100)
    assert msg.startswith("logprob_cache_size: must be >= 101")


def test_unknown_model_key_is_rejected():
    msgs = problems(agents=[{"name": "a", "model": "llama-70b"}])
    assert msgs == ["agents[0].model: unknown model key 'llama-70b'; configured models: ['smollm2-135m']"]


def test_unknown_style_is_rejected():
    assert problems(agents=[{"name": "a", "model": "smollm2-135m", "style": "oracle"}])[0].startswith(
        "agents[0].style: unknown style 'oracle'")


def test_type_errors_name_the_setting(monkeypatch):
    monkeypatch.setenv("FORECASTER_VLLM__GPU_MEMORY_UTILIZATION", "1.5")
    with pytest.raises(ValidationError, match="vllm.gpu_memory_utilization"):
        load_settings()


def test_secrets_never_show_in_repr_or_dump(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_supersecret123")
    settings = load_settings()
    assert settings.hf_token.get_secret_value() == "hf_supersecret123"
    assert "hf_supersecret123" not in repr(settings)
    assert "hf_supersecret123" not in settings.model_dump_json()


def test_log_records_have_secret_values_blanked(monkeypatch, caplog):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-abc-987")
    logger = logging.getLogger("forecaster.test")
    logger.addFilter(RedactSecrets(secret_values(load_settings())))
    with caplog.at_level(logging.INFO):
        logger.info("connecting with %s", "aws-abc-987")
    assert "aws-abc-987" not in caplog.text and "**********" in caplog.text


def test_gpu_example_config_is_valid_on_an_eight_gpu_node():
    from forecaster.settings import PROJECT_ROOT

    settings = load_settings(PROJECT_ROOT / "config" / "gpu.example.toml")
    assert settings.models["llama-70b"].is_s3
    assert settings_problems(settings, gpu_count=8) == []
    assert any("must not exceed the 1 visible" in p for p in settings_problems(settings, gpu_count=1))


def test_cpu_block_size_must_be_a_multiple_of_32():
    (msg,) = problems(vllm={"block_size": 16})
    assert msg == "vllm.block_size: must be a multiple of 32 on CPU, got 16"


def test_parallelism_is_the_servers_business_when_every_model_is_served_over_http():
    served = {"server": {"model": "smollm2-135m"}, "vllm": {"tensor_parallel_size": 8}}
    assert problems(**served) == []
    assert problems(vllm={"tensor_parallel_size": 8}) != []
