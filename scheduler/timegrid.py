"""The horizon cut into slots of absolute time, with their local clock, day, calendar week and band.

Slots are counted in real (UTC) time from local midnight of the start date, so a daylight-saving day has
23 or 25 hours of slots and every duration (rest, shift length) is a real duration. Local clock times
(shift starts, night period, bands) are read through the time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BANDS = ("day", "night", "weekend")

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"`` (00:00 to 24:00)."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a time 'HH:MM'")
    hours, minutes = int(match[1]), int(match[2])
    total = hours * 60 + minutes
    if minutes >= 60 or total > 24 * 60:
        raise ValueError(f"{text!r} is not a time between 00:00 and 24:00")
    return total


def parse_window(text: str) -> tuple[int, int]:
    """``"21:00-06:00"`` -> (1260, 360); a window whose end is not after its start wraps past midnight."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not a window 'HH:MM-HH:MM'")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end and not (start == 0 and end == 0):
        raise ValueError(f"{text!r} is an empty window")
    return start, end


def in_window(minute: int, window: tuple[int, int]) -> bool:
    """Whether a local minute of the day lies in [start, end), wrapping past midnight."""
    start, end = window
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class TimeGrid:
    """Slots of ``slot_minutes`` from local midnight of ``start`` for ``days`` local days."""

    start: date
    days: int
    slot_minutes: int
    timezone: str
    holidays: frozenset[date] = frozenset()

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def origin(self) -> datetime:
        """The first instant of the horizon, in UTC."""
        return datetime.combine(self.start, time(0), self.tz).astimezone(UTC)

    @cached_property
    def end(self) -> datetime:
        last = self.start + timedelta(days=self.days)
        return datetime.combine(last, time(0), self.tz).astimezone(UTC)

    @cached_property
    def n_slots(self) -> int:
        minutes = int((self.end - self.origin).total_seconds() // 60)
        return minutes // self.slot_minutes

    @property
    def slot_hours(self) -> float:
        return self.slot_minutes / 60

    @property
    def slots_per_hour(self) -> float:
        return 60 / self.slot_minutes

    def slots(self, hours: float) -> int:
        """Whole slots in a duration of ``hours`` (durations are validated to be multiples of a slot)."""
        return round(hours * 60 / self.slot_minutes)

    @cached_property
    def local_starts(self) -> tuple[datetime, ...]:
        step = timedelta(minutes=self.slot_minutes)
        return tuple((self.origin + i * step).astimezone(self.tz) for i in range(self.n_slots))

    @cached_property
    def dates(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=d) for d in range(self.days))

    @cached_property
    def day_of_slot(self) -> tuple[int, ...]:
        return tuple((t.date() - self.start).days for t in self.local_starts)

    @cached_property
    def minute_of_slot(self) -> tuple[int, ...]:
        """Local minute of the day at which each slot starts."""
        return tuple(t.hour * 60 + t.minute for t in self.local_starts)

    @cached_property
    def weekday_of_slot(self) -> tuple[int, ...]:
        return tuple(t.weekday() for t in self.local_starts)

    @cached_property
    def day_start_slot(self) -> tuple[int, ...]:
        """First slot of each local day, plus ``n_slots`` at the end (so day d is [s[d], s[d+1]))."""
        starts = [0] * (self.days + 1)
        starts[self.days] = self.n_slots
        seen = set()
        for i, d in enumerate(self.day_of_slot):
            if d not in seen:
                seen.add(d)
                starts[d] = i
        return tuple(starts)

    # Calendar weeks run Monday 00:00 to Sunday 24:00 local; the first and last may be cut by the horizon.
    @cached_property
    def week_of_day(self) -> tuple[int, ...]:
        first_monday = self.start - timedelta(days=self.start.weekday())
        return tuple((d - first_monday).days // 7 for d in self.dates)

    @cached_property
    def n_weeks(self) -> int:
        return self.week_of_day[-1] + 1

    @cached_property
    def week_of_slot(self) -> tuple[int, ...]:
        return tuple(self.week_of_day[d] for d in self.day_of_slot)

    @cached_property
    def week_bounds(self) -> tuple[tuple[int, int], ...]:
        """Per calendar week, [first, last) slot of the full Monday-to-Sunday week in slot units.

        Values may lie outside [0, n_slots) when the horizon cuts the week: time outside the horizon is
        unknown and treated as rest.
        """
        bounds = []
        first_monday = self.start - timedelta(days=self.start.weekday())
        for w in range(self.n_weeks):
            monday = first_monday + timedelta(days=7 * w)
            bounds.append((self.slot_of_instant(monday, 0), self.slot_of_instant(monday + timedelta(days=7), 0)))
        return tuple(bounds)

    @cached_property
    def days_in_week(self) -> tuple[int, ...]:
        counts = [0] * self.n_weeks
        for w in self.week_of_day:
            counts[w] += 1
        return tuple(counts)

    def slot_of_instant(self, day: date, minute: int) -> int:
        """Slot index (possibly outside the horizon) of a local date and minute; first fold if ambiguous."""
        local = datetime.combine(day, time(0)) + timedelta(minutes=minute)
        instant = local.replace(tzinfo=self.tz).astimezone(UTC)
        return int((instant - self.origin).total_seconds() // 60) // self.slot_minutes

    def local_slot(self, day: int, minute: int) -> int | None:
        """Slot starting at local ``minute`` of horizon day ``day``; None if that clock time does not
        exist that day (spring-forward gap) or is not on the slot grid. Ambiguous times take the first."""
        if minute >= 24 * 60:
            return None
        naive = datetime.combine(self.dates[day], time(0)) + timedelta(minutes=minute)
        aware = naive.replace(tzinfo=self.tz, fold=0)
        back = aware.astimezone(UTC).astimezone(self.tz)
        if back.replace(tzinfo=None) != naive:
            return None  # does not exist on this day
        delta = int((aware.astimezone(UTC) - self.origin).total_seconds() // 60)
        if delta % self.slot_minutes:
            return None
        return delta // self.slot_minutes

    def instant(self, slot: int) -> datetime:
        """Local start time of any slot index, including ones outside the horizon."""
        return (self.origin + timedelta(minutes=slot * self.slot_minutes)).astimezone(self.tz)

    # Time flags per slot, in local clock time.
    def in_window_slots(self, window: tuple[int, int]) -> tuple[bool, ...]:
        return tuple(in_window(m, window) for m in self.minute_of_slot)

    @cached_property
    def is_sunday(self) -> tuple[bool, ...]:
        return tuple(w == 6 for w in self.weekday_of_slot)

    @cached_property
    def is_holiday(self) -> tuple[bool, ...]:
        return tuple(self.dates[d] in self.holidays for d in self.day_of_slot)

    @cached_property
    def is_may_first(self) -> tuple[bool, ...]:
        return tuple(self.dates[d].month == 5 and self.dates[d].day == 1 for d in self.day_of_slot)

    def bands(
        self, night: tuple[int, int], weekend_days: tuple[int, ...], holidays_as_weekend: bool
    ) -> tuple[str, ...]:
        """Band of each slot: ``night`` inside the night window, else ``weekend`` on weekend days (and
        holidays), else ``day``."""
        out = []
        for i, minute in enumerate(self.minute_of_slot):
            if in_window(minute, night):
                out.append("night")
            elif self.weekday_of_slot[i] in weekend_days or (holidays_as_weekend and self.is_holiday[i]):
                out.append("weekend")
            else:
                out.append("day")
        return tuple(out)
