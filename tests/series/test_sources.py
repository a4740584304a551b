"""Each source against its stand-in: its shape, its missing-value marker, paging, refusals, 429s, the cut."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from forecaster.series.http import SourceError, SourceRefused
from forecaster.series.ref import SeriesRef
from forecaster.series.sources import cached_fetch, fetch
from forecaster.series.cache import SeriesCache
from tests.series.conftest import DUE

NO_WAIT = lambda s: None  # noqa: E731


def test_fred_reads_values_as_numbers_and_drops_the_dot(series_settings, fred):
    obs = fetch(SeriesRef("fred", "DAAA"), DUE, series_settings)
    assert obs.values[:3] == (100.0, 101.0, 102.0) and 103.0 not in obs.values  # the 4th value was "."


def test_fred_sends_the_vintage_of_the_day_before_the_due_date(series_settings, fred):
    fetch(SeriesRef("fred", "DAAA"), DUE, series_settings)
    query = fred.seen("GET", "/fred/series/observations")[0].query
    assert query["realtime_start"] == query["realtime_end"] == query["observation_end"] == "2026-03-01"


def test_fred_pages_through_count_and_offset(series_settings, fred):
    fred.page_cap = 7
    obs = fetch(SeriesRef("fred", "DAAA"), DUE, series_settings)
    pages = fred.seen("GET", "/fred/series/observations")
    assert len(pages) > 5 and [int(p.query["offset"]) for p in pages[:3]] == [0, 7, 14]
    assert len(obs) == len(fetch(SeriesRef("fred", "DAAA"), DUE, series_settings.model_copy()))


def test_fred_refused_key_says_so_without_the_key(series_settings, fred, monkeypatch, caplog):
    monkeypatch.setenv("FORECASTER_SERIES__FRED__API_KEY", "wrong-key-123")
    from forecaster.settings import load_settings

    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceRefused, match="api_key was refused") as raised:
        fetch(SeriesRef("fred", "DAAA"), DUE, load_settings())
    assert "wrong-key-123" not in str(raised.value)
    assert len(fred.seen("GET", "/fred/series/observations")) == 1  # a refusal is not retried


def test_fred_key_never_reaches_the_log(series_settings, fred, caplog, monkeypatch):
    # A command run earlier in this process may have kept httpx's lines from the root logger, where caplog listens.
    monkeypatch.setattr(logging.getLogger("httpx"), "propagate", True)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    fetch(SeriesRef("fred", "DAAA"), DUE, series_settings)
    assert "api_key=***" in caplog.text and "fred-secret-key" not in caplog.text


def test_fred_without_a_key_fails_before_any_request(series_settings, fred, monkeypatch):
    monkeypatch.delenv("FORECASTER_SERIES__FRED__API_KEY")
    from forecaster.settings import load_settings

    with pytest.raises(SourceError, match="no api_key configured"):
        fetch(SeriesRef("fred", "DAAA"), DUE, load_settings())
    assert fred.requests == []


def test_a_429_waits_for_retry_after_then_succeeds(series_settings, fred):
    fred.fail("GET", "/fred/series/observations", 429, "{}", headers={"Retry-After": "1.5"})
    waits: list[float] = []
    obs = fetch(SeriesRef("fred", "DAAA"), DUE, series_settings, sleep=waits.append)
    assert waits == [1.5] and len(obs) > 0


def test_a_source_that_stays_down_is_an_error_naming_it(series_settings, dbnomics):
    dbnomics.fail("GET", "/v22/series/meteofrance/TEMPERATURE/celsius.07621.D", 503, "down", times=3)
    with pytest.raises(SourceError, match=r"dbnomics: .* HTTP 503 after 3 attempt"):
        fetch(SeriesRef("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D"), DUE, series_settings, NO_WAIT)


def test_dbnomics_turns_underscores_into_the_path_and_drops_na(series_settings, dbnomics):
    obs = fetch(SeriesRef("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D"), DUE, series_settings)
    assert obs.dates[4:6] == (dt.date(2025, 12, 5), dt.date(2025, 12, 8))  # days 5 and 6 were "NA"
    assert dbnomics.seen("GET", "/v22/series/meteofrance/TEMPERATURE/celsius.07621.D")[0].query == {
        "observations": "1"}


def test_dbnomics_unknown_series_is_refused_by_name(series_settings, dbnomics):
    with pytest.raises(SourceRefused, match="dbnomics: series 'a_b_c' refused with HTTP 404"):
        fetch(SeriesRef("dbnomics", "a_b_c"), DUE, series_settings)


def test_yahoo_reads_closes_by_exchange_day_and_drops_nulls(series_settings, yahoo):
    obs = fetch(SeriesRef("yfinance", "^GSPC"), DUE, series_settings)
    assert obs.dates[0] == dt.date(2025, 12, 1) and 110.0 not in obs.values
    assert all(d.weekday() < 5 for d in obs.dates)


def test_yahoo_unknown_ticker_quotes_the_chart_error(series_settings, yahoo):
    with pytest.raises(SourceRefused, match="No data found"):
        fetch(SeriesRef("yfinance", "NOPE"), DUE, series_settings)


@pytest.mark.parametrize("source, series_id", [("fred", "DAAA"), ("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D"),
                                               ("yfinance", "^GSPC")])
def test_nothing_dated_on_or_after_the_due_date_is_returned(series_settings, source, series_id):
    obs = fetch(SeriesRef(source, series_id), DUE, series_settings)
    assert obs.dates and max(obs.dates) < DUE


def test_the_cache_answers_the_same_series_and_day_without_a_request(series_settings, dbnomics):
    ref = SeriesRef("dbnomics", "meteofrance_TEMPERATURE_celsius.07621.D")
    with SeriesCache(series_settings.database_path) as cache:
        first = cached_fetch(ref, DUE, series_settings, cache)
        again = cached_fetch(ref, DUE, series_settings, cache)
        later = cached_fetch(ref, DUE + dt.timedelta(days=7), series_settings, cache)
    assert first == again and len(later) == len(first) + 7
    assert len(dbnomics.requests) == 2  # one per as-of day


def test_the_users_file_series_is_read_with_the_forecast_series_loaders(series_settings, tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    path.write_text("id,timestamp,target\n" + "".join(f"a,2026-02-{d:02d},{d}\n" for d in range(1, 28))
                    + "a,2026-03-02,999\nb,2026-02-01,5\n")
    monkeypatch.setenv("FORECASTER_SERIES__FILE", str(path))
    from forecaster.settings import load_settings

    obs = fetch(SeriesRef("file", "a"), DUE, load_settings())
    assert len(obs) == 27 and 999.0 not in obs.values


def test_a_connection_refused_is_retried_then_reported(series_settings, monkeypatch):
    monkeypatch.setenv("FORECASTER_SERIES__YAHOO__BASE_URL", "http://127.0.0.1:9")
    from forecaster.settings import load_settings

    with pytest.raises(SourceError, match=r"yfinance: GET /v8/finance/chart/\^GSPC failed after 3 attempt"):
        fetch(SeriesRef("yfinance", "^GSPC"), DUE, load_settings(), NO_WAIT)


def test_an_unreachable_source_is_asked_once_for_all_its_series(series_settings, monkeypatch):
    from forecaster.series.member import SeriesQuestion, series_forecasts
    from forecaster.settings import load_settings

    monkeypatch.setenv("FORECASTER_SERIES__YAHOO__BASE_URL", "http://127.0.0.1:9")
    waits: list[float] = []
    questions = [SeriesQuestion(f"q{t}", SeriesRef("yfinance", t), DUE + dt.timedelta(days=7), DUE)
                 for t in ("A", "B", "C")]
    with SeriesCache(series_settings.database_path) as cache:
        out = series_forecasts(questions, load_settings(), cache, sleep=waits.append)
    assert len(waits) == 2  # the first ticker's retries only
    assert "source unavailable" in out["qC"].reason and "ConnectError" in out["qA"].reason
