"""Where the series behind number questions come from, and which model forecasts them: `[series]` of the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from forecaster.settings_feeds import PlatformSettings


class FredSettings(PlatformSettings):
    base_url: str = "https://api.stlouisfed.org/fred"
    # Sent as FRED's `api_key` query parameter; also FORECASTER_SERIES__FRED__API_KEY. Never logged or stored.
    api_key: SecretStr | None = None


class DbnomicsSettings(PlatformSettings):
    base_url: str = "https://api.db.nomics.world/v22"


class YahooSettings(PlatformSettings):
    # The chart endpoint yfinance reads (`/v8/finance/chart/{ticker}`).
    base_url: str = "https://query1.finance.yahoo.com"


class SeriesSettings(BaseModel):
    """The `series` member: a question's own series forecast, its P(higher) read from the quantiles."""

    enabled: bool = True
    # "auto": Chronos-2 when `timeseries.server_url` is set (the /pooling server), else statsforecast's AutoETS;
    # "chronos": Chronos-2 in-process or over /pooling as `[timeseries]` says; "autoets": always AutoETS.
    model: Literal["auto", "autoets", "chronos"] = "auto"
    # AutoETS's trend damped (the robust default for long horizons: an undamped trend fitted on a seasonal
    # series' upswing ran a daily temperature to 74 degrees a year out); false lets AICc pick an undamped one.
    damped_trend: bool = True
    # The member's weight in the plain pools.
    weight: float = Field(1.0, gt=0)
    # P is kept within [clip, 1 - clip]: a quantile forecast says little about its own tails.
    clip: float = Field(0.01, ge=0, lt=0.5)
    # The model reads at most this many steps of history and forecasts at most this many steps ahead; a longer
    # horizon is forecast on a coarser grid (every k days).
    max_history: int = Field(512, ge=8)
    max_steps: int = Field(400, ge=8, le=1024)
    # The user's own series (source "file"): a CSV or Parquet file, or `table` of a SQLite file, in the long
    # format of `forecaster forecast-series` (columns from `[timeseries]`).
    file: Path | None = None
    table: str | None = None
    fred: FredSettings = Field(default_factory=FredSettings)
    dbnomics: DbnomicsSettings = Field(default_factory=DbnomicsSettings)
    yahoo: YahooSettings = Field(default_factory=YahooSettings)
