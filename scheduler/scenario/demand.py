"""Arrivals per stream and slot: parsed from CSV text or generated from a profile.

Parsers take text, never paths, so they are tested without touching the disk.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from scheduler.errors import MISSING, InputError
from scheduler.scenario.schema import ProfileSpec
from scheduler.timegrid import WEEKDAYS, TimeGrid, parse_clock

DEMAND_COLUMNS = ("timestamp", "stream", "items")
MAX_DEMAND_ROWS = 2_000_000
MAX_ITEMS_PER_ROW = 1_000_000_000

# ISO 8601 date and time, either local (no offset) or with an offset; a bare date means its midnight.
_LOCAL_TIME = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)? ?(?:Z|[+-]\d{2}:?\d{2})"
TIMESTAMP_HELP = "a date and time like 2026-06-01 14:00 (local) or 2026-06-01T14:00+02:00"

RowName = Callable[[int], str]


def parse_demand_csv(text: str, *, source: str, grid: TimeGrid, streams: Collection[str]) -> dict[str, np.ndarray]:
    """Items per slot for every stream named in a ``timestamp,stream,items`` CSV.

    Timestamps are local times of the horizon's time zone, or ISO times with an offset. Rows outside
    the horizon are ignored (a long demand file can serve a shorter horizon), but a stream whose rows
    all fall outside is an error, since it surely means a wrong date.
    """
    frame = parse_demand_frame(text, source=source)
    names = frame["stream"].fillna("").str.strip()
    unknown = ~names.isin(list(streams))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            source,
            f"{csv_row(i)}, column stream",
            names.iloc[i],
            f"one of the scenario's streams: {', '.join(sorted(streams))}",
        )

    items = demand_items(frame, source=source)
    slots = _slots_of_timestamps(frame["timestamp"], names, source=source, grid=grid, row=csv_row)
    inside = slots >= 0
    out: dict[str, np.ndarray] = {}
    codes, uniques = pd.factorize(names, sort=True)
    for code, stream in enumerate(uniques):
        mine = codes == code
        keep = mine & inside
        if not keep.any():
            i = int(np.flatnonzero(mine)[0])
            raise InputError(
                source,
                f"{csv_row(i)}, column timestamp",
                frame["timestamp"].iloc[i],
                f"a time inside the horizon {grid.dates[0]} to {grid.dates[-1]} (no row of stream '{stream}' is)",
            )
        out[str(stream)] = np.bincount(slots[keep], weights=items[keep], minlength=grid.n_slots)
    return out


def parse_demand_frame(text: str, *, source: str) -> pd.DataFrame:
    """The rows of a ``timestamp,stream,items`` CSV as text columns, file, header and row count checked.

    Shared by the scenario's demand files and the year plan's demand history, so both refuse a bad file
    with the same words.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(
            source, "file", "", f"a CSV with a header line {','.join(DEMAND_COLUMNS)} and rows (it is empty)"
        )
    if "\x00" in text[:10000]:
        raise InputError(source, "file", text[:20], "binary data; expected a text CSV")
    frame = _read_frame(text, source)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in DEMAND_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            source,
            "columns",
            list(frame.columns),
            f"missing column(s) {', '.join(missing)}; expected {', '.join(DEMAND_COLUMNS)}",
        )
    if len(frame) > MAX_DEMAND_ROWS:
        raise InputError(source, "rows", f"more than {MAX_DEMAND_ROWS}", f"at most {MAX_DEMAND_ROWS} rows")
    if frame.empty:
        raise InputError(source, "rows", 0, "at least one data row")
    return frame


def csv_row(i: int) -> str:
    """The line a user finds row ``i`` of the frame on: 1-based, after the header line."""
    return f"row {int(i) + 2}"


