"""Demand CSV parsing (text in, items per slot out): time zones, daylight-saving days, rows outside the
horizon, bad cells named by row and column, and a million-row file."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.errors import InputError
from scheduler.scenario.demand import MAX_ITEMS_PER_ROW, parse_demand_csv
from scheduler.timegrid import TimeGrid

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "timestamp,stream,items\n"
SPRING = TimeGrid(date(2027, 3, 27), 3, 60, "Europe/Paris")  # 28 March: 02:00-03:00 does not exist
AUTUMN = TimeGrid(date(2026, 10, 24), 3, 60, "Europe/Paris")  # 25 October: 02:00-03:00 happens twice
STREAMS = ("moderation", "care")


def parse(text: str, grid: TimeGrid = SPRING, streams=STREAMS) -> dict[str, np.ndarray]:
    return parse_demand_csv(text, source="demand.csv", grid=grid, streams=streams)


def error_of(text: str, grid: TimeGrid = SPRING) -> InputError:
    with pytest.raises(InputError) as info:
        parse(text, grid)
    assert info.value.file == "demand.csv"
    return info.value


@contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging (the limit is a guard against a pathological slowdown, not a benchmark)."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------------------- good files
def test_ok_fixture_sums_per_stream_and_skips_the_missing_hour() -> None:
    text = (DATA / "ok_demand.csv").read_text()
    out = parse(text)
    frame = pd.read_csv(DATA / "ok_demand.csv")
    assert SPRING.n_slots == 71
    for stream in STREAMS:
        assert out[stream].shape == (71,)
        assert out[stream].sum() == frame.loc[frame.stream == stream, "items"].sum()
    # Slots of the 28th: 24 = 00:00, 25 = 01:00, 26 = 03:00 (02:00 was skipped), local time.
    at = frame.set_index(["timestamp", "stream"])["items"]
    assert out["care"][25] == at[("2027-03-28 01:00", "care")]
    assert out["care"][26] == at[("2027-03-28 03:00", "care")]


def test_local_times_and_offsets_agree() -> None:
    local = parse(HEADER + "2027-03-28 03:00,care,5\n2027-03-27 00:00,moderation,1\n")
    with_offset = parse(HEADER + "2027-03-28T03:00+02:00,care,5\n2027-03-26T23:00Z,moderation,1\n")
    compact = parse(HEADER + "2027-03-28T01:00:00+0000,care,5\n2027-03-27 00:00:00,moderation,1\n")
    for stream in STREAMS:
        assert local[stream].tolist() == with_offset[stream].tolist() == compact[stream].tolist()
    assert local["care"][26] == 5 and local["moderation"][0] == 1


def test_rows_of_one_slot_add_up_and_rows_outside_are_ignored() -> None:
    text = HEADER + (
        "2027-03-27 10:00,care,2\n2027-03-27 10:30,care,3\n2027-03-27 10:59:59,care,4\n"
        "2027-03-26 23:59,care,100\n2027-03-30 00:00,care,100\n1999-01-01 00:00,care,100\n9999-12-31 23:00,care,100\n"
        "0001-01-01T00:00+00:00,care,100\n"
    )
    out = parse(text, streams=["care"])
    assert out["care"][10] == 9
    assert out["care"].sum() == 9


def test_the_repeated_autumn_hour_is_read_in_file_order() -> None:
    # 25 October 2026: local 02:00 happens at 00:00 UTC (summer time) and again at 01:00 UTC (winter time).
    out = parse(HEADER + "2026-10-25 02:00,care,1\n2026-10-25 02:00,care,10\n", grid=AUTUMN, streams=["care"])
    assert AUTUMN.n_slots == 73
    # Slot 24 is local 00:00 (22:00 UTC on the 24th); 02:00 summer is slot 26, 02:00 winter slot 27.
    assert out["care"][26] == 1 and out["care"][27] == 10


def test_a_gap_time_with_an_offset_is_fine() -> None:
    # The same instant as the missing 02:30 local, written with the winter offset: 01:30 UTC = 03:30 summer time.
    out = parse(HEADER + "2027-03-28T02:30+01:00,care,7\n", streams=["care"])
    assert out["care"][26] == 7


def test_byte_order_mark_and_spaces_are_tolerated() -> None:
    out = parse("\ufefftimestamp, stream, items\n 2027-03-27 01:00 , care , 4 \n", streams=["care"])
    assert out["care"][1] == 4


def test_items_up_to_the_limit() -> None:
    out = parse(HEADER + f"2027-03-27 00:00,care,{MAX_ITEMS_PER_ROW}\n2027-03-27 01:00,care,1.5e3\n", streams=["care"])
    assert out["care"][0] == MAX_ITEMS_PER_ROW and out["care"][1] == 1500


# ---------------------------------------------------------------------------------------- bad cells
@pytest.mark.parametrize(
    ("rows", "field", "value", "allowed"),
    [
        ("2027-03-27 00:00,care,-1", "row 2, column items", "-1", "a number of items from 0"),
        ("2027-03-27 00:00,care,1e10", "row 2, column items", "1e10", "a number of items from 0 to 1000000000"),
        ("2027-03-27 00:00,care,inf", "row 2, column items", "inf", "a number of items"),
        ("2027-03-27 00:00,care,", "row 2, column items", "", "a number of items"),
        ("2027-03-27 00:00,care,ten", "row 2, column items", "ten", "a number of items"),
        ("2027-03-27 00:00,Care,1", "row 2, column stream", "Care", "one of the scenario's streams: care, moderation"),
        ("2027-03-27 00:00,,1", "row 2, column stream", "", "one of the scenario's streams"),
        ("27/03/2027 10:00,care,1", "row 2, column timestamp", "27/03/2027 10:00", "a date and time like"),
        ("2027-03-27 10h,care,1", "row 2, column timestamp", "2027-03-27 10h", "a date and time like"),
        ("2027-03-27T10:00+01,care,1", "row 2, column timestamp", "2027-03-27T10:00+01", "a date and time like"),
        ("2027-03-27T10:00+99:00,care,1", "row 2, column timestamp", "2027-03-27T10:00+99:00", "a date and time"),
        ("2027-02-29 10:00,care,1", "row 2, column timestamp", "2027-02-29 10:00", "a date and time like"),
        ("2027-03-27 24:00,care,1", "row 2, column timestamp", "2027-03-27 24:00", "a date and time like"),
        ("1700000000,care,1", "row 2, column timestamp", "1700000000", "a date and time like"),
        (
            "2027-03-28 02:00,care,1",
            "row 2, column timestamp",
            "2027-03-28 02:00",
            "a time that exists in Europe/Paris",
        ),
        ("2026-03-28 10:00,care,1", "row 2, column timestamp", "2026-03-28 10:00", "inside the horizon 2027-03-27"),
        ("2027-03-27 00:00,care,1,2", "row 2", "more than 3 fields", "3 fields, like the header line"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column(rows: str, field: str, value: str, allowed: str) -> None:
    error = error_of(HEADER + rows + "\n")
    assert (error.field, error.value) == (field, value)
    assert allowed in error.allowed


def test_the_first_bad_row_is_reported() -> None:
    rows = "".join(f"2027-03-27 {h:02d}:00,care,{h}\n" for h in range(20))
    error = error_of(HEADER + rows + "2027-03-27 21:00,care,-4\n2027-03-27 22:00,care,-5\n")
    assert (error.field, error.value) == ("row 22, column items", "-4")


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        ("", "file", "a CSV with a header line timestamp,stream,items"),
        ("   \n\n", "file", "a CSV with a header line"),
        (HEADER, "rows", "at least one data row"),
        ("time,stream,items\n2027-03-27 00:00,care,1\n", "columns", "missing column(s) timestamp"),
        ("timestamp;stream;items\n2027-03-27 00:00;care;1\n", "columns", "missing column(s) timestamp, stream, items"),
        ("\x00\x01\x02\x03", "file", "binary data; expected a text CSV"),
        (HEADER + '"2027-03-27 00:00,care,1\n', "file", "a readable CSV (Error tokenizing data"),
        (HEADER + "2027-03-27 00:00,care,1\n2027-03-27 01:00,care,1,5\n", "row 3", "3 fields, like the header line"),
    ],
)
def test_a_bad_file_is_named_as_a_whole(text: str, field: str, allowed: str) -> None:
    error = error_of(text)
    assert error.field == field
    assert allowed in error.allowed


def test_a_stream_the_scenario_reads_must_have_rows_in_the_file() -> None:
    """The scenario's loader reports it: here the parser simply returns the streams it found."""
    out = parse(HEADER + "2027-03-27 00:00,care,1\n")
    assert set(out) == {"care"}


