"""The `forecast-feed` flow's parameters and its deployment, without a server."""

from __future__ import annotations

import inspect

import pytest

from forecaster.orchestration.deployments import load_prefect_file
from forecaster.errors import InputError
from forecaster.feeds.clients import check_feed_parameters
from forecaster.settings import PROJECT_ROOT


@pytest.mark.parametrize("args,message", [
    (("nowhere", None, None, 5, False), "source: must be one of metaculus, manifold, polymarket"),
    (("metaculus", None, None, 5, False), "tournament: required when source is metaculus"),
    (("manifold", "aib", None, 5, False), "tournament: only for metaculus"),
    (("polymarket", None, "election", 5, False), "term: only for manifold"),
    (("manifold", None, None, 0, False), "limit: must be a whole number of at least 1"),
    (("manifold", None, None, 5, True), "submit: forecasts can be posted to metaculus only"),
])
def test_a_bad_parameter_is_refused_naming_it(args, message):
    with pytest.raises(InputError, match=message):
        check_feed_parameters(*args)


def test_good_parameters_pass():
    check_feed_parameters("metaculus", "aib", None, 10, True)
    check_feed_parameters("manifold", None, "AI", 10, False)


def test_the_deployment_runs_the_flow_on_an_inactive_schedule_with_its_parameters():
    from flows.feed import forecast_feed

    spec = load_prefect_file(PROJECT_ROOT / "deployments" / "prefect.yaml")
    [feed] = [d for d in spec["deployments"] if d["entrypoint"] == "flows/feed.py:forecast_feed"]
    assert [s["active"] for s in feed["schedules"]] == [False]
    accepted = inspect.signature(forecast_feed.fn).parameters
    assert set(feed["parameters"]) <= set(accepted)
    assert feed["parameters"]["submit"] is False
    check_feed_parameters(**{k: feed["parameters"].get(k) for k in ("source", "tournament", "term", "limit",
                                                                     "submit")})
