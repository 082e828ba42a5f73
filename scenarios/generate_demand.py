"""Generate the example demand files (deterministic: fixed seeds). Run from the repository root:

    python scenarios/generate_demand.py

Shapes follow ../shared/DOMAIN.md section 5: general brands peak on weekdays 09:00-13:00 and are lowest on
Sunday; retail adds an evening bump and a promotion-day spike (Black Friday); leisure brands peak in the
evening and at weekends, and over the year in the summer and school holidays. Hourly counts are Poisson
draws around the curve, so the files look like exports from a social-media inbox.

Besides the scenarios' demand files it writes two demand histories for the year plan's forecast: the
holiday park's two years (scenarios/holiday_park_history.csv) and ten weeks for the tests
(tests/data/history_10weeks.csv).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

HERE = Path(__file__).resolve().parent

RETAIL_CURVE = [
    0.3,
    0.2,
    0.1,
    0.1,
    0.1,
    0.2,
    0.4,
    0.9,
    1.8,
    2.6,
    2.9,
    2.8,
    2.7,
    2.6,
    2.5,
    2.5,
    2.6,
    2.8,
    2.9,
    2.7,
    2.2,
    1.6,
    1.0,
    0.6,
]
OFFICE_CURVE = [
    0.3,
    0.2,
    0.15,
    0.1,
    0.1,
    0.2,
    0.5,
    1.0,
    2.0,
    3.0,
    3.4,
    3.4,
    3.2,
    2.8,
    2.6,
    2.5,
    2.4,
    2.2,
    1.9,
    1.6,
    1.3,
    1.0,
    0.7,
    0.5,
]
GENERAL_WEEK = [1.1, 1.1, 1.05, 1.05, 1.0, 0.8, 0.6]
# The scenario defaults' "evening" curve and "leisure" weekday factors (scheduler/scenario/defaults.yaml).
EVENING_CURVE = [0.6, 0.4, 0.25, 0.2, 0.2, 0.3, 0.6, 1.0, 1.5, 1.8, 2.0, 2.1, 2.3, 2.2, 2.0, 2.0, 2.1, 2.4, 2.9, 3.4]
EVENING_CURVE += [3.8, 3.7, 2.9, 1.6]
LEISURE_WEEK = [0.85, 0.85, 0.9, 0.95, 1.1, 1.3, 1.25]
# Guests review after their stay: Saturday departures make Sunday and Monday the reviewing days.
REVIEW_WEEK = [1.3, 1.1, 0.9, 0.8, 0.8, 0.9, 1.3]
# French school holidays 2024-2027, the union of zones A, B and C, first and last day off (approximate:
# each zone's winter and spring breaks are two of these weeks).
SCHOOL_HOLIDAYS = [
    (date(2024, 12, 21), date(2025, 1, 5)),
    (date(2025, 2, 8), date(2025, 3, 9)),
    (date(2025, 4, 5), date(2025, 5, 4)),
    (date(2025, 5, 29), date(2025, 6, 1)),  # Ascension bridge
    (date(2025, 7, 5), date(2025, 8, 31)),
    (date(2025, 10, 18), date(2025, 11, 2)),
    (date(2025, 12, 20), date(2026, 1, 4)),
    (date(2026, 2, 7), date(2026, 3, 8)),
    (date(2026, 4, 4), date(2026, 5, 3)),
    (date(2026, 5, 14), date(2026, 5, 17)),  # Ascension bridge
    (date(2026, 7, 4), date(2026, 8, 31)),
    (date(2026, 10, 17), date(2026, 11, 1)),
    (date(2026, 12, 19), date(2027, 1, 3)),
]


def hourly_counts(
    start: date,
    days: int,
    weekly: float,
    curve: list[float],
    week: list[float],
    rng: np.random.Generator,
    spikes: dict[date, tuple[float, int, int]] | None = None,
    timezone: str = "Europe/Paris",
    day_factors: Mapping[date, float] | None = None,
) -> list[tuple[str, int]]:
    """(local timestamp, count) per real hour; a spike multiplies a day's hours [from, to), a day factor
    the whole day (the shape of a year)."""
    tz = ZoneInfo(timezone)
    curve_arr = np.asarray(curve) / sum(curve)
    week_arr = np.asarray(week) / sum(week)
    rows = []
    origin = datetime.combine(start, datetime.min.time(), tz)
    end = datetime.combine(start + timedelta(days=days), datetime.min.time(), tz)
    t = origin.astimezone(ZoneInfo("UTC"))
    while t < end.astimezone(ZoneInfo("UTC")):
        local = t.astimezone(tz)
        mean = weekly * week_arr[local.weekday()] * curve_arr[local.hour]
        spike = (spikes or {}).get(local.date())
        if spike and spike[1] <= local.hour < spike[2]:
            mean *= spike[0]
        if day_factors is not None:
            mean *= day_factors[local.date()]
        rows.append((local.isoformat(timespec="minutes"), int(rng.poisson(mean))))
        t += timedelta(hours=1)
    return rows


def write(path: Path, streams: dict[str, list[tuple[str, int]]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "stream", "items"])
        for name, rows in streams.items():
            for stamp, count in rows:
                writer.writerow([stamp, name, count])


def retailer() -> None:
    """Four weeks of November-December 2026 for a fashion retailer; Black Friday is 27 November."""
    rng = np.random.default_rng(2026)
    start = date(2026, 11, 9)
    black_friday = {date(2026, 11, 27): (3.0, 7, 24), date(2026, 11, 30): (1.8, 7, 24)}  # + Cyber Monday
    write(
        HERE / "retailer_demand.csv",
        {
            "moderation": hourly_counts(start, 28, 26_000, RETAIL_CURVE, GENERAL_WEEK, rng, black_friday),
            "care": hourly_counts(start, 28, 1_600, RETAIL_CURVE, GENERAL_WEEK, rng, black_friday),
        },
    )


def small_company() -> None:
    """Four weeks of March 2027 for a small furniture shop on Instagram (the clocks change on the 28th)."""
    rng = np.random.default_rng(7)
    start = date(2027, 3, 8)
    write(
        HERE / "small_company_demand.csv",
        {
            "moderation": hourly_counts(start, 28, 3_500, OFFICE_CURVE, GENERAL_WEEK, rng),
            "care": hourly_counts(start, 28, 420, OFFICE_CURVE, GENERAL_WEEK, rng),
        },
    )


def holiday_park_year(day: date) -> float:
    """A holiday park's demand on a day relative to an average day: a summer peak (highest early August),
    a winter low, school holidays above the weeks around them, and 6 % growth a year."""
    summer = 1.6 * np.exp(-(((day - date(day.year, 8, 3)).days / 30) ** 2))
    winter = -0.25 * np.exp(-(((day - date(day.year, 1, 20)).days / 35) ** 2))
    winter += -0.25 * np.exp(-(((day - date(day.year + 1, 1, 20)).days / 35) ** 2))
    school = 0.3 if any(first <= day <= last for first, last in SCHOOL_HOLIDAYS) else 0.0
    growth = 1.06 ** ((day - date(2025, 1, 1)).days / 365)
    return (0.8 + summer + winter + school) * growth


def holiday_park_history() -> None:
    """Two years of hourly items, Monday 30 December 2024 to Sunday 3 January 2027 (105 weeks), for the
    holiday-park example's year plan: public comments and messages (``social``) and guest reviews
    (``reviews``, a week behind the stays they describe)."""
    rng = np.random.default_rng(2025)
    start, days = date(2024, 12, 30), 105 * 7
    stays = {start + timedelta(days=d): holiday_park_year(start + timedelta(days=d)) for d in range(days)}
    reviews = {day: holiday_park_year(day - timedelta(days=7)) for day in stays}
    write(
        HERE / "holiday_park_history.csv",
        {
            "social": hourly_counts(start, days, 9_000, EVENING_CURVE, LEISURE_WEEK, rng, day_factors=stays),
            "reviews": hourly_counts(start, days, 700, EVENING_CURVE, REVIEW_WEEK, rng, day_factors=reviews),
        },
    )


def history_10weeks() -> None:
    """Ten weeks of hourly items for the forecast tests, across the spring clock change of 28 March 2027."""
    rng = np.random.default_rng(10)
    start = date(2027, 2, 15)
    write(
        HERE.parent / "tests" / "data" / "history_10weeks.csv",
        {
            "social": hourly_counts(start, 70, 3_000, EVENING_CURVE, LEISURE_WEEK, rng),
            "reviews": hourly_counts(start, 70, 300, EVENING_CURVE, REVIEW_WEEK, rng),
        },
    )


if __name__ == "__main__":
    retailer()
    small_company()
    holiday_park_history()
    history_10weeks()
    print(
        "wrote retailer_demand.csv, small_company_demand.csv, holiday_park_history.csv"
        " and ../tests/data/history_10weeks.csv"
    )
