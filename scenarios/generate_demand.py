"""Generate the example demand files (deterministic: fixed seeds). Run from the repository root:

    python scenarios/generate_demand.py

Shapes follow ../shared/DOMAIN.md section 5: general brands peak on weekdays 09:00-13:00 and are lowest on
Sunday; retail adds an evening bump and a promotion-day spike (Black Friday). Hourly counts are Poisson
draws around the curve, so the files look like exports from a social-media inbox.
"""

from __future__ import annotations

import csv
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


def hourly_counts(
    start: date,
    days: int,
    weekly: float,
    curve: list[float],
    week: list[float],
    rng: np.random.Generator,
    spikes: dict[date, tuple[float, int, int]] | None = None,
    timezone: str = "Europe/Paris",
) -> list[tuple[str, int]]:
    """(local timestamp, count) per real hour; a spike multiplies a day's hours [from, to)."""
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


if __name__ == "__main__":
    retailer()
    small_company()
    print("wrote retailer_demand.csv and small_company_demand.csv")