def demand_items(frame: pd.DataFrame, *, source: str) -> np.ndarray:
    """The items column as numbers; the first blank, negative, huge or non-numeric cell is an error."""
    items = pd.to_numeric(frame["items"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~((items >= 0) & (items <= MAX_ITEMS_PER_ROW))  # also catches NaN and inf
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            source,
            f"{csv_row(i)}, column items",
            frame["items"].fillna("").iloc[i],
            f"a number of items from 0 to {MAX_ITEMS_PER_ROW} per row",
        )
    return items


def timestamp_kinds(raw: pd.Series, *, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Which stripped timestamps carry an offset and which are local; the first that is neither is an error."""
    has_offset = raw.str.fullmatch(_WITH_OFFSET).to_numpy(dtype=bool)
    local = raw.str.fullmatch(_LOCAL_TIME).to_numpy(dtype=bool)
    _raise_first(~(has_offset | local), raw, source, csv_row, TIMESTAMP_HELP)
    return has_offset, local


def _read_frame(text: str, source: str) -> pd.DataFrame:
    """The CSV as text columns; a row with more fields than the header is an error, not a shifted index."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text), dtype=str, skipinitialspace=True, index_col=False, nrows=MAX_DEMAND_ROWS + 1
            )
    except pd.errors.ParserWarning:
        header, line = _first_long_row(text)
        raise InputError(
            source, f"row {line}", f"more than {header} fields", f"{header} fields, like the header line"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        counts = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", problem)
        if counts:
            expected, line, seen = counts.groups()
            raise InputError(
                source, f"row {line}", f"{seen} fields", f"{expected} fields, like the header line"
            ) from None
        raise InputError(source, "file", text[:40], f"a readable CSV ({problem})") from None


def _first_long_row(text: str) -> tuple[int, int]:
    """Field count of the header and the line number of the first longer row (only read on error). Read with
    universal newlines, as pandas reads it: a lone carriage return ends a line, it is not an error here."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = len(next(reader))
    for record in reader:
        if len(record) > header:
            return header, reader.line_num
    return header, reader.line_num


def _slots_of_timestamps(
    column: pd.Series, group: pd.Series, *, source: str, grid: TimeGrid, row: RowName
) -> np.ndarray:
    """Slot index of each timestamp, or -1 outside the horizon.

    Only rows near the horizon are converted to UTC: a long file's far rows (any year, any daylight-saving
    change) cost no time zone arithmetic and can never overflow.
    """
    raw = column.fillna("").astype(str).str.strip()
    has_offset, local = timestamp_kinds(raw, source=source)
    slots = np.full(len(raw), -1, dtype=np.int64)
    origin, end = pd.Timestamp(grid.origin), pd.Timestamp(grid.end)
    # ISO dates sort as text: rows whose own date is more than two days from the horizon are far whatever
    # their offset (at most 14 h), and are never converted (year 0001 would overflow pandas 2's nanoseconds).
    day = raw.str.slice(0, 10)
    near_day = (
        (day >= (grid.start - timedelta(days=2)).isoformat())
        & (day <= (grid.start + timedelta(days=grid.days + 2)).isoformat())
    ).to_numpy(dtype=bool)
    _raise_first(~near_day & ~_calendar_valid(raw), raw, source, row, TIMESTAMP_HELP)
    if (has_offset & near_day).any():
        where = np.flatnonzero(has_offset & near_day)
        text = raw.iloc[where]
        utc = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        _raise_first(utc.isna(), text, source, row, TIMESTAMP_HELP)
        near = ((utc >= origin) & (utc < end)).to_numpy()
        slots[where[near]] = _slot_numbers(utc[near], origin, grid.slot_minutes)
    if (local & near_day).any():
        where = np.flatnonzero(local & near_day)
        text = raw.iloc[where]
        naive = pd.to_datetime(text, errors="coerce", format="ISO8601")
        _raise_first(naive.isna(), text, source, row, TIMESTAMP_HELP)
        # A day of margin each side: local midnight of the first and last day is within a day of UTC.
        first = pd.Timestamp(grid.start - timedelta(days=1))
        last = pd.Timestamp(grid.start + timedelta(days=grid.days + 1))
        near = ((naive >= first) & (naive < last)).to_numpy()
        utc = _localize(naive[near], group.iloc[where[near]], text[near], source=source, grid=grid, row=row)
        slots[where[near]] = _slot_numbers(utc, origin, grid.slot_minutes)
    slots[(slots < 0) | (slots >= grid.n_slots)] = -1
    return slots


def _calendar_valid(raw: pd.Series) -> np.ndarray:
    """Whether each well-formed timestamp names a real day and clock time, checked without converting
    it (any year from 0001 to 9999; a file repeats few distinct days, so each is checked once)."""
    parts = raw.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
    days = {d: _is_day(d) for d in parts[0].dropna().unique()}
    good_day = parts[0].map(days).fillna(False).to_numpy(dtype=bool)
    clock = parts[[1, 2, 3]].apply(pd.to_numeric).fillna(0).to_numpy()
    good_clock = (clock[:, 0] <= 23) & (clock[:, 1] <= 59) & (clock[:, 2] <= 59)
    return good_day & good_clock


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _slot_numbers(utc: pd.Series, origin: pd.Timestamp, slot_minutes: int) -> np.ndarray:
    minutes = ((utc - origin).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
    return np.floor_divide(minutes, slot_minutes)


def _raise_first(bad: pd.Series | np.ndarray, raw: pd.Series, source: str, row: RowName, allowed: str) -> None:
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(source, f"{row(raw.index[i])}, column timestamp", raw.iloc[i], allowed)


def _localize(
    naive: pd.Series, group: pd.Series, raw: pd.Series, *, source: str, grid: TimeGrid, row: RowName
) -> pd.Series:
    """Local wall times to UTC. A time the spring change skips is an error; the repeated autumn hour is
    read in file order (its first occurrence is summer time, its second winter time)."""
    nonexistent = (
        naive.dt.tz_localize(grid.timezone, ambiguous="NaT", nonexistent="NaT").isna()
        & naive.dt.tz_localize(grid.timezone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT").isna()
    )
    _raise_first(
        nonexistent,
        raw,
        source,
        row,
        f"a time that exists in {grid.timezone} (the clocks skip it at the daylight-saving change);"
        " give an offset, e.g. +01:00",
    )
    # Per stream, the first row of a repeated wall time is summer time (ambiguous=True), the next winter.
    keyed = pd.DataFrame({"t": naive.to_numpy(), "k": group.to_numpy()})
    summer = ~keyed.duplicated(keep="first").to_numpy()
    local = naive.dt.tz_localize(grid.timezone, ambiguous=summer, nonexistent="raise")
    return local.dt.tz_convert("UTC")


def profile_arrivals(
    profile: ProfileSpec,
    grid: TimeGrid,
    curves: Mapping[str, Sequence[float]],
    weekday_factors: Mapping[str, Sequence[float]],
) -> np.ndarray:
    """Items per slot from a weekly volume, a weekday factor and an hourly curve, times event factors.

    Each local day receives ``weekly_items * factor[weekday] / sum(factors)``, spread over its slots by the
    hourly curve (a 23- or 25-hour day spreads over the hours it has).
    """
    curve = np.asarray(
        curves[profile.daily_curve] if isinstance(profile.daily_curve, str) else profile.daily_curve, float
    )
    factors = np.asarray(
        weekday_factors[profile.weekday_factors]
        if isinstance(profile.weekday_factors, str)
        else profile.weekday_factors,
        float,
    )
    hours = np.asarray(grid.minute_of_slot) // 60
    weights = curve[hours]
    out = np.zeros(grid.n_slots)
    day_of_slot = np.asarray(grid.day_of_slot)
    for d, day in enumerate(grid.dates):
        mine = day_of_slot == d
        total = weights[mine].sum()
        if total > 0:
            out[mine] = profile.weekly_items * factors[day.weekday()] / factors.sum() * weights[mine] / total
    minutes = np.asarray(grid.minute_of_slot)
    for event in profile.events:
        if event.date not in grid.dates:
            continue
        d = grid.dates.index(event.date)
        lo, hi = parse_clock(event.from_), parse_clock(event.to)
        mine = (day_of_slot == d) & (minutes >= lo) & (minutes < hi)
        out[mine] *= event.factor
    return out


def weekday_numbers(days: Sequence[str]) -> tuple[int, ...]:
    return tuple(WEEKDAYS.index(d) for d in days)


__all__ = [
    "DEMAND_COLUMNS",
    "MISSING",
    "TIMESTAMP_HELP",
    "csv_row",
    "demand_items",
    "parse_demand_csv",
    "parse_demand_frame",
    "profile_arrivals",
    "timestamp_kinds",
    "weekday_numbers",
]
