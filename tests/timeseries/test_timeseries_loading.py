"""Long-format input: what loads, and every rule a bad file breaks (named by series, line and rule)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecaster.db import open_database
from forecaster.errors import InputError
from forecaster.timeseries.loading import Columns, frame_to_series, load_series


def write_csv(path: Path, rows: list[str], header: str = "id,timestamp,target") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def daily(series_id: str, values: list, start: str = "2024-01-01", extra: list | None = None) -> list[str]:
    days = pd.date_range(start, periods=len(values), freq="D")
    return [
        ",".join([series_id, str(d.date()), "" if v is None else str(v)] + ([str(extra[i])] if extra else []))
        for i, (d, v) in enumerate(zip(days, values))
    ]


def test_demo_csv_loads_one_monthly_series_with_the_next_year_as_horizon(demo_csv):
    [series] = load_series(demo_csv, horizon=12)
    assert series.id == "AirPassengers"
    assert len(series.target) == 144 and series.target[0] == 112.0
    assert series.freq == "ME"
    assert series.future_timestamps[0] == pd.Timestamp("1961-01-31")
    assert series.future_timestamps[-1] == pd.Timestamp("1961-12-31")


def test_series_keep_their_order_of_first_appearance(tmp_path):
    path = write_csv(tmp_path / "two.csv", daily("b", [1, 2, 3, 4, 5]) + daily("a", [5, 4, 3, 2, 1]))
    assert [s.id for s in load_series(path, horizon=2)] == ["b", "a"]


def test_missing_column_is_named(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["a,2024-01-01"], header="id,timestamp")
    with pytest.raises(InputError, match=r"missing column\(s\) 'target'"):
        load_series(path, horizon=2)


def test_unsorted_timestamps_name_series_and_line(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5, 6])
    rows[2], rows[3] = rows[3], rows[2]
    path = write_csv(tmp_path / "x.csv", rows)
    with pytest.raises(InputError, match=r"series 'a': timestamps must be sorted ascending \(line 5 goes back"):
        load_series(path, horizon=2)


def test_duplicate_timestamp_names_series_and_line(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5])
    rows.insert(3, rows[2])
    path = write_csv(tmp_path / "x.csv", rows)
    with pytest.raises(InputError, match=r"series 'a': duplicate timestamp 2024-01-03.*line 5"):
        load_series(path, horizon=2)


def test_too_few_points_names_series_and_counts(tmp_path):
    path = write_csv(tmp_path / "x.csv", daily("ok", [1, 2, 3, 4, 5]) + daily("short", [1, 2, 3]))
    with pytest.raises(InputError, match=r"series 'short': too few points \(3 observed, at least 5 needed\)"):
        load_series(path, horizon=2)


def test_future_covariate_of_wrong_length_names_series_and_covariate(tmp_path):
    # 6 observed points, then 3 future rows with the covariate, but the horizon is 4.
    rows = daily("a", [1, 2, 3, 4, 5, 6, None, None, None], extra=list(range(9)))
    path = write_csv(tmp_path / "x.csv", rows, header="id,timestamp,target,promo")
    with pytest.raises(InputError, match=r"series 'a': 3 future row\(s\).*horizon is 4"):
        load_series(path, horizon=4)


def test_covariate_missing_future_values_is_wrong_length(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5, 6, None, None, None], extra=[0, 1, 0, 1, 0, 1, 1, "", ""])
    path = write_csv(tmp_path / "x.csv", rows, header="id,timestamp,target,promo")
    with pytest.raises(InputError, match=r"series 'a': covariate 'promo' has 1 future values, the horizon is 3"):
        load_series(path, horizon=3)


def test_covariate_missing_in_history_is_wrong_length(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5, 6], extra=[0, 1, "", 1, 0, 1])
    path = write_csv(tmp_path / "x.csv", rows, header="id,timestamp,target,promo")
    with pytest.raises(InputError, match=r"series 'a': covariate 'promo' has 5 values for 6 target points"):
        load_series(path, horizon=3)


def test_known_future_covariate_is_split_into_history_and_horizon(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5, 6, None, None], extra=[10, 11, 12, 13, 14, 15, 16, 17])
    path = write_csv(tmp_path / "x.csv", rows, header="id,timestamp,target,promo")
    [series] = load_series(path, horizon=2)
    item = series.chronos_input()
    assert item["past_covariates"]["promo"].tolist() == [10, 11, 12, 13, 14, 15]
    assert item["future_covariates"]["promo"].tolist() == [16, 17]
    assert list(series.future_timestamps) == [pd.Timestamp("2024-01-07"), pd.Timestamp("2024-01-08")]


def test_covariate_without_future_values_is_past_only(tmp_path):
    rows = daily("a", [1, 2, 3, 4, 5], extra=["x", "y", "x", "y", "x"])
    [series] = load_series(write_csv(tmp_path / "x.csv", rows, header="id,timestamp,target,kind"), horizon=2)
    assert series.past_covariates["kind"].tolist() == ["x", "y", "x", "y", "x"]
    assert "future_covariates" not in series.chronos_input()


def test_gap_in_target_names_the_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", daily("a", [1, 2, None, 4, 5, 6]))
    with pytest.raises(InputError, match=r"series 'a': missing target value at line 4"):
        load_series(path, horizon=2)


def test_non_numeric_target_names_the_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", daily("a", [1, 2, "lots", 4, 5]))
    with pytest.raises(InputError, match=r"line 4: column 'target' is not a number \('lots'\)"):
        load_series(path, horizon=2)


def test_uneven_timestamps_are_rejected(tmp_path):
    rows = ["a,2024-01-01,1", "a,2024-01-02,2", "a,2024-01-05,3", "a,2024-01-06,4", "a,2024-01-09,5"]
    with pytest.raises(InputError, match=r"series 'a': timestamps are not evenly spaced"):
        load_series(write_csv(tmp_path / "x.csv", rows), horizon=2)


def test_parquet_and_sqlite_table_give_the_same_series_as_csv(tmp_path, demo_csv):
    frame = pd.read_csv(demo_csv)
    frame.to_parquet(tmp_path / "air.parquet")
    db = open_database(tmp_path / "store.db")
    db["air"].insert_all(frame.to_dict("records"))
    db.close()
    from_csv = load_series(demo_csv, horizon=12)[0]
    for series in (load_series(tmp_path / "air.parquet", horizon=12)[0],
                   load_series(tmp_path / "store.db", horizon=12, table="air")[0]):
        np.testing.assert_array_equal(series.target, from_csv.target)
        assert list(series.future_timestamps) == list(from_csv.future_timestamps)


def test_missing_sqlite_table_is_named(tmp_path):
    open_database(tmp_path / "store.db").close()
    with pytest.raises(InputError, match=r"table 'nope' not found"):
        load_series(tmp_path / "store.db", horizon=2, table="nope")


def test_configured_column_names_are_used():
    frame = pd.DataFrame({"sku": ["a"] * 5, "ds": pd.date_range("2024-01-01", periods=5), "y": [1.0] * 5})
    [series] = frame_to_series(frame, 2, columns=Columns("sku", "ds", "y"))
    assert series.id == "a" and len(series.target) == 5


def test_a_csv_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,timestamp,target\na,2024-01-01,1\nsal\xe9,2024-01-02,2\n")
    with pytest.raises(InputError, match=r"x\.csv:3: not UTF-8 text \(byte 0xe9"):
        load_series(path, horizon=2)


@pytest.mark.parametrize("content, message", [
    ("", r"x\.csv: no rows \(the file is empty\)"),
    ('id,timestamp,target\na,2024-01-01,"1\n', r"x\.csv: not a readable CSV file"),
    ("id,timestamp,target\na,2024-01-01,1\na,2024-01-02,2,3,4\n",
     r"x\.csv: not a readable CSV file \(Error tokenizing data\. C error: Expected 3 fields in line 3, saw 5\)"),
])
def test_an_unreadable_csv_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_series(path, horizon=2)


def test_an_infinite_target_names_its_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", daily("a", [1, 2, "inf", 4, 5]))
    with pytest.raises(InputError, match=r"line 4: column 'target' must be a finite number"):
        load_series(path, horizon=2)


def test_a_row_without_a_series_id_names_its_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", daily("a", [1, 2, 3, 4, 5]) + [",2024-01-06,6"])
    with pytest.raises(InputError, match=r"line 7: column 'id' is empty"):
        load_series(path, horizon=2)


def test_a_parquet_file_that_is_not_parquet_is_one_clear_error(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_text("id,timestamp,target\n")
    with pytest.raises(InputError, match=r"x\.parquet: not a readable Parquet file"):
        load_series(path, horizon=2)


def test_a_table_file_that_is_not_sqlite_is_one_clear_error(tmp_path):
    path = tmp_path / "x.db"
    path.write_text("not a database" * 100)
    with pytest.raises(InputError, match=r"x\.db: not a readable SQLite database"):
        load_series(path, horizon=2, table="series")


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True])
def test_a_horizon_that_is_not_a_positive_whole_number_is_named(tmp_path, horizon):
    path = write_csv(tmp_path / "x.csv", daily("a", [1, 2, 3, 4, 5]))
    with pytest.raises(InputError, match=r"horizon: must be a whole number >= 1"):
        load_series(path, horizon=horizon)
