"""Read long-format series (CSV, Parquet or a SQLite table) and check every rule before anything runs."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecaster.errors import InputError
from forecaster.input_files import check_input_file, read_input_text
from forecaster.timeseries.series import Series

# Chronos-2 needs at least this many observations (the /pooling schema's minimum).
MIN_POINTS = 5


@dataclass(frozen=True)
class Columns:
    """Names of the long-format columns; every other column is a covariate."""

    id: str = "id"
    timestamp: str = "timestamp"
    target: str = "target"


def read_table(source: str | Path, table: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV/Parquet file, or `table` of a SQLite file; returns the frame and how rows are named."""
    path = Path(source)
    if table is not None:
        if not path.is_file():
            raise InputError(f"{path}: series file not found")  # a database may be big: no size limit
        return _read_sqlite(path, table), "row"
    check_input_file(path, "series file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path), "line"
    if suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path), "row"
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise InputError(f"{path}: not a readable Parquet file ({str(exc)[:200]})") from None
    raise InputError(f"{path}: unsupported file type {suffix!r} (use .csv, .parquet or --table for SQLite)")


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV file's rows; its encoding checked first, so a bad byte names its line."""
    text = read_input_text(path, "series file")
    try:
        return pd.read_csv(io.StringIO(text))
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: no rows (the file is empty)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({str(exc).strip()[:200]})") from None


def _read_sqlite(path: Path, table: str) -> pd.DataFrame:
    from forecaster.db import open_database

    try:
        db = open_database(path)
        try:
            if not db[table].exists():
                raise InputError(f"{path}: table {table!r} not found")
            return pd.DataFrame(list(db[table].rows))
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a readable SQLite database ({exc})") from None


def load_series(
    source: str | Path,
    horizon: int,
    *,
    table: str | None = None,
    columns: Columns = Columns(),
    min_points: int = MIN_POINTS,
) -> list[Series]:
    """Load and validate every series of a long-format source for a forecast `horizon` points ahead."""
    frame, unit = read_table(source, table)
    return frame_to_series(frame, horizon, columns=columns, min_points=min_points, origin=f"{source}", unit=unit)


def frame_to_series(
    frame: pd.DataFrame,
    horizon: int,
    *,
    columns: Columns = Columns(),
    min_points: int = MIN_POINTS,
    origin: str = "<frame>",
    unit: str = "row",
) -> list[Series]:
    """Validate a long-format frame and split it into series (in order of first appearance)."""
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise InputError(f"horizon: must be a whole number >= 1, got {horizon!r}")  # a flow parameter too
    missing = [c for c in (columns.id, columns.timestamp, columns.target) if c not in frame.columns]
    if missing:
        raise InputError(
            f"{origin}: missing column(s) {', '.join(repr(c) for c in missing)} "
            f"(long format needs {columns.id!r}, {columns.timestamp!r}, {columns.target!r}; "
            f"found {', '.join(repr(str(c)) for c in frame.columns)})"
        )
    if frame.empty:
        raise InputError(f"{origin}: no rows")
    frame = frame.copy()
    # CSV line numbers count the header; other sources number rows from 1.
    frame["_pos"] = np.arange(len(frame)) + (2 if unit == "line" else 1)
    frame["_ts"] = _parse_timestamps(frame, columns, origin, unit)
    frame["_y"] = _parse_numbers(frame, columns.target, origin, unit)
    covariates = [c for c in frame.columns if c not in (columns.id, columns.timestamp, columns.target)
                  and not str(c).startswith("_")]
    empty_id = frame[columns.id].isna()
    if empty_id.any():
        raise InputError(f"{origin} {unit} {int(frame['_pos'][empty_id].iloc[0])}: column {columns.id!r} is empty "
                         "(every row needs its series' id)")
    frame[columns.id] = frame[columns.id].astype(str)
    series = [
        _one_series(str(sid), group, horizon, covariates, min_points, origin, unit)
        for sid, group in frame.groupby(columns.id, sort=False)
    ]
    _check_same_covariates(series, origin)
    return series


def _parse_timestamps(frame: pd.DataFrame, columns: Columns, origin: str, unit: str) -> pd.Series:
    parsed = pd.to_datetime(frame[columns.timestamp], errors="coerce")
    bad = parsed.isna()
    if bad.any():
        pos = int(frame["_pos"][bad].iloc[0])
        raise InputError(
            f"{origin} {unit} {pos}: column {columns.timestamp!r} is not a timestamp "
            f"({frame[columns.timestamp][bad].iloc[0]!r})"
        )
    return parsed


def _parse_numbers(frame: pd.DataFrame, column: str, origin: str, unit: str) -> pd.Series:
    raw = frame[column]
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = numbers.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        pos = int(frame["_pos"][bad].iloc[0])
        raise InputError(f"{origin} {unit} {pos}: column {column!r} is not a number ({raw[bad].iloc[0]!r})")
    numbers = numbers.astype(float)
    infinite = np.isinf(numbers)
    if infinite.any():
        pos = int(frame["_pos"][infinite].iloc[0])
        raise InputError(f"{origin} {unit} {pos}: column {column!r} must be a finite number "
                         f"({raw[infinite].iloc[0]!r})")
    return numbers


