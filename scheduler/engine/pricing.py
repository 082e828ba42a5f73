"""Per-person schedules: who is priced together, what a schedule costs, and the cheapest one at given prices.

A **group** is a set of workers the master cannot tell apart: one named person, several named people of a
crew with the same shifts open to them (no leave, same availability) and the same fixed pay, or a crew's
hire slots (identical by construction, filled in order). A **schedule** (a column of the master) is one
worker's shifts over the horizon, at most one a day, legal under every per-person rule of the rule set:

- the day's shift lies in the worker's catalogue (permissions, leave, availability, internship window and
  the 10 h day are applied when the catalogue is made, ``ModelData``);
- L3131-1, the daily rest between consecutive shifts;
- L3121-20, the hours of each calendar week (a shift across Sunday midnight is split), and the trainee's
  35 h week; L3121-22, the average week over the horizon;
- L3132-1, working days per calendar week; L3132-2, the weekly rest (read inside the week, or starting in
  it, as the rule set says; time outside the horizon counts as rest);
- L3122-5/6/7, night work: a person is priced twice, as a night worker (every shift at most 8 h, the
  night worker's average week) and as one who is not (at most one night shift a calendar week), so that
  status, which holds for the whole horizon, is exact;
- agreed weekly presence in the weeks it applies to.

Its cost is exact, in cents: fixed pay (salary, charges, leave provision, recruitment, training), the
shifts' premiums or stipend, and the overtime of each calendar week (L3121-36).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from scheduler.engine.labeling import label_schedules
from scheduler.model.data import ModelData, Worker, agreed_weeks

BIG = 1 << 30  # a count no rule reaches


@dataclass(frozen=True)
class Group:
    """Identical workers priced together; the master picks ``least`` to ``most`` schedules for them."""

    crew: int
    workers: tuple[int, ...]  # worker indices: named people, or a crew's hire slots in the order filled
    hire: bool
    least: int
    most: int
    fixed: int  # cents of fixed pay per worker on the payroll

    @property
    def worker(self) -> int:
        return self.workers[0]


@dataclass(frozen=True)
class Schedule:
    """A column: the shifts (role shift indices, in day order) one worker of a group works, and its cost."""

    group: int
    shifts: tuple[int, ...]
    cost: int  # cents
    night_worker: bool


def make_groups(data: ModelData) -> tuple[Group, ...]:
    """Named people by crew, shifts open to them and fixed pay; each crew's hire slots as one group."""
    out: list[Group] = []
    for c, crew in enumerate(data.crews):
        alike: dict[tuple, list[int]] = defaultdict(list)
        for w in crew.existing:
            worker = data.workers[w]
            alike[(worker.shifts, worker.fixed_cost, worker.shift_cost)].append(w)
        for members in alike.values():
            n = len(members)
            out.append(Group(c, tuple(members), False, n, n, data.workers[members[0]].fixed_cost))
        if crew.hires:
            fixed = data.workers[crew.hires[0]].fixed_cost
            out.append(Group(c, crew.hires, True, crew.hire_min, len(crew.hires), fixed))
    return tuple(out)


# ------------------------------------------------------------------------------------------ the cost
def week_slots(data: ModelData, worker: Worker, shifts: tuple[int, ...]) -> dict[int, int]:
    """Slots worked in each calendar week (a shift across Sunday midnight split)."""
    catalogue = data.shifts[worker.role]
    out: dict[int, int] = defaultdict(int)
    for i in shifts:
        for week, n in catalogue[i].week_slots:
            out[week] += n
    return out


def overtime_cost(worker: Worker, weekly: dict[int, int]) -> int:
    """Cents of overtime: each calendar week's slots above the legal week, and above the second tier."""
    limits = worker.limits
    return sum(
        worker.overtime_unit * max(0, n - limits.legal_week)
        + worker.overtime2_unit * max(0, n - limits.overtime_second_tier)
        for n in weekly.values()
    )


def schedule_cost(data: ModelData, group: Group, shifts: tuple[int, ...]) -> int:
    """The exact cost of a schedule in cents: fixed pay, shift prices and overtime."""
    worker = data.workers[group.worker]
    prices = worker.price_of
    return group.fixed + sum(prices[i] for i in shifts) + overtime_cost(worker, week_slots(data, worker, shifts))


def is_night_worker(data: ModelData, worker: Worker, shifts: tuple[int, ...]) -> bool:
    limits = worker.limits
    if not limits.night_worker_shifts:
        return False
    catalogue = data.shifts[worker.role]
    per_week: dict[int, int] = defaultdict(int)
    for i in shifts:
        if catalogue[i].night_shift:
            per_week[data.scenario.grid.week_of_day[catalogue[i].day]] += 1
    return any(n >= limits.night_worker_shifts for n in per_week.values())


# --------------------------------------------------------------------------------------- the pricing
@dataclass(frozen=True)
class Variant:
    """One group's pricing problem as arrays: its shifts by day and the limits of one night-work status."""

    group: int
    night_worker: bool
    shift_index: np.ndarray  # local shift j -> role shift index
    day_first: np.ndarray
    start: np.ndarray
    end: np.ndarray
    length: np.ndarray
    week_a: np.ndarray
    week_b: np.ndarray
    night: np.ndarray
    price: np.ndarray  # cents (premiums or stipend)
    limits: tuple  # the scalar arguments of the kernel, in its order


