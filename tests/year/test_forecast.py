"""The year plan's demand forecast: reading a history (good files, every kind of bad file named with its
field), the weekly shape, the scenario's monthly factors, the history's own year, intervals and the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.errors import InputError
from scheduler.year.forecast import (
    Forecast,
    forecast_chart,
    forecast_history,
    parse_history_csv,
    read_history,
)

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "timestamp,stream,items\n"
WEEK = (100.0, 110.0, 120.0, 130.0, 160.0, 220.0, 200.0)  # Monday to Sunday; weekdays differ by >= 10 items
# ETS fits its initial states by numerical optimisation, so an exactly periodic history comes back periodic
# up to the optimiser's precision, not bit for bit; 1 % is ten times tighter than the smallest weekday step.
PERIODIC_TOLERANCE = 0.01


def daily_text(start: date, days: int, value, stream: str = "social") -> str:
    """A daily history: ``value(day)`` items on each of ``days`` days from ``start``."""
    rows = [f"{start + timedelta(days=d)},{stream},{value(start + timedelta(days=d))}" for d in range(days)]
    return HEADER + "\n".join(rows) + "\n"


def weekly_shape(day: date) -> float:
    return WEEK[day.weekday()]


def history_of(text: str) -> pd.DataFrame:
    return parse_history_csv(text, source="history.csv")


def week_total(forecast: Forecast, monday: date, stream: str = "social") -> float:
    row = forecast.weekly[(forecast.weekly["week_start"] == monday) & (forecast.weekly["stream"] == stream)]
    return float(row["items"].iloc[0])


# --------------------------------------------------------------------------------------------- reading
def test_the_ten_week_hourly_file_reads_as_daily_totals_across_the_clock_change() -> None:
    history = read_history(DATA / "history_10weeks.csv")
    rows = pd.read_csv(DATA / "history_10weeks.csv")
    assert history.attrs == {"source": str(DATA / "history_10weeks.csv"), "step_minutes": {"reviews": 60, "social": 60}}
    for stream, part in history.groupby("stream"):
        assert len(part) == 70 and part["date"].iloc[0] == date(2027, 2, 15)
        assert part["items"].sum() == rows.loc[rows["stream"] == stream, "items"].sum()
    # 28 March 2027 has 23 hours; it is one day like the others, not a missing or a double one.
    assert (history["date"] == date(2027, 3, 28)).sum() == 2


def test_a_day_without_rows_has_no_items_and_offsets_keep_their_own_wall_clock() -> None:
    text = daily_text(date(2026, 1, 5), 60, weekly_shape).replace("2026-01-07,social,120.0\n", "")
    text += "2026-03-06T23:30+05:00,social,7\n"  # 6 March in its writer's day, whatever the UTC date
    history = history_of(text).set_index("date")["items"]
    assert history[date(2026, 1, 7)] == 0 and len(history) == 61
    assert history[date(2026, 3, 6)] == 7


def test_a_seven_week_history_is_refused_naming_the_file(tmp_path) -> None:
    path = tmp_path / "short_history.csv"
    path.write_text(daily_text(date(2026, 1, 5), 49, weekly_shape))
    with pytest.raises(InputError) as info:
        read_history(path)
    assert str(path) in str(info.value) and "at least 8 weeks" in str(info.value)
    assert "49 days" in str(info.value)


def test_a_missing_history_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="an existing demand history CSV"):
        read_history(tmp_path / "nowhere.csv")


EIGHT_WEEKS = daily_text(date(2026, 1, 5), 56, weekly_shape)
MINUTE_BURSTS = HEADER + "".join(
    f"{date(2026, 1, 5) + timedelta(days=d)} 10:0{m},social,1\n" for d in range(60) for m in range(3)
)
WEEKLY_TOTALS = HEADER + "".join(f"{date(2026, 1, 5) + timedelta(weeks=w)},social,900\n" for w in range(12))
TEN_DAY_HOLE = daily_text(date(2026, 1, 5), 70, lambda day: "" if date(2026, 2, 1) <= day <= date(2026, 2, 10) else 5)
TEN_DAY_HOLE = "\n".join(line for line in TEN_DAY_HOLE.split("\n") if not line.endswith(","))


@pytest.mark.parametrize(
    ("text", "field", "value", "allowed"),
    [
        (EIGHT_WEEKS.replace("2026-01-20", "2026-02-30"), "row 17, column timestamp", "2026-02-30", "a date and time"),
        (EIGHT_WEEKS.replace("2026-01-20", "20/01/2026"), "row 17, column timestamp", "20/01/2026", "a date and time"),
        (EIGHT_WEEKS.replace("2026-01-20,social,110", "2026-01-20,social,-3"), "row 17, column items", "-3", "from 0"),
        (
            EIGHT_WEEKS.replace("2026-01-20,social,110", "2026-01-20,social,many"),
            "row 17, column items",
            "many",
            "a number",
        ),
        (EIGHT_WEEKS.replace("2026-01-20,social", "2026-01-20,"), "row 17, column stream", "", "a stream name"),
        (
            EIGHT_WEEKS.replace("timestamp,stream,items", "timestamp,stream,items,channel").replace("\n2", ",x\n2"),
            "columns",
            "channel",
            "exactly timestamp, stream, items",
        ),
        (EIGHT_WEEKS.replace("items", "volume", 1), "columns", "volume", "missing column(s) items"),
        (
            daily_text(date(2026, 1, 5), 55, weekly_shape),
            "column timestamp (stream 'social')",
            "55 days",
            "at least 8 weeks",
        ),
        (MINUTE_BURSTS, "column timestamp (stream 'social')", "every 1 min", "from every 5 minutes to once a day"),
        (WEEKLY_TOTALS, "column timestamp (stream 'social')", "every 7 day(s)", "from every 5 minutes to once a day"),
        (TEN_DAY_HOLE, "column timestamp (stream 'social')", "2026-02-01 to 2026-02-10", "write rows with 0 items"),
        ("", "file", "", "a CSV with a header line"),
    ],
    ids=[
        "impossible date",
        "not ISO",
        "negative items",
        "items not a number",
        "blank stream",
        "unknown column",
        "missing column",
        "55 days",
        "minute rows",
        "weekly totals",
        "ten-day hole",
        "empty file",
    ],
)
def test_bad_history_is_refused_with_file_field_value_and_what_is_allowed(text, field, value, allowed) -> None:
    with pytest.raises(InputError) as info:
        history_of(text)
    error = info.value
    assert error.file == "history.csv" and error.field == field
    assert value in str(error.value) and allowed in error.allowed
    assert str(error).startswith(f"history.csv: {field} = ")


# ------------------------------------------------------------------------------------------ forecasting
def test_an_exactly_weekly_history_forecasts_its_week() -> None:
    history = history_of(daily_text(date(2026, 1, 5), 70, weekly_shape))
    forecast = forecast_history(history, date(2026, 4, 1), 3)
    expected = np.array([WEEK[d.weekday()] for d in forecast.daily["date"]])
    assert np.allclose(forecast.daily["items"], expected, rtol=PERIODIC_TOLERANCE)
    assert np.allclose(forecast.weekly["items"], sum(WEEK), rtol=PERIODIC_TOLERANCE)
    assert "AutoETS" in forecast.method and "no yearly shape" in forecast.method


def test_the_weeks_cover_the_plan_and_add_up_the_days() -> None:
    history = read_history(DATA / "history_10weeks.csv")
    forecast = forecast_history(history, date(2027, 5, 5), 2)  # a Wednesday; ends Sunday 4 July
    mondays = sorted(forecast.weekly["week_start"].unique())
    assert mondays[0] == date(2027, 5, 3) and mondays[-1] == date(2027, 6, 28)
    assert all(m.weekday() == 0 for m in mondays) and len(mondays) == 9
    assert set(forecast.daily["date"]) == {date(2027, 5, 3) + timedelta(days=d) for d in range(63)}
    by_week = forecast.daily.assign(week=[d - timedelta(days=d.weekday()) for d in forecast.daily["date"]])
    sums = by_week.groupby(["week", "stream"])[["items", "lo", "hi"]].sum().to_numpy()
    assert np.allclose(sums, forecast.weekly[["items", "lo", "hi"]].to_numpy())
    assert forecast.history_weekly["week_start"].nunique() == 10 and forecast.level == 80


def test_monthly_factors_scale_their_months_against_the_history_level() -> None:
    history = history_of(daily_text(date(2026, 1, 5), 70, weekly_shape))  # January to March: factor 1
    forecast = forecast_history(history, date(2026, 6, 1), 3, monthly_factors={7: 2.0, 8: 1.5})
    june, july, august = date(2026, 6, 8), date(2026, 7, 6), date(2026, 8, 3)  # Mondays of whole-month weeks
    assert week_total(forecast, june) == pytest.approx(sum(WEEK), rel=PERIODIC_TOLERANCE)
    assert week_total(forecast, july) == pytest.approx(2.0 * sum(WEEK), rel=PERIODIC_TOLERANCE)
    assert week_total(forecast, august) == pytest.approx(1.5 * sum(WEEK), rel=PERIODIC_TOLERANCE)
    assert "monthly factors" in forecast.method


def test_a_history_from_a_high_month_is_read_through_its_factor() -> None:
    # February was twice as busy, as the scenario's factors say: the year's level is the other months'.
    busy = {2: 2.0}
    history = history_of(daily_text(date(2026, 1, 5), 70, lambda d: weekly_shape(d) * busy.get(d.month, 1.0)))
    forecast = forecast_history(history, date(2026, 6, 1), 1, monthly_factors=busy)
    assert week_total(forecast, date(2026, 6, 8)) == pytest.approx(sum(WEEK), rel=PERIODIC_TOLERANCE)


def two_years_with_an_august_peak(start: date = date(2024, 12, 30), days: int = 735) -> str:
    rng = np.random.default_rng(3)
    noise = rng.normal(1.0, 0.05, days)

    def value(day: date) -> float:
        summer = 2.0 * np.exp(-(((day - date(day.year, 8, 10)).days / 25) ** 2))
        return round(weekly_shape(day) * (1.0 + summer) * noise[(day - start).days], 1)

    return daily_text(start, days, value)


def test_two_years_of_history_put_the_yearly_peak_in_its_month() -> None:
    history = history_of(two_years_with_an_august_peak())
    # Factors that say January would be the peak are overruled by the history's own year.
    forecast = forecast_history(history, date(2027, 1, 4), 12, monthly_factors={1: 3.0})
    by_month = forecast.daily.groupby([d.month for d in forecast.daily["date"]])["items"].mean()
    assert by_month.idxmax() == 8
    assert by_month[8] > 2 * by_month[[1, 2, 3, 11, 12]].max()
    assert "MSTL" in forecast.method and "not used" in forecast.method


def test_intervals_hold_the_forecast_and_nothing_is_negative() -> None:
    ten_weeks = forecast_history(read_history(DATA / "history_10weeks.csv"), date(2027, 6, 1), 6)
    # Falling by 14 items a day to 34 on the last day: any trend the model keeps crosses zero.
    falling = history_of(daily_text(date(2026, 1, 5), 70, lambda d: 1000 - 14 * (d - date(2026, 1, 5)).days))
    to_zero = forecast_history(falling, date(2026, 4, 1), 6)
    for forecast in (ten_weeks, to_zero):
        for table in (forecast.daily, forecast.weekly):
            assert (table["lo"] <= table["items"] + 1e-9).all() and (table["items"] <= table["hi"] + 1e-9).all()
            assert (table[["items", "lo", "hi"]] >= 0).all().all()
    assert (ten_weeks.weekly["hi"] > ten_weeks.weekly["lo"]).all()  # real intervals, not points
    assert (to_zero.daily["lo"] == 0).any()  # clipped, not negative


def test_the_forecast_is_deterministic() -> None:
    history = read_history(DATA / "history_10weeks.csv")
    first, second = (forecast_history(history, date(2027, 5, 3), 4, {6: 1.4}) for _ in range(2))
    pd.testing.assert_frame_equal(first.weekly, second.weekly)
    pd.testing.assert_frame_equal(first.daily, second.daily)


def test_history_from_the_plan_s_first_week_on_is_left_out_and_said() -> None:
    history = read_history(DATA / "history_10weeks.csv")  # 15 February to 25 April 2027
    forecast = forecast_history(history, date(2027, 4, 21), 1)  # its week starts Monday 19 April
    assert min(forecast.daily["date"]) == date(2027, 4, 19)
    assert "history from 2027-04-19 on not used" in forecast.method
    with pytest.raises(InputError, match=r"at least 8 weeks \(56 days\) of history before the plan's first week"):
        forecast_history(history, date(2027, 4, 1), 1)


# ------------------------------------------------------------------------------------------------ chart
def test_the_chart_is_one_embeddable_svg() -> None:
    forecast = forecast_history(read_history(DATA / "history_10weeks.csv"), date(2027, 5, 3), 3)
    svg = forecast_chart(forecast)
    assert svg.startswith('<svg class="chart" role="img" aria-label="Demand history and forecast per week"')
    ET.fromstring(svg)
