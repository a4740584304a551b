"""Fixtures for the platforms: a stand-in server per platform, the settings pointing at it, the CLI in-process."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.settings import Settings, load_settings
from tests.feeds.standins import (
    ManifoldStandIn,
    MetaculusStandIn,
    PolymarketStandIn,
    manifold_market,
    metaculus_group,
    metaculus_post,
    polymarket_market,
)

# Waits stay short in tests: no backoff between retries, a Retry-After cut to 2 s.
FAST_RETRIES = {"RETRIES": "2", "RETRY_BACKOFF_S": "0", "MAX_RETRY_AFTER_S": "2", "REQUEST_TIMEOUT_S": "5"}


def point_at(monkeypatch, platform: str, base_url: str) -> None:
    monkeypatch.setenv(f"FORECASTER_FEEDS__{platform.upper()}__BASE_URL", base_url)
    for name, value in FAST_RETRIES.items():
        monkeypatch.setenv(f"FORECASTER_FEEDS__{platform.upper()}__{name}", value)


def metaculus_posts() -> list[dict]:
    """Three open binary questions, a conditional post and a notebook, all in tournament `aib` (`typed_posts`:
    every other type)."""
    conditional = {**metaculus_post(104, 1004), "question": None, "conditional": {"condition": {}, "child": {}}}
    notebook = {**metaculus_post(105, 1005), "question": None, "notebook": {"markdown": "Notes."}}
    return [metaculus_post(101, 1001, cp=0.3), metaculus_post(102, 1002, cp=None), metaculus_post(103, 1003),
            conditional, notebook]


def typed_posts() -> list[dict]:
    """A tournament of every type: binary, multiple choice, numeric (log scale, open above), date (open below),
    discrete, and a group of two numeric questions."""
    return [metaculus_post(201, 2001, cp=0.4), metaculus_post(202, 2002, kind="multiple_choice"),
            metaculus_post(203, 2003, kind="numeric"), metaculus_post(204, 2004, kind="date"),
            metaculus_post(205, 2005, kind="discrete"), metaculus_group(206, [2006, 2007])]


@pytest.fixture
def typed_metaculus(monkeypatch, data_dir) -> Iterator[MetaculusStandIn]:
    with MetaculusStandIn(typed_posts()) as standin:
        point_at(monkeypatch, "metaculus", standin.url + "/api")
        monkeypatch.setenv("FORECASTER_FEEDS__METACULUS__TOKEN", standin.token)
        yield standin


@pytest.fixture
def metaculus(monkeypatch, data_dir) -> Iterator[MetaculusStandIn]:
    with MetaculusStandIn(metaculus_posts()) as standin:
        point_at(monkeypatch, "metaculus", standin.url + "/api")
        monkeypatch.setenv("FORECASTER_FEEDS__METACULUS__TOKEN", standin.token)
        yield standin


@pytest.fixture
def manifold(monkeypatch, data_dir) -> Iterator[ManifoldStandIn]:
    markets = [manifold_market(f"m{i}", probability=0.1 * i) for i in range(1, 5)]
    markets.append(manifold_market("m9", kind="MULTIPLE_CHOICE"))
    with ManifoldStandIn(markets) as standin:
        point_at(monkeypatch, "manifold", standin.url + "/v0")
        yield standin


@pytest.fixture
def polymarket(monkeypatch, data_dir) -> Iterator[PolymarketStandIn]:
    markets = [polymarket_market(str(i), prices=(f"0.{i}5", f"0.{9 - i}5")) for i in range(1, 5)]
    markets.append(polymarket_market("7", outcomes=("Trump", "Harris"), prices=("0.5", "0.5")))
    markets.append(polymarket_market("8", outcomes=("No", "Yes"), prices=("0.8", "0.2")))
    with PolymarketStandIn(markets) as standin:
        point_at(monkeypatch, "polymarket", standin.url)
        yield standin


@pytest.fixture
def feed_settings(data_dir) -> Settings:
    """The settings as the stand-in fixtures left the environment (request the stand-ins first)."""
    return load_settings()


@pytest.fixture
def waits() -> list[float]:
    """Every wait the clients asked for, really waited (tests keep them at a second or two)."""
    return []


@pytest.fixture
def sleep(waits):
    def recorded(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    return recorded


@pytest.fixture
def cli(tmp_path):
    """The real typer app in-process; variables the commands set are restored afterwards."""
    env = {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "TOKENIZERS_PARALLELISM": "false", "VLLM_CPU_OMP_THREADS_BIND": "nobind"}

    def invoke(*args: str):
        return CliRunner().invoke(app, list(args), env=env)

    return invoke