@dataclass(frozen=True)
class Calendar:
    """The horizon's days and weeks as the kernel reads them."""

    day_week: np.ndarray
    day_start: np.ndarray
    day_closes: np.ndarray
    week_lo: np.ndarray
    week_hi: np.ndarray


def calendar_of(data: ModelData) -> Calendar:
    grid = data.scenario.grid
    day_week = np.array(grid.week_of_day, dtype=np.int64)
    closes = np.zeros(grid.days, dtype=np.bool_)
    closes[-1] = True
    closes[:-1] = day_week[1:] != day_week[:-1]
    return Calendar(
        day_week=day_week,
        day_start=np.array(grid.day_start_slot, dtype=np.int64),
        day_closes=closes,
        week_lo=np.array([lo for lo, _ in grid.week_bounds], dtype=np.int64),
        week_hi=np.array([hi for _, hi in grid.week_bounds], dtype=np.int64),
    )


def variants_of(data: ModelData, groups: tuple[Group, ...]) -> list[Variant]:
    """Each group's pricing problems: one, or two when the person may become a night worker."""
    grid = data.scenario.grid
    out = []
    for g, group in enumerate(groups):
        worker = data.workers[group.worker]
        limits = worker.limits
        catalogue = data.shifts[worker.role]
        allowed = sorted(worker.shifts, key=lambda i: (catalogue[i].day, catalogue[i].start, catalogue[i].end))
        may_night = bool(limits.night_worker_shifts) and any(catalogue[i].night_shift for i in allowed)
        statuses = (False, True) if may_night else (False,)
        agreed = np.zeros(grid.n_weeks, dtype=np.int64)
        for week in agreed_weeks(data, worker) if worker.min_weekly_slots else ():
            agreed[week] = worker.min_weekly_slots
        for night_worker in statuses:
            if night_worker:
                chosen = [i for i in allowed if catalogue[i].length <= limits.night_worker_max_daily]
                max_total = min(limits.max_total, limits.night_worker_max_total)
                night_free = BIG
            else:
                chosen = allowed
                max_total = limits.max_total
                night_free = limits.night_worker_shifts - 1 if may_night else BIG
            first = np.zeros(grid.days + 1, dtype=np.int64)
            for i in chosen:
                first[catalogue[i].day + 1] += 1
            first = np.cumsum(first)
            wa, wb = [], []
            for i in chosen:
                s = catalogue[i]
                own = grid.week_of_day[s.day]
                wa.append(sum(n for week, n in s.week_slots if week == own))
                wb.append(sum(n for week, n in s.week_slots if week != own))
            prices = worker.price_of
            out.append(
                Variant(
                    group=g,
                    night_worker=night_worker,
                    shift_index=np.array(chosen, dtype=np.int64),
                    day_first=first,
                    start=np.array([catalogue[i].start for i in chosen], dtype=np.int64),
                    end=np.array([catalogue[i].end for i in chosen], dtype=np.int64),
                    length=np.array([catalogue[i].length for i in chosen], dtype=np.int64),
                    week_a=np.array(wa, dtype=np.int64),
                    week_b=np.array(wb, dtype=np.int64),
                    night=np.array([int(catalogue[i].night_shift) for i in chosen], dtype=np.int64),
                    price=np.array([prices[i] for i in chosen], dtype=np.float64),
                    limits=(
                        agreed,
                        np.full(grid.n_weeks, limits.max_days_per_week, dtype=np.int64),
                        limits.max_weekly,
                        max_total,
                        limits.min_rest,
                        limits.weekly_rest,
                        limits.weekly_rest_within_week,
                        limits.legal_week,
                        limits.overtime_second_tier,
                        float(worker.overtime_unit),
                        float(worker.overtime2_unit),
                        night_free,
                    ),
                )
            )
    return out


def cheapest(
    variant: Variant, calendar: Calendar, pay: np.ndarray, *, keep: int = 1, max_labels: int = 0
) -> tuple[np.ndarray, list[tuple[int, ...]], bool]:
    """The ``keep`` cheapest schedules of a variant when the master pays ``pay[j]`` cents for its shift j:
    their costs net of that pay (fixed pay and the convexity price not included), their shifts, and whether
    the answer is exact. ``max_labels`` > 0 caps the labels kept per day (exact when the cap never binds);
    0 is exact always."""
    agreed, days, *scalars = variant.limits
    costs, paths, _, truncated = label_schedules(
        variant.day_first,
        variant.start,
        variant.end,
        variant.length,
        variant.week_a,
        variant.week_b,
        variant.night,
        variant.price - pay,
        calendar.day_week,
        calendar.day_start,
        calendar.day_closes,
        calendar.week_lo,
        calendar.week_hi,
        agreed,
        days,
        *scalars,
        keep,
        max_labels,
        1e-7,
    )
    schedules = [tuple(int(variant.shift_index[j]) for j in row if j >= 0) for row in paths]
    return costs, schedules, not truncated
