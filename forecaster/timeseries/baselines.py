"""Classical baselines from statsforecast: SeasonalNaive, AutoETS and AutoARIMA, with quantiles."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from forecaster.timeseries.series import Forecast, Series

BASELINES = ("SeasonalNaive", "AutoETS", "AutoARIMA")


def _models(season_length: int) -> list:
    from statsforecast.models import AutoARIMA, AutoETS, SeasonalNaive

    return [SeasonalNaive(season_length=season_length), AutoETS(season_length=season_length),
            AutoARIMA(season_length=season_length)]


def _level(q: float) -> int | float:
    # A central interval of level L has its ends at quantiles (1 - L/100)/2 and (1 + L/100)/2.
    level = round(abs(2 * q - 1) * 100, 6)
    return int(level) if float(level).is_integer() else level


def baseline_forecasts(
    series: Sequence[Series], horizon: int, quantile_levels: Sequence[float], season_length: int
) -> dict[str, list[Forecast]]:
    """Forecasts of every baseline for every series (same frequency), keyed by model name."""
    from statsforecast import StatsForecast

    freqs = {s.freq for s in series}
    if len(freqs) != 1:
        raise ValueError(f"baselines need one frequency per call, got {sorted(freqs)}")
    frame = pd.concat(
        [pd.DataFrame({"unique_id": s.id, "ds": s.timestamps, "y": s.target}) for s in series], ignore_index=True
    )
    levels = sorted({_level(q) for q in quantile_levels if q != 0.5})
    engine = StatsForecast(models=_models(season_length), freq=freqs.pop(), n_jobs=1)
    result = engine.forecast(df=frame, h=horizon, level=levels or None)
    out: dict[str, list[Forecast]] = {}
    for name in BASELINES:
        out[name] = []
        for s in series:
            rows = result[result["unique_id"] == s.id]
            columns = [rows[_column(name, q)].to_numpy(float) for q in quantile_levels]
            out[name].append(Forecast(
                series_id=s.id,
                timestamps=s.future_timestamps,
                quantile_levels=tuple(quantile_levels),
                quantiles=np.stack(columns, axis=1),
                mean=rows[name].to_numpy(float),
            ))
    return out


def _column(model: str, q: float) -> str:
    if q == 0.5:
        return model
    return f"{model}-{'lo' if q < 0.5 else 'hi'}-{_level(q)}"
