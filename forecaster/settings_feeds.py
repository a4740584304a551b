"""Where the question platforms are and how patiently they are asked: `[feeds.*]` of the settings."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class PlatformSettings(BaseModel):
    """What every platform shares: its API's base URL and how requests to it are retried."""

    base_url: str
    request_timeout_s: float = Field(30.0, gt=0)
    # 5xx answers, timeouts and refused connections are retried this many times, waits doubling from the backoff.
    retries: int = Field(3, ge=0)
    retry_backoff_s: float = Field(1.0, ge=0)
    # A 429's Retry-After is waited for up to this long (a longer one is cut to it).
    max_retry_after_s: float = Field(60.0, ge=0)


class MetaculusSettings(PlatformSettings):
    base_url: str = "https://www.metaculus.com/api"
    # Sent as `Authorization: Token ...`; also FORECASTER_FEEDS__METACULUS__TOKEN. Never logged or stored.
    token: SecretStr | None = None


class ManifoldSettings(PlatformSettings):
    base_url: str = "https://api.manifold.markets/v0"


class PolymarketSettings(PlatformSettings):
    base_url: str = "https://gamma-api.polymarket.com"


class FeedsSettings(BaseModel):
    """The platforms questions are pulled from and forecasts posted to."""

    metaculus: MetaculusSettings = Field(default_factory=MetaculusSettings)
    manifold: ManifoldSettings = Field(default_factory=ManifoldSettings)
    polymarket: PolymarketSettings = Field(default_factory=PolymarketSettings)
