"""The slot grid in real time: daylight-saving days, calendar weeks cut by the horizon, windows."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.timegrid import TimeGrid, in_window, parse_clock, parse_window


def test_spring_forward_day_has_23_hours() -> None:
    grid = TimeGrid(date(2027, 3, 28), 1, 60, "Europe/Paris")
    assert grid.n_slots == 23
    assert grid.local_slot(0, 2 * 60) is None  # 02:00 does not exist that day
    assert grid.local_slot(0, 3 * 60) == 2


def test_fall_back_day_has_25_hours_and_takes_the_first_fold() -> None:
    grid = TimeGrid(date(2026, 10, 25), 1, 30, "Europe/Paris")
    assert grid.n_slots == 50
    assert grid.local_slot(0, 2 * 60) == 4
    assert grid.minute_of_slot[4] == grid.minute_of_slot[6] == 120  # 02:00 comes twice


def test_weeks_cut_by_the_horizon_reach_outside_it() -> None:
    grid = TimeGrid(date(2026, 6, 3), 10, 60, "Europe/Paris")  # Wednesday
    assert grid.n_weeks == 2
    assert grid.days_in_week == (5, 5)
    first, second = grid.week_bounds
    assert first == (-48, 120)  # Monday 00:00 before the start, Monday 00:00 after
    assert second == (120, 288)


def test_month_edge_dates() -> None:
    grid = TimeGrid(date(2026, 1, 30), 4, 60, "Europe/Paris")
    assert [d.isoformat() for d in grid.dates] == ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]
    assert grid.week_of_day == (0, 0, 0, 1)


@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("06:30", 390), ("24:00", 1440)])
def test_parse_clock(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["24:01", "7h", "12:60", ""])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_windows_wrap_past_midnight() -> None:
    night = parse_window("21:00-06:00")
    assert in_window(21 * 60, night) and in_window(0, night) and in_window(5 * 60 + 59, night)
    assert not in_window(6 * 60, night) and not in_window(20 * 60 + 59, night)
