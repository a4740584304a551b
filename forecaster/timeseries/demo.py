"""The demo series: the classic airline passengers, shipped with statsforecast (no download)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DEMO_ID = "AirPassengers"


def air_passengers() -> pd.DataFrame:
    """Monthly airline passengers 1949-1960 in our long format (id, timestamp, target)."""
    from statsforecast.utils import AirPassengersDF

    frame = AirPassengersDF.rename(columns={"ds": "timestamp", "y": "target"}).drop(columns="unique_id")
    frame.insert(0, "id", DEMO_ID)
    return frame.reset_index(drop=True)


def write_demo_csv(path: str | Path) -> Path:
    """Write the demo series as a long-format CSV (the input the CLI and flows take)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    air_passengers().to_csv(path, index=False, date_format="%Y-%m-%d")
    return path
