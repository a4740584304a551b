"""The served stand-in a user tries the platforms with: its printed settings point `pull` at it."""

from __future__ import annotations

import json
import select
import subprocess
import sys

from forecaster.settings import PROJECT_ROOT
from tests.feeds.serve_standin import build


def test_the_printed_settings_point_pull_at_the_served_standin(cli, data_dir, monkeypatch):
    server = subprocess.Popen([sys.executable, "-m", "tests.feeds.serve_standin", "polymarket"], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 30)
        assert ready, "the stand-in printed no settings within 30 s"
        line = server.stdout.readline().strip()
        name, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(name, value)
        out = data_dir / "poly.jsonl"
        result = cli("pull", "polymarket", "--out", str(out))
        assert result.exit_code == 0, result.output
        pulled = [json.loads(row) for row in out.read_text().splitlines()]
        served, _ = build("polymarket")  # the same markets the process serves, their Yes prices the crowd's
        served.server.server_close()
        yes_prices = [float(json.loads(m["outcomePrices"])[0]) for m in served.markets.values()]
        assert [q["market_probability"] for q in pulled] == yes_prices
    finally:
        server.kill()
        server.wait()
