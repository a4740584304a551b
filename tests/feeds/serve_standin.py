"""Serve one platform's stand-in on 127.0.0.1 with a few open questions, to try pull, submit and resolve offline.

    .venv/bin/python -m tests.feeds.serve_standin metaculus [--resolve-after 600]

It prints the settings that point the forecaster at it; after `--resolve-after` seconds every question resolves
(alternately yes and no), so `forecaster resolve --from PLATFORM` then has something to record. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import threading
import time

from tests.feeds.standins import (
    ManifoldStandIn,
    MetaculusStandIn,
    PolymarketStandIn,
    StandIn,
    manifold_market,
    metaculus_post,
    polymarket_market,
)

TOKEN = "local-token"


def build(platform: str) -> tuple[StandIn, str]:
    """The stand-in with three open binary questions, and the base URL the forecaster's settings take."""
    if platform == "metaculus":
        posts = [metaculus_post(100 + i, 1000 + i, cp=0.2 + 0.2 * i) for i in range(3)]
        standin: StandIn = MetaculusStandIn(posts, token=TOKEN)
        return standin, standin.url + "/api"
    if platform == "manifold":
        standin = ManifoldStandIn([manifold_market(f"m{i}", probability=0.3 + 0.2 * i) for i in range(3)])
        return standin, standin.url + "/v0"
    standin = PolymarketStandIn([polymarket_market(str(i), prices=(f"0.{3 + 2 * i}", f"0.{7 - 2 * i}"))
                                 for i in range(1, 4)])
    return standin, standin.url


def resolve_all(standin: StandIn) -> None:
    """Every question ends, alternately yes and no."""
    if isinstance(standin, MetaculusStandIn):
        for i, post_id in enumerate(standin.posts):
            standin.resolve(post_id, "yes" if i % 2 == 0 else "no")
    elif isinstance(standin, ManifoldStandIn):
        for i, market_id in enumerate(standin.markets):
            standin.resolve(market_id, "YES" if i % 2 == 0 else "NO")
    elif isinstance(standin, PolymarketStandIn):
        for i, market_id in enumerate(standin.markets):
            standin.resolve(market_id, "1" if i % 2 == 0 else "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("platform", choices=["metaculus", "manifold", "polymarket"])
    parser.add_argument("--resolve-after", type=float, default=600.0, help="seconds until every question ends")
    args = parser.parse_args()
    standin, base_url = build(args.platform)
    with standin:
        prefix = f"FORECASTER_FEEDS__{args.platform.upper()}"
        # Flushed: a pipe (a script reading these lines) gets them now, not when the buffer fills.
        print(f"export {prefix}__BASE_URL={base_url}", flush=True)
        if args.platform == "metaculus":
            print(f"export {prefix}__TOKEN={TOKEN}", flush=True)
        timer = threading.Timer(args.resolve_after, resolve_all, [standin])
        timer.daemon = True
        timer.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