# ------------------------------------------------------------------------------------- a big file
def _hourly_local_rows(first_utc: str, hours: int) -> tuple[str, pd.DatetimeIndex, np.ndarray]:
    """One row per real hour, written as naive Paris wall time (the autumn hour twice, in order)."""
    instants = pd.date_range(first_utc, periods=hours, freq="h", tz="UTC")
    wall = instants.tz_convert("Europe/Paris").tz_localize(None).to_numpy().astype("datetime64[m]").astype(str)
    items = np.arange(hours) % 97
    body = "".join(f"{t},moderation,{n}\n" for t, n in zip(wall.tolist(), items.tolist(), strict=True))
    return HEADER + body, instants, items


def test_a_million_hourly_rows_over_114_years_load_quickly() -> None:
    text, instants, items = _hourly_local_rows("1990-01-01", 1_000_000)
    grid = TimeGrid(date(2026, 10, 19), 14, 60, "Europe/Paris")  # includes the autumn change of 25 October
    with time_limit(20):
        start = time.perf_counter()
        out = parse(text, grid=grid, streams=["moderation"])
        seconds = time.perf_counter() - start
    # The truth, from the UTC instants the rows were written from.
    slot = ((instants - pd.Timestamp(grid.origin)) // pd.Timedelta(hours=1)).to_numpy()
    inside = (slot >= 0) & (slot < grid.n_slots)
    expected = np.bincount(slot[inside], weights=items[inside], minlength=grid.n_slots)
    assert grid.n_slots == 14 * 24 + 1
    assert out["moderation"].tolist() == expected.tolist()
    print(f"1e6 rows, 114 years: parsed in {seconds:.2f} s")


def test_a_million_rows_inside_the_horizon_load_quickly() -> None:
    stamps = np.array([f"2027-03-27T{h:02d}:{m:02d}+01:00" for h in range(24) for m in range(60)])
    n = 1_000_000
    streams = ("moderation", "care")
    text = HEADER + "".join(f"{stamps[i % stamps.size]},{streams[i % 2]},2\n" for i in range(n))
    with time_limit(20):
        start = time.perf_counter()
        out = parse(text)
        seconds = time.perf_counter() - start
    assert out["care"].sum() + out["moderation"].sum() == 2 * n
    assert out["care"][:24].sum() == out["care"].sum()  # every row is on the 27th
    print(f"1e6 rows inside the horizon: parsed in {seconds:.2f} s")
