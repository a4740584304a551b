"""The ensemble's members and how they are pooled: parts of the one settings object (`forecaster.settings`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

PLAIN_METHODS = Literal["mean", "median", "trimmed_mean", "geo_mean_odds", "extremized_logodds"]


class AgentSpec(BaseModel):
    """One ensemble member: a model plus a prompting style."""

    name: str
    model: str
    style: str = "plain"
    weight: float = Field(1.0, gt=0)
    # Whether the question's crowd forecast (market_probability) is put in this agent's prompt.
    sees_crowd: bool = False


class EnsembleSettings(BaseModel):
    """How the members' forecasts are pooled: a plain method, or the one `forecaster calibrate` learned."""

    method: Literal[PLAIN_METHODS, "learned"] = "mean"
    trim_fraction: float = Field(0.1, ge=0, lt=0.5)
    extremize_factor: float = Field(1.5, gt=0)
    # The crowd member's weight in the plain pools (a question with a market_probability has one).
    crowd_weight: float = Field(1.0, gt=0)
    # method = "learned": the file `forecaster calibrate` wrote, and the plain method where it does not apply.
    learned_file: Path | None = None
    fallback_method: PLAIN_METHODS = "mean"
