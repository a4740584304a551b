"""The series sources' stand-ins, each with a few series, and the settings pointing at them."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest

from forecaster.settings import Settings, load_settings
from tests.series.standins import DbnomicsStandIn, FredStandIn, YahooStandIn, series_settings_env, weekday_points

DUE = dt.date(2026, 3, 2)  # a Monday
START = dt.date(2025, 12, 1)


def rising(n: int, missing: tuple[int, ...] = ()) -> list[float | None]:
    return [None if i in missing else 100.0 + i for i in range(n)]


@pytest.fixture
def fred() -> Iterator[FredStandIn]:
    # Business days through the due date and after it: the as-of cut must drop the later ones.
    with FredStandIn({"DAAA": weekday_points(START, rising(80, missing=(3,)))}) as standin:
        yield standin


@pytest.fixture
def dbnomics() -> Iterator[DbnomicsStandIn]:
    days = {START + dt.timedelta(days=i): v for i, v in enumerate(rising(120, missing=(5, 6)))}
    with DbnomicsStandIn({"meteofrance/TEMPERATURE/celsius.07621.D": days}) as standin:
        yield standin


@pytest.fixture
def yahoo() -> Iterator[YahooStandIn]:
    with YahooStandIn({"^GSPC": weekday_points(START, rising(80, missing=(10,)))}) as standin:
        yield standin


@pytest.fixture
def series_settings(monkeypatch, data_dir, fred, dbnomics, yahoo) -> Settings:
    for name, value in series_settings_env(fred.url, dbnomics.url, yahoo.url).items():
        monkeypatch.setenv(name, value)
    return load_settings()