def _one_series(
    sid: str,
    group: pd.DataFrame,
    horizon: int,
    covariates: list[str],
    min_points: int,
    origin: str,
    unit: str,
) -> Series:
    where = f"{origin}: series {sid!r}"
    ts = group["_ts"]
    _check_order(group, where, unit)
    n_hist = _observed_length(group, horizon, min_points, where, unit)
    freq = _frequency(ts.iloc[:n_hist], where)
    hist_ts = pd.DatetimeIndex(ts.iloc[:n_hist])
    future_ts = (pd.DatetimeIndex(ts.iloc[n_hist:]) if len(group) > n_hist
                 else pd.date_range(hist_ts[-1], periods=horizon + 1, freq=freq)[1:])
    past, future = _split_covariates(group, covariates, n_hist, horizon, where)
    return Series(
        id=sid,
        timestamps=hist_ts,
        target=group["_y"].to_numpy()[:n_hist],
        freq=freq,
        future_timestamps=future_ts,
        past_covariates=past,
        future_covariates=future,
    )


def _check_order(group: pd.DataFrame, where: str, unit: str) -> None:
    """Timestamps strictly ascending, naming the first row that goes back or repeats."""
    ts = group["_ts"]
    steps = ts.diff().iloc[1:]
    if (steps < pd.Timedelta(0)).any():
        pos = int(group["_pos"].iloc[1:][steps < pd.Timedelta(0)].iloc[0])
        raise InputError(f"{where}: timestamps must be sorted ascending ({unit} {pos} goes back in time)")
    if (steps == pd.Timedelta(0)).any():
        pos = int(group["_pos"].iloc[1:][steps == pd.Timedelta(0)].iloc[0])
        raise InputError(f"{where}: duplicate timestamp {ts[group['_pos'] == pos].iloc[0]} ({unit} {pos})")


def _observed_length(group: pd.DataFrame, horizon: int, min_points: int, where: str, unit: str) -> int:
    """How many rows carry the target: no gaps before the last one, then none or exactly `horizon` rows."""
    observed = group["_y"].notna().to_numpy()
    n_hist = int(np.flatnonzero(observed)[-1]) + 1 if observed.any() else 0
    if not observed[:n_hist].all():
        pos = int(group["_pos"].iloc[int(np.flatnonzero(~observed[:n_hist])[0])])
        raise InputError(f"{where}: missing target value at {unit} {pos} (only the horizon's rows may be empty)")
    if n_hist < min_points:
        raise InputError(f"{where}: too few points ({n_hist} observed, at least {min_points} needed)")
    n_future = len(group) - n_hist
    if n_future not in (0, horizon):
        raise InputError(
            f"{where}: {n_future} future row(s) after the last target value, but the horizon is {horizon} "
            "(give exactly one row per horizon step, or none)"
        )
    return n_hist


def _split_covariates(group: pd.DataFrame, covariates: list[str], n_hist: int, horizon: int,
                      where: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Past-only covariates (values for the observed points) and known-future ones (also every horizon step)."""
    past, future = {}, {}
    for name in covariates:
        values = _covariate_values(group[name])
        known_hist = int(pd.notna(values[:n_hist]).sum())
        known_future = int(pd.notna(values[n_hist:]).sum())
        if known_hist != n_hist:
            raise InputError(
                f"{where}: covariate {name!r} has {known_hist} values for {n_hist} target points "
                "(wrong length: it needs one per observed point)"
            )
        if known_future == 0:
            past[name] = values[:n_hist]
        elif known_future != horizon:
            raise InputError(
                f"{where}: covariate {name!r} has {known_future} future values, the horizon is {horizon} "
                "(wrong length: a known-future covariate needs one value per horizon step)"
            )
        else:
            future[name] = values
    return past, future


def _covariate_values(column: pd.Series) -> np.ndarray:
    """Numbers when the column is numeric, strings (categorical) otherwise; missing stays missing."""
    numbers = pd.to_numeric(column, errors="coerce")
    if (numbers.notna() == column.notna()).all():
        return numbers.to_numpy(dtype=float)
    return np.array([None if pd.isna(v) else str(v) for v in column], dtype=object)


def _frequency(ts: pd.Series, where: str) -> str:
    freq = pd.infer_freq(pd.DatetimeIndex(ts)) if len(ts) >= 3 else None
    if freq is None:
        raise InputError(f"{where}: timestamps are not evenly spaced (no regular frequency could be inferred)")
    return freq


def _check_same_covariates(series: list[Series], origin: str) -> None:
    # Chronos-2 rejects a batch whose inputs carry different covariate keys.
    first = series[0]
    keys = (sorted(first.past_covariates), sorted(first.future_covariates))
    for other in series[1:]:
        if (sorted(other.past_covariates), sorted(other.future_covariates)) != keys:
            raise InputError(
                f"{origin}: series {other.id!r} has covariates past={sorted(other.past_covariates)} "
                f"future={sorted(other.future_covariates)}, series {first.id!r} has past={keys[0]} "
                f"future={keys[1]} (every series needs the same covariates)"
            )


def columns_of(settings) -> Columns:
    """The column names configured in `TimeSeriesSettings`."""
    return Columns(settings.id_column, settings.timestamp_column, settings.target_column)
