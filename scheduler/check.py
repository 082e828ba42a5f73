"""The independent plan checker: every rule and target re-checked from the plan's tables alone.

``check(scenario, plan) -> Verdict`` reads the roster and the agency bookings (as a user may have edited them
in a spreadsheet), recomputes every working-time rule, the supervision ratios, each slot's need and the
presence floors, and every cost line from the scenario's rates, then compares the costs with costs.csv and
plan.json to the cent.

It shares the rules' *semantics* with the model (see the helpers' brief), never its code: this module must not
import ``scheduler.model``, ``scheduler.solve`` or OR-Tools (a test asserts it). Times are real durations: the
roster's instants are put on a minute line from local midnight of the horizon's first day, and every local
attribute (date, calendar week, Sunday, holiday, legal night) is looked up per minute through the time zone, so
shifts off the slot grid and daylight-saving days are handled like any other.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from scheduler.errors import InputError
from scheduler.plan import Plan
from scheduler.requirements import Requirements, compute_requirements, workload_windows
from scheduler.rules import RuleSet, weekly_rest_within_week
from scheduler.scenario import Scenario, leave_dates
from scheduler.scenario.demand import weekday_numbers
from scheduler.scenario.schema import PersonSpec, RoleSpec
from scheduler.timegrid import parse_clock, parse_window

FULL = 100  # capacity units of one person-slot at productivity 1 (the brief's unit)
DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = 52 / 12
PAD_DAYS = 8  # minutes this far outside the horizon are still looked up (a shift moved past its edge)
TOLERANCE = 1e-4  # capacity units: what the LP may leave unexplained before it counts as a shortfall
HIRE_NAME = re.compile(r"^(?P<role>.+) hire (?P<k>[1-9]\d*)$")
UNMET = "(unmet need)"


def cents(euros: float) -> int:
    """Round half away from zero to the cent: floor(|x| x 100 + 0.5 + 1e-9), with the sign of x."""
    value = euros * 100
    return math.floor(abs(value) + 0.5 + 1e-9) * (1 if value >= 0 else -1)


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Violation:
    """One broken rule: what, under which reference, who or what, when, and by how much."""

    rule: str
    reference: str
    subject: str
    message: str
    start: str | None = None  # local ISO time
    end: str | None = None
    found: float | None = None
    limit: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reference": self.reference,
            "subject": self.subject,
            "start": self.start,
            "end": self.end,
            "found": self.found,
            "limit": self.limit,
            "message": self.message,
        }


@dataclass(frozen=True)
class CostLine:
    """A recomputed cost line: a quantity (slots, or 1 for the horizon) times a unit price in cents."""

    role: str
    who: str
    component: str
    quantity: float
    unit: str
    unit_cents: int
    amount_cents: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.role, self.who, self.component)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "who": self.who,
            "component": self.component,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_cents / 100,
            "amount": self.amount_cents / 100,
        }


@dataclass(frozen=True)
class CostComparison:
    """The plan's cost recomputed from the scenario's rates and the roster, against costs.csv and plan.json."""

    lines: tuple[CostLine, ...]
    recomputed_cents: int  # recomputed lines plus any unmet-need penalty lines taken from costs.csv
    listed_cents: int  # sum of costs.csv
    objective_cents: int | None  # plan.json's objective
    mismatched_lines: int
    currency: str = "EUR"

    @property
    def matches(self) -> bool:
        return (
            self.mismatched_lines == 0
            and self.objective_cents is not None
            and self.recomputed_cents == self.objective_cents == self.listed_cents
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "recomputed_total": self.recomputed_cents / 100,
            "costs_csv_total": self.listed_cents / 100,
            "objective": None if self.objective_cents is None else self.objective_cents / 100,
            "lines": len(self.lines),
            "mismatched_lines": self.mismatched_lines,
            "matches": self.matches,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class Verdict:
    """The checker's answer: violations (empty when the plan holds), the cost comparison and what was checked."""

    scenario: str
    variant: str | None
    violations: tuple[Violation, ...]
    costs: CostComparison
    checked: Mapping[str, int]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for v in self.violations:
            counts[v.rule] += 1
        return dict(counts)

    def summary(self) -> str:
        """One line for people."""
        c = self.checked
        what = (
            f"{c['shifts']} shifts of {c['people']} people, {c['agency_blocks']} agency blocks, "
            f"{c['slots']} slots, {c['cost_lines']} cost lines"
        )
        if self.ok:
            return (
                f"OK: {self.scenario}: {what}: every rule, need and floor holds; "
                f"cost {self.costs.recomputed_cents / 100:,.2f} {self.costs.currency} matches costs.csv and "
                "plan.json to the cent"
            )
        rules = ", ".join(f"{rule} ({n})" for rule, n in sorted(self.by_rule().items()))
        return f"FAIL: {self.scenario}: {len(self.violations)} violation(s) in {what}: {rules}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "scenario": self.scenario,
            "variant": self.variant,
            "summary": self.summary(),
            "checked": dict(self.checked),
            "violations_by_rule": self.by_rule(),
            "violations": [v.to_dict() for v in self.violations],
            "costs": self.costs.to_dict(),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------- time line
class _Calendar:
    """Local attributes of every minute from PAD_DAYS before the horizon to PAD_DAYS after it.

    Minute m (an int, possibly negative) counts real minutes from local midnight of the first day; index
    ``m + pad`` reads the arrays.
    """

    def __init__(self, scenario: Scenario) -> None:
        grid = scenario.grid
        self.scenario = scenario
        self.tz = ZoneInfo(grid.timezone)
        self.origin: datetime = grid.origin
        self.slot = grid.slot_minutes
        self.n_slots = grid.n_slots
        self.horizon = int((grid.end - grid.origin).total_seconds() // 60)
        self.pad = PAD_DAYS * 24 * 60
        total = self.horizon + 2 * self.pad
        utc = pd.date_range(self.origin - timedelta(minutes=self.pad), periods=total, freq="min", tz="UTC")
        local = utc.tz_convert(grid.timezone)
        wall = local.tz_localize(None)
        start = pd.Timestamp(grid.start)
        self.day = ((wall.normalize() - start) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
        self.minute_of_day = (wall.hour * 60 + wall.minute).to_numpy().astype(np.int64)
        self.weekday = wall.day_of_week.to_numpy().astype(np.int64)
        first_monday = grid.start - timedelta(days=grid.start.weekday())
        self.first_monday = first_monday
        self.week = (self.day + (grid.start - first_monday).days) // 7
        holidays = {(d - grid.start).days for d in grid.holidays}
        self.is_holiday = np.isin(self.day, sorted(holidays))
        months = wall.month.to_numpy()
        days_of_month = wall.day.to_numpy()
        self.is_may_first = (months == 5) & (days_of_month == 1)
        self.is_sunday = self.weekday == 6
        self._prefix: dict[str, np.ndarray] = {}

    def index(self, minute: int) -> int:
        return minute + self.pad

    def inside(self, minute: int) -> bool:
        return -self.pad <= minute <= self.horizon + self.pad

    def date_of(self, minute: int) -> date:
        return self.scenario.grid.start + timedelta(days=int(self.day[self.index(minute)]))

    def local(self, minute: int) -> datetime:
        return (self.origin + timedelta(minutes=minute)).astimezone(self.tz)

    def iso(self, minute: int) -> str:
        return self.local(minute).isoformat(timespec="minutes")

    def label(self, minute: int) -> str:
        return f"{self.local(minute):%a %d %b %H:%M}"

    def week_label(self, week: int) -> str:
        monday = self.first_monday + timedelta(days=7 * week)
        return f"week of Mon {monday:%d %b %Y}"

    def window_mask(self, window: tuple[int, int]) -> np.ndarray:
        lo, hi = window
        m = self.minute_of_day
        return (m >= lo) & (m < hi) if lo < hi else (m >= lo) | (m < hi)

    def count(self, name: str, mask_factory, start: int, end: int) -> int:
        """Minutes of [start, end) where a named per-minute mask holds (prefix sums, built once)."""
        if name not in self._prefix:
            self._prefix[name] = np.concatenate([[0], np.cumsum(mask_factory(), dtype=np.int64)])
        prefix = self._prefix[name]
        return int(prefix[self.index(end)] - prefix[self.index(start)])

    def night_minutes(self, window: str, start: int, end: int) -> int:
        return self.count(f"night {window}", lambda: self.window_mask(parse_window(window)), start, end)

    def week_start(self, week: int) -> int:
        """First minute (from the origin) of a calendar week, Monday 00:00 local."""
        hits = np.flatnonzero(self.week == week)
        if len(hits):
            return int(hits[0]) - self.pad
        monday = datetime.combine(self.first_monday + timedelta(days=7 * week), time(0), self.tz)
        return int((monday.astimezone(UTC) - self.origin).total_seconds() // 60)

    @cached_property
    def horizon_weeks(self) -> tuple[tuple[int, int, int], ...]:
        """(week, first minute, end minute) of every calendar week that meets the horizon."""
        out = []
        for w in range(self.scenario.grid.n_weeks):
            out.append((w, self.week_start(w), self.week_start(w + 1)))
        return tuple(out)

    def weeks_of(self, start: int, end: int) -> dict[int, int]:
        """Minutes of [start, end) in each calendar week."""
        weeks = self.week[self.index(start) : self.index(end)]
        values, counts = np.unique(weeks, return_counts=True)
        return {int(w): int(n) for w, n in zip(values, counts, strict=True)}


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


# ------------------------------------------------------------------------------------------ parsing
@dataclass(frozen=True)
class Shift:
    """A roster row on the minute line: [start, end) and its break [break_start, break_start + minutes)."""

    row: int
    person: str
    role: str
    start: int
    end: int
    break_start: int | None
    break_minutes: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def break_end(self) -> int | None:
        return None if self.break_start is None else self.break_start + self.break_minutes


@dataclass(frozen=True)
class Booking:
    """An agency.csv row: moderators of an agency role over [start, end)."""

    row: int
    agency: str
    start: int
    end: int
    moderators: int


@dataclass(frozen=True)
class Worker:
    """A named person or a filled hire slot, as the checker sees it."""

    name: str
    role: str
    spec: PersonSpec | None
    hire_index: int | None
    skills: frozenset[str]
    productivity: int  # percent

    @property
    def hire(self) -> bool:
        return self.hire_index is not None


def _row(i: int) -> str:
    return f"row {i + 2}"  # 1-based, after the header line


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def parse_instant(value: Any, calendar: _Calendar, file: str, field_name: str) -> int:
    """An ISO 8601 time (any UTC offset, seconds optional; without an offset, local time of the scenario)
    as whole minutes from the horizon's origin."""
    allowed = "an ISO 8601 time on whole minutes, e.g. 2026-07-06T09:00+02:00"
    if _blank(value):
        raise InputError(file, field_name, "", allowed)
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(file, field_name, text, allowed) from None
    if moment.tzinfo is None:
        aware = moment.replace(tzinfo=calendar.tz)
        back = aware.astimezone(UTC).astimezone(calendar.tz).replace(tzinfo=None)
        other = moment.replace(tzinfo=calendar.tz, fold=1)
        if back != moment:
            raise InputError(file, field_name, text, f"a local time that exists in {calendar.tz.key} (or an offset)")
        if aware.utcoffset() != other.utcoffset():
            raise InputError(file, field_name, text, "an unambiguous time: add the UTC offset (a clock change)")
        moment = aware
    if moment.second or moment.microsecond:
        raise InputError(file, field_name, text, allowed)
    seconds = (moment.astimezone(UTC) - calendar.origin).total_seconds()
    minute = int(seconds // 60)
    if not calendar.inside(minute):
        first = calendar.scenario.grid.start
        last = first + timedelta(days=calendar.scenario.grid.days)
        raise InputError(
            file, field_name, text, f"a time near the horizon ({first} to {last}, give or take {PAD_DAYS} days)"
        )
    return minute


def _number(value: Any, file: str, field_name: str, *, integer: bool = False, blank: float | None = None) -> float:
    if _blank(value):
        if blank is not None:
            return blank
        raise InputError(file, field_name, "", "a number")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InputError(file, field_name, value, "a whole number" if integer else "a number") from None
    if not math.isfinite(number) or number < 0 or (integer and number != int(number)):
        raise InputError(file, field_name, value, "a whole number >= 0" if integer else "a number >= 0")
    return number


def _text(frame: pd.DataFrame, i: int, column: str) -> str:
    value = frame.iloc[i][column]
    return "" if _blank(value) else str(value).strip()


class _Inputs:
    """The plan's tables parsed against the scenario: workers, shifts, bookings, cost lines."""

    def __init__(self, scenario: Scenario, plan: Plan, calendar: _Calendar, folder: str | None) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.files = {name: str(Path(folder) / f"{name}.csv") if folder else f"{name}.csv" for name in _TABLES}
        self.plan_json = str(Path(folder) / "plan.json") if folder else "plan.json"
        self.notes: list[str] = []
        self.named = {p.name: p for p in scenario.spec.people}
        self.workers: dict[str, Worker] = {}
        self.shifts = self._roster(plan.roster)
        self.hired = self._hired(plan.hires)
        self.bookings = self._agency(plan.agency)
        self.listed_costs = self._costs(plan.costs)

    # roster.csv
    def known(self, name: str) -> Worker | None:
        """A named person of the scenario, or a hire slot '<role> hire <k>' of a staff role; None otherwise."""
        spec = self.scenario.spec
        if name in self.workers:
            return self.workers[name]
        if name in self.named:
            person = self.named[name]
            productivity = person.productivity or spec.roles[person.role].productivity
            worker = Worker(name, person.role, person, None, self.scenario.skills_of(person), round(100 * productivity))
        elif (match := HIRE_NAME.match(name)) and match["role"] in spec.roles:
            role = spec.roles[match["role"]]
            if role.kind == "agency":
                return None
            worker = Worker(
                name, match["role"], None, int(match["k"]), frozenset(role.skills), round(100 * role.productivity)
            )
        else:
            return None
        self.workers[name] = worker
        return worker

    def _worker(self, name: str, role: str, file: str, i: int) -> Worker:
        worker = self.known(name)
        if worker is None:
            people = ", ".join(self.named) or "(none)"
            raise InputError(
                file,
                f"{_row(i)}, column person",
                name,
                f"a person of the scenario ({people}) or a hire slot '<role> hire <k>' of a staff role",
            )
        if role != worker.role:
            roles = ", ".join(self.scenario.spec.roles)
            allowed = f"{worker.role}, the role of {name}" if role in self.scenario.spec.roles else f"{worker.role}"
            raise InputError(file, f"{_row(i)}, column role", role, allowed + f" (the scenario's roles: {roles})")
        return worker

    def _roster(self, frame: pd.DataFrame) -> list[Shift]:
        file = self.files["roster"]
        _require(frame, file, ("person", "role", "start", "end", "break_start", "break_minutes"))
        out = []
        for i in range(len(frame)):
            name = _text(frame, i, "person")
            if not name:
                raise InputError(file, f"{_row(i)}, column person", "", "a person's name")
            worker = self._worker(name, _text(frame, i, "role"), file, i)
            start = parse_instant(frame.iloc[i]["start"], self.calendar, file, f"{_row(i)}, column start")
            end = parse_instant(frame.iloc[i]["end"], self.calendar, file, f"{_row(i)}, column end")
            if end <= start:
                raise InputError(file, f"{_row(i)}, column end", frame.iloc[i]["end"], "a time after the start")
            raw_break = frame.iloc[i]["break_start"]
            minutes = int(_number(frame.iloc[i]["break_minutes"], file, f"{_row(i)}, column break_minutes", blank=0))
            if _blank(raw_break):
                break_start = None
                minutes = 0
            else:
                break_start = parse_instant(raw_break, self.calendar, file, f"{_row(i)}, column break_start")
            if "date" in frame.columns and not _blank(frame.iloc[i]["date"]):
                given = str(frame.iloc[i]["date"]).strip()
                actual = self.calendar.date_of(start).isoformat()
                if given != actual:
                    self.notes.append(
                        f"{file} {_row(i)}: date {given} is not the local date of the start ({actual}); "
                        "the start time is used"
                    )
            out.append(Shift(i, worker.name, worker.role, start, end, break_start, minutes))
        return sorted(out, key=lambda s: (s.person, s.start))

    def _hired(self, hires: Mapping[str, int]) -> set[str]:
        """Hire slots on the payroll: those with shifts, and the first ``hires[role]`` of each role in
        plan.json (a hire without shifts still costs its fixed pay)."""
        spec = self.scenario.spec
        out = {w.name for w in self.workers.values() if w.hire}
        for role, count in hires.items():
            if role not in spec.roles or spec.roles[role].kind == "agency":
                if count:
                    raise InputError(self.plan_json, f"hires.{role}", count, f"a staff role: {', '.join(spec.roles)}")
                continue
            for k in range(1, int(count) + 1):
                out.add(self.known(f"{role} hire {k}").name)
        for person in spec.people:
            self.known(person.name)
        return out

    # agency.csv
    def _agency(self, frame: pd.DataFrame) -> list[Booking]:
        file = self.files["agency"]
        _require(frame, file, ("agency", "start", "end", "moderators"))
        roles = self.scenario.spec.roles
        agencies = [name for name, r in roles.items() if r.kind == "agency"]
        out = []
        for i in range(len(frame)):
            name = _text(frame, i, "agency")
            if name not in agencies:
                raise InputError(
                    file, f"{_row(i)}, column agency", name, f"an agency role of the scenario: {', '.join(agencies)}"
                )
            start = parse_instant(frame.iloc[i]["start"], self.calendar, file, f"{_row(i)}, column start")
            end = parse_instant(frame.iloc[i]["end"], self.calendar, file, f"{_row(i)}, column end")
            if end <= start:
                raise InputError(file, f"{_row(i)}, column end", frame.iloc[i]["end"], "a time after the start")
            moderators = int(_number(frame.iloc[i]["moderators"], file, f"{_row(i)}, column moderators", integer=True))
            if moderators:
                out.append(Booking(i, name, start, end, moderators))
        return out

    # costs.csv
    def _costs(self, frame: pd.DataFrame) -> dict[tuple[str, str, str], list[tuple[float, float, int]]]:
        file = self.files["costs"]
        _require(frame, file, ("role", "who", "component", "quantity", "unit_price", "amount"))
        out: dict[tuple[str, str, str], list[tuple[float, float, int]]] = defaultdict(list)
        for i in range(len(frame)):
            key = (_text(frame, i, "role"), _text(frame, i, "who"), _text(frame, i, "component"))
            amount = frame.iloc[i]["amount"]
            try:
                value = float(str(amount).strip())
            except ValueError:
                raise InputError(file, f"{_row(i)}, column amount", amount, "an amount in euros") from None
            if not math.isfinite(value):
                raise InputError(file, f"{_row(i)}, column amount", amount, "an amount in euros")
            quantity = _loose_float(frame.iloc[i]["quantity"])
            price = _loose_float(frame.iloc[i]["unit_price"])
            out[key].append((quantity, price, round(value * 100)))
        return dict(out)


_TABLES = ("roster", "agency", "costs")


def _require(frame: pd.DataFrame, file: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            file, "columns", list(frame.columns), f"the columns {', '.join(columns)} (missing {', '.join(missing)})"
        )


def _loose_float(value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        return math.nan


# ------------------------------------------------------------------------------------------ checker
def check(scenario: Scenario, plan: Plan, *, folder: str | Path | None = None) -> Verdict:
    """Re-check a plan against its scenario from the roster, agency and cost tables alone.

    Parameters
    ----------
    scenario
        The scenario (and variant) the plan claims to solve.
    plan
        The plan, usually from ``load_plan`` (hand-edited CSVs included).
    folder
        The plan's folder, only to name files in error messages.

    Returns
    -------
    Verdict
        Every violation found (``ok`` when there is none), the cost comparison and what was checked.

    Raises
    ------
    InputError
        A table that cannot be read: missing columns, unparseable times, unknown people or roles.
    """
    calendar = _Calendar(scenario)
    inputs = _Inputs(scenario, plan, calendar, None if folder is None else str(folder))
    found: list[Violation] = []
    ctx = _Context(scenario, calendar, inputs)
    found += _hires(ctx)
    payroll = {w.name for w in inputs.workers.values() if not w.hire} | inputs.hired
    for name in sorted(payroll):  # people without shifts too: an agreed weekly presence may be missed
        found += _person_rules(ctx, name)
    found += _supervision(ctx)
    found += _agency_bookings(ctx)
    slots_checked, coverage = _coverage(ctx)
    found += coverage
    found += _presence(ctx)
    found += _wishes_and_fairness(ctx, plan)
    costs, cost_violations = _costs(ctx, plan)
    found += cost_violations
    notes = list(inputs.notes)
    if plan.scenario_hash and plan.scenario_hash != scenario.hash:
        notes.append(
            f"plan.json was solved for '{plan.scenario}'"
            + (f" [{plan.variant}]" if plan.variant else "")
            + f", whose scenario hash differs from {scenario.name}'s: the scenario or its demand changed since"
        )
    if any(key[0] == UNMET for key in inputs.listed_costs):
        notes.append("costs.csv prices unmet need (shortfall allowed): those lines are taken as listed")
    checked = {
        "people": len({s.person for s in inputs.shifts}),
        "shifts": len(inputs.shifts),
        "agency_blocks": len(inputs.bookings),
        "slots": slots_checked,
        "cost_lines": len(costs.lines),
        "rules": len(scenario.rules.rules),
    }
    return Verdict(scenario.name, scenario.variant, tuple(found), costs, checked, tuple(notes))


class _Context:
    """What every rule family reads: the scenario, the minute line, the parsed tables."""

    def __init__(self, scenario: Scenario, calendar: _Calendar, inputs: _Inputs) -> None:
        self.scenario = scenario
        self.calendar = calendar
        self.inputs = inputs
        self.by_person: dict[str, list[Shift]] = defaultdict(list)
        for s in inputs.shifts:
            self.by_person[s.person].append(s)

    @cached_property
    def requirements(self) -> Requirements:
        return compute_requirements(self.scenario)

    def role(self, name: str) -> RoleSpec:
        return self.scenario.spec.roles[name]

    def rules(self, role: str) -> RuleSet:
        return self.scenario.role_rules[role]

    def worker(self, name: str) -> Worker:
        return self.inputs.workers[name]

    def violation(
        self,
        rule: str,
        reference: str,
        subject: str,
        message: str,
        start: int | None = None,
        end: int | None = None,
        found: float | None = None,
        limit: float | None = None,
    ) -> Violation:
        cal = self.calendar
        return Violation(
            rule,
            reference,
            subject,
            message,
            None if start is None else cal.iso(start),
            None if end is None else cal.iso(end),
            None if found is None else round(float(found), 4),
            None if limit is None else round(float(limit), 4),
        )

    def legal(self, role: str, name: str) -> str:
        return self.rules(role).rule(name).reference


def _h(minutes: float) -> str:
    """Hours for messages: '10.0 h', '10 h 59' for odd minutes."""
    minutes = round(minutes)
    if minutes % 6 == 0:
        return f"{minutes / 60:.1f} h"
    return f"{minutes // 60} h {minutes % 60:02d}"


def _limit(value: float) -> str:
    return f"{value:g} h"


# --------------------------------------------------------------------------------- hires and names
def _hires(ctx: _Context) -> list[Violation]:
    """Hire slots used within the scenario's hire max, and at least its hire min per role."""
    spec = ctx.scenario.spec
    out = []
    hired_per_role: dict[str, int] = defaultdict(int)
    for name in sorted(ctx.inputs.hired):
        worker = ctx.worker(name)
        hired_per_role[worker.role] += 1
        hire = spec.hire.get(worker.role)
        most = hire.max if hire else 0
        if worker.hire_index > most:
            out.append(
                ctx.violation(
                    "hire max",
                    f"hire.{worker.role}.max",
                    name,
                    f"hire slot {worker.hire_index} of {worker.role} > the scenario's max of {most}",
                    found=worker.hire_index,
                    limit=most,
                )
            )
    for role, hire in spec.hire.items():
        if hired_per_role[role] < hire.min:
            out.append(
                ctx.violation(
                    "hire min",
                    f"hire.{role}.min",
                    role,
                    f"{hired_per_role[role]} {role}(s) hired < the scenario's min of {hire.min}",
                    found=hired_per_role[role],
                    limit=hire.min,
                )
            )
    return out


# ------------------------------------------------------------------------------ per-person rules
def _person_rules(ctx: _Context, name: str) -> list[Violation]:
    shifts = ctx.by_person.get(name, [])
    worker = ctx.worker(name)
    out: list[Violation] = []
    for family in (
        _horizon,
        _shift_rules,
        _permissions,
        _availability,
        _one_shift_per_date,
        _weekly_hours,
        _average_hours,
        _daily_rest,
        _weekly_rest,
        _working_days,
        _night_workers,
        _agreed_presence,
        _roster_rules,
    ):
        out += family(ctx, worker, shifts)
    return out


# ------------------------------------------------------------------ scenario roster rules and wishes
def _start_day(ctx: _Context, s: Shift) -> date:
    """The local date a shift starts on: the working day it counts for (as L3132-1)."""
    return ctx.calendar.local(s.start).date()


def _start_clock(ctx: _Context, s: Shift) -> int:
    local = ctx.calendar.local(s.start)
    return local.hour * 60 + local.minute


def _of_type(ctx: _Context, s: Shift, window: str) -> bool:
    """Whether a shift starts inside a start-time window (the scenario's shift types)."""
    lo, hi = parse_window(window)
    m = _start_clock(ctx, s)
    return lo <= m < hi if lo < hi else (m >= lo or m < hi)


def _runs_of(days: Iterable[date]) -> list[tuple[date, date]]:
    """Maximal runs of consecutive dates, first and last."""
    out: list[list[date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days == 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def _roster_rules(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """The scenario's hard per-person rules, from the roster: days count by the date a shift starts; a run of
    work or of days off that touches the horizon's first or last day is not held to a minimum length."""
    rules = ctx.scenario.roster_rules(worker.role, worker.spec)
    if rules.is_empty:
        return []
    first, last = ctx.scenario.grid.dates[0], ctx.scenario.grid.dates[-1]
    who, ref = worker.name, f"roster rules of {worker.role}" + ("" if worker.hire else f" / {worker.name}")
    out = []
    by_day = {_start_day(ctx, s): s for s in shifts}
    names = [d for d in rules.days_off or () if isinstance(d, str)]
    weekdays = set(weekday_numbers(names))
    for day, s in sorted(by_day.items()):
        if day.weekday() in weekdays or day in (rules.days_off or ()):
            out.append(ctx.violation("days off", ref, who, f"a shift starts on {day}, a fixed day off", s.start, s.end))
    runs = _runs_of(by_day)
    for a, b in runs:
        n = (b - a).days + 1
        start, end = by_day[a].start, by_day[b].end
        if rules.max_consecutive_days is not None and n > rules.max_consecutive_days:
            message = f"{n} working days in a row ({a} to {b}), at most {rules.max_consecutive_days}"
            out.append(ctx.violation("consecutive days", ref, who, message, start, end, n, rules.max_consecutive_days))
        least = rules.min_consecutive_days
        if least is not None and n < least and a > first and b < last:
            message = f"{n} working day(s) in a row ({a} to {b}), at least {least} inside the horizon"
            out.append(ctx.violation("consecutive days", ref, who, message, start, end, n, least))
    least = rules.min_consecutive_days_off
    if least is not None:
        for (_, b), (c, _) in itertools.pairwise(runs):
            off = (c - b).days - 1
            if off < least:
                message = (
                    f"{off} day(s) off in a row ({b + timedelta(days=1)} to {c - timedelta(days=1)}), at least {least}"
                )
                out.append(
                    ctx.violation("days off in a row", ref, who, message, by_day[b].end, by_day[c].start, off, least)
                )
    if rules.max_weekends is not None:
        weekends = {d.isocalendar()[:2] for d in by_day if d.weekday() >= 5}
        if len(weekends) > rules.max_weekends:
            message = f"works {len(weekends)} weekends, at most {rules.max_weekends}"
            out.append(ctx.violation("weekends", ref, who, message, found=len(weekends), limit=rules.max_weekends))
    hours = sum(s.minutes for s in shifts) / 60
    if rules.max_hours is not None and hours > rules.max_hours + 1e-9:
        message = f"{hours:g} h over the horizon, at most {rules.max_hours:g} h"
        out.append(ctx.violation("contract hours", ref, who, message, found=hours, limit=rules.max_hours))
    if rules.min_hours is not None and hours < rules.min_hours - 1e-9:
        message = f"{hours:g} h over the horizon, at least {rules.min_hours:g} h"
        out.append(ctx.violation("contract hours", ref, who, message, found=hours, limit=rules.min_hours))
    for rule in rules.no_succession or ():
        for day, s in by_day.items():
            after = by_day.get(day + timedelta(days=1))
            if after is not None and _of_type(ctx, s, rule.first) and _of_type(ctx, after, rule.then):
                message = f"a shift starting in {rule.then} the day after one starting in {rule.first}"
                out.append(ctx.violation("succession", ref, who, message, s.start, after.end))
    return out


def wish_rows(ctx: _Context) -> list[dict[str, Any]]:
    """Every request, granted or not, from the roster alone."""
    rows = []
    for req in ctx.scenario.spec.requests:
        on_day = [s for s in ctx.by_person.get(req.person, []) if _start_day(ctx, s) == req.date]
        if req.shift is not None:
            on_day = [s for s in on_day if _of_type(ctx, s, req.shift)]
        granted = not on_day if req.kind in ("day_off", "shift_off") else bool(on_day)
        rows.append(
            {
                "person": req.person,
                "date": req.date.isoformat(),
                "kind": req.kind,
                "shift": req.shift or "",
                "weight": req.weight,
                "granted": granted,
            }
        )
    return rows


def fairness_rows(ctx: _Context) -> list[dict[str, Any]]:
    """Per role with a fairness rule: nights, weekends and Sundays of its named people, min, max, spread."""
    rows = []
    for role_name, role in ctx.scenario.spec.roles.items():
        people = [p.name for p in ctx.scenario.spec.people if p.role == role_name]
        if role.fairness is None or len(people) < 2:
            continue
        night = ctx.rules(role_name)["night_period"]
        counts = {"nights": [], "weekends": [], "sundays": []}
        for name in people:
            shifts = ctx.by_person.get(name, [])
            days = [_start_day(ctx, s) for s in shifts]
            counts["nights"].append(sum(1 for s in shifts if ctx.calendar.night_minutes(night, s.start, s.end) > 0))
            counts["weekends"].append(len({d.isocalendar()[:2] for d in days if d.weekday() >= 5}))
            counts["sundays"].append(sum(1 for d in days if d.weekday() == 6))
        for measure, values in counts.items():
            rule = getattr(role.fairness, measure)
            if rule is not None:
                rows.append(
                    {
                        "role": role_name,
                        "measure": measure,
                        "min": min(values),
                        "max": max(values),
                        "spread": max(values) - min(values),
                        "limit": rule.max_difference,
                        "price": rule.price,
                    }
                )
    return rows


def _wish_lines(ctx: _Context) -> list[CostLine]:
    """Wishes not granted at their weight, per person; priced fairness spread, per role and measure."""
    out = []
    refused: dict[str, list[int]] = defaultdict(list)
    for row in wish_rows(ctx):
        if not row["granted"] and cents(row["weight"]):
            refused[row["person"]].append(cents(row["weight"]))
    for name, weights in refused.items():
        role = ctx.worker(name).role
        unit = cents(sum(weights) / len(weights) / 100)
        out.append(CostLine(role, name, "wishes not granted", len(weights), "wish", unit, sum(weights)))
    for row in fairness_rows(ctx):
        if row["price"] and row["spread"]:
            unit = cents(row["price"])
            who = f"{row['measure']} spread"
            out.append(
                CostLine(row["role"], who, "fairness", row["spread"], "unit of spread", unit, row["spread"] * unit)
            )
    return out


def _wishes_and_fairness(ctx: _Context, plan: Plan) -> list[Violation]:
    """Hard fairness limits, and the plan's wishes and fairness tables against the roster's figures."""
    out = []
    listed = {}
    for _, r in plan.wishes.iterrows():
        shift = "" if _blank(r["shift"]) else str(r["shift"])
        listed[(str(r["person"]), str(r["date"]), str(r["kind"]), shift)] = str(r["granted"]).strip().lower() in (
            "true",
            "1",
        )
    for row in wish_rows(ctx):
        key = (row["person"], row["date"], row["kind"], row["shift"])
        said = listed.get(key)
        if said is None or said != row["granted"]:
            shown = "missing" if said is None else ("granted" if said else "not granted")
            truth = "granted" if row["granted"] else "not granted"
            subject = f"{row['person']} / {row['kind']} {row['date']} {row['shift']}".strip()
            out.append(
                ctx.violation(
                    "wishes table", "wishes.csv", subject, f"wishes.csv says {shown}, the roster gives {truth}"
                )
            )
    tables = {(str(r["role"]), str(r["measure"])): r for _, r in plan.fairness.iterrows()}
    for row in fairness_rows(ctx):
        subject = f"{row['role']} / {row['measure']}"
        if row["limit"] is not None and row["spread"] > row["limit"]:
            spread = f"{row['min']} to {row['max']}: a spread of {row['spread']}"
            message = f"{row['measure']} range from {spread}, at most {row['limit']}"
            out.append(
                ctx.violation(
                    "fairness",
                    f"roles.{row['role']}.fairness",
                    subject,
                    message,
                    found=row["spread"],
                    limit=row["limit"],
                )
            )
        said = tables.get((row["role"], row["measure"]))
        if said is None or any(_loose_float(said[k]) != row[k] for k in ("min", "max", "spread")):
            shown = "missing" if said is None else f"{said['min']}-{said['max']} (spread {said['spread']})"
            message = f"fairness.csv says {shown}, the roster gives {row['min']}-{row['max']} (spread {row['spread']})"
            out.append(ctx.violation("fairness table", "fairness.csv", subject, message))
    return out


def _horizon(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """Shifts lie inside the horizon (the plan covers it and nothing else)."""
    cal = ctx.calendar
    return [
        ctx.violation(
            "horizon",
            "horizon.start, horizon.days",
            worker.name,
            f"shift outside the horizon ({cal.iso(0)} to {cal.iso(cal.horizon)})",
            s.start,
            s.end,
        )
        for s in shifts
        if s.start < 0 or s.end > cal.horizon
    ]


def _shift_rules(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3121-18 shift length and L3121-16 break."""
    rules = ctx.rules(worker.role)
    out = []
    longest = rules["max_daily_hours"]
    after, minutes = rules["break_after_hours"], rules["break_minutes"]
    for s in shifts:
        if s.minutes > longest * 60 + 1e-9:
            out.append(
                ctx.violation(
                    "max_daily_hours",
                    ctx.legal(worker.role, "max_daily_hours"),
                    worker.name,
                    f"shift {_h(s.minutes)} > {_limit(longest)}",
                    s.start,
                    s.end,
                    s.hours,
                    longest,
                )
            )
        if minutes > 0 and after > 0 and s.minutes >= after * 60 - 1e-9:
            reference = ctx.legal(worker.role, "break_minutes")
            if s.break_start is None or s.break_minutes <= 0:
                message = f"shift {_h(s.minutes)} >= {_limit(after)} without a {minutes:g}-minute break"
                out.append(ctx.violation("break", reference, worker.name, message, s.start, s.end, 0, minutes))
            elif s.break_minutes < minutes:
                message = f"break {s.break_minutes} min < {minutes:g} min"
                out.append(
                    ctx.violation("break", reference, worker.name, message, s.start, s.end, s.break_minutes, minutes)
                )
        if s.break_start is not None and s.break_minutes and (s.break_start < s.start or s.break_end > s.end):
            message = f"break at {ctx.calendar.label(s.break_start)} outside the shift"
            out.append(
                ctx.violation("break", ctx.legal(worker.role, "break_minutes"), worker.name, message, s.start, s.end)
            )
    return out


def _night_allowed(ctx: _Context, role_name: str) -> tuple[bool, str, str]:
    """Whether a role may work at night, and if not the rule that forbids it (the law before the role)."""
    role = ctx.role(role_name)
    if role.kind == "trainee" and not ctx.rules(role_name)["trainee_night_work"]:
        return False, "trainee_night_work", ctx.legal(role_name, "trainee_night_work")
    if not role.night_work:
        return False, "night_work", f"roles.{role_name}.night_work"
    return True, "", ""


def _permissions(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """Sunday work and night work only where the role (or the trainee rules) allow them."""
    role = ctx.role(worker.role)
    cal = ctx.calendar
    rules = ctx.rules(worker.role)
    night_ok, rule, reference = _night_allowed(ctx, worker.role)
    out = []
    for s in shifts:
        sunday = cal.count("sunday", lambda: cal.is_sunday, s.start, s.end)
        if sunday and not role.sunday_work:
            out.append(
                ctx.violation(
                    "sunday_work",
                    f"roles.{worker.role}.sunday_work",
                    worker.name,
                    f"{_h(sunday)} on a Sunday; role {worker.role} does not work on Sundays",
                    s.start,
                    s.end,
                    sunday / 60,
                    0,
                )
            )
        night = cal.night_minutes(rules["night_period"], s.start, s.end)
        if night and not night_ok:
            out.append(
                ctx.violation(
                    rule,
                    reference,
                    worker.name,
                    f"{_h(night)} of night work ({rules['night_period']}); role {worker.role} may not work at night",
                    s.start,
                    s.end,
                    night / 60,
                    0,
                )
            )
    return out


def _availability(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """Availability (days and clock window), leave and the internship window: shifts lie inside them."""
    cal = ctx.calendar
    spec = ctx.scenario.spec
    person = worker.spec
    out = []
    where = f"people[{spec.people.index(person)}]" if person is not None else f"hire.{worker.role}"
    leave = {(d - spec.horizon.start).days for d in leave_dates(person)} if person is not None else set()
    window = None
    if ctx.role(worker.role).kind == "trainee":
        if person is not None and person.internship is not None:
            window = (person.internship.start, person.internship.end, f"{where}.internship")
        else:
            first = spec.horizon.start
            window = (first, first + timedelta(days=spec.horizon.days - 1), "horizon (a trainee hire's window)")
    for s in shifts:
        days = cal.day[cal.index(s.start) : cal.index(s.end)]
        on_leave = sorted(set(days.tolist()) & leave)
        if on_leave:
            when = ", ".join(str(spec.horizon.start + timedelta(days=d)) for d in on_leave)
            out.append(
                ctx.violation("leave", f"{where}.leave", worker.name, f"works on leave ({when})", s.start, s.end)
            )
        if person is not None and person.available is not None:
            avail = person.available
            lo, hi = parse_clock(avail.from_), parse_clock(avail.to)
            allowed = np.isin(cal.weekday[cal.index(s.start) : cal.index(s.end)], weekday_numbers(avail.days))
            minute = cal.minute_of_day[cal.index(s.start) : cal.index(s.end)]
            outside = int((~(allowed & (minute >= lo) & (minute < hi))).sum())
            if outside:
                text = f"{'/'.join(avail.days)} {avail.from_}-{avail.to}"
                out.append(
                    ctx.violation(
                        "availability",
                        f"{where}.available",
                        worker.name,
                        f"{_h(outside)} outside availability ({text})",
                        s.start,
                        s.end,
                        outside / 60,
                        0,
                    )
                )
        if window is not None:
            first, last, reference = window
            lo_day, hi_day = (first - spec.horizon.start).days, (last - spec.horizon.start).days
            if int(days.min()) < lo_day or int(days.max()) > hi_day:
                out.append(
                    ctx.violation(
                        "internship",
                        reference,
                        worker.name,
                        f"works outside the internship ({first} to {last})",
                        s.start,
                        s.end,
                    )
                )
    return out


def _one_shift_per_date(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """A shift is a working day counted on its local start date: at most one starts per date."""
    per_date: dict[date, list[Shift]] = defaultdict(list)
    for s in shifts:
        per_date[ctx.calendar.date_of(s.start)].append(s)
    return [
        ctx.violation(
            "one shift per date",
            "scenario shift model (a shift is a working day)",
            worker.name,
            f"{len(group)} shifts start on {day}",
            group[0].start,
            group[-1].end,
            len(group),
            1,
        )
        for day, group in sorted(per_date.items())
        if len(group) > 1
    ]


def _week_minutes(ctx: _Context, shifts: Iterable[Shift]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for s in shifts:
        for week, n in ctx.calendar.weeks_of(s.start, s.end).items():
            out[week] += n
    return dict(out)


def _weekly_hours(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3121-20: hours inside each calendar week (a shift across Sunday midnight splits); trainees at most
    min(that, the trainee weekly maximum)."""
    rules = ctx.rules(worker.role)
    name = "max_weekly_hours"
    limit = rules[name]
    if ctx.role(worker.role).kind == "trainee" and rules["trainee_max_weekly_hours"] < limit:
        name, limit = "trainee_max_weekly_hours", rules["trainee_max_weekly_hours"]
    cal = ctx.calendar
    out = []
    for week, minutes in sorted(_week_minutes(ctx, shifts).items()):
        if minutes > limit * 60 + 1e-9:
            start = cal.week_start(week)
            out.append(
                ctx.violation(
                    name,
                    ctx.legal(worker.role, name),
                    worker.name,
                    f"{_h(minutes)} in the {cal.week_label(week)} > {_limit(limit)}",
                    start,
                    cal.week_start(week + 1),
                    minutes / 60,
                    limit,
                )
            )
    return out


def _average_hours(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3121-22: total hours over the horizon <= the average week x days / 7."""
    rules = ctx.rules(worker.role)
    days = ctx.scenario.grid.days
    limit = rules["max_average_weekly_hours"] * days / 7
    total = sum(s.minutes for s in shifts)
    if total <= limit * 60 + 1e-6:
        return []
    return [
        ctx.violation(
            "max_average_weekly_hours",
            ctx.legal(worker.role, "max_average_weekly_hours"),
            worker.name,
            f"{_h(total)} over the horizon > {rules['max_average_weekly_hours']:g} h x {days}/7 days = {limit:.1f} h",
            0,
            ctx.calendar.horizon,
            total / 60,
            limit,
        )
    ]


def _daily_rest(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3131-1: real time from the end of a shift to the start of the next one >= the minimum rest."""
    rest = ctx.rules(worker.role)["min_daily_rest_hours"]
    out = []
    for before, after in itertools.pairwise(sorted(shifts, key=lambda s: (s.start, s.end))):
        gap = after.start - before.end
        if gap < rest * 60 - 1e-9:
            out.append(
                ctx.violation(
                    "min_daily_rest_hours",
                    ctx.legal(worker.role, "min_daily_rest_hours"),
                    worker.name,
                    f"rest {_h(gap)} < {_limit(rest)}",
                    before.end,
                    after.start,
                    gap / 60,
                    rest,
                )
            )
    return out


def _weekly_rest(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3132-2: in every calendar week that meets the horizon, a window of the weekly rest free of work.
    Under the strict reading (rule ``weekly_rest_reading: within_week``, the default) the window lies inside
    the week, Monday 00:00 to Sunday 24:00 local; under ``starting_in_week`` it only starts in the week and
    may run on into the next. Time outside the horizon is unknown and counts as rest, so a week the horizon
    cuts is measured over its full bounds, its part outside the horizon free unless the roster puts a
    shift there."""
    if not shifts:
        return []
    rules = ctx.rules(worker.role)
    length = rules["min_weekly_rest_hours"] * 60
    within = weekly_rest_within_week(rules)
    # Maximal free intervals of the real line (work merged), the first and last unbounded.
    busy: list[list[int]] = []
    for s in sorted(shifts, key=lambda s: s.start):
        if busy and s.start <= busy[-1][1]:
            busy[-1][1] = max(busy[-1][1], s.end)
        else:
            busy.append([s.start, s.end])
    free = [(-math.inf, busy[0][0])]
    free += [(a[1], b[0]) for a, b in itertools.pairwise(busy)]
    free.append((busy[-1][1], math.inf))
    cal = ctx.calendar
    where = "inside" if within else "starting in"
    out = []
    for week, lo, hi in cal.horizon_weeks:
        best = 0.0
        for a, b in free:
            start = max(a, lo)
            if start < hi:  # a window starting in the week, as long as this gap allows (and the week, if strict)
                best = max(best, (min(b, hi) if within else b) - start)
        if best < length - 1e-9:
            out.append(
                ctx.violation(
                    "min_weekly_rest_hours",
                    ctx.legal(worker.role, "min_weekly_rest_hours"),
                    worker.name,
                    f"longest rest {where} the {cal.week_label(week)}: {_h(best)} < {_limit(length / 60)}",
                    lo,
                    hi,
                    best / 60,
                    length / 60,
                )
            )
    return out


def _working_days(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3132-1: distinct local start dates per calendar week."""
    limit = ctx.rules(worker.role)["max_working_days_per_week"]
    cal = ctx.calendar
    per_week: dict[int, set[int]] = defaultdict(set)
    for s in shifts:
        i = cal.index(s.start)
        per_week[int(cal.week[i])].add(int(cal.day[i]))
    return [
        ctx.violation(
            "max_working_days_per_week",
            ctx.legal(worker.role, "max_working_days_per_week"),
            worker.name,
            f"{len(days)} working days in the {cal.week_label(week)} > {limit:g}",
            cal.week_start(week),
            cal.week_start(week + 1),
            len(days),
            limit,
        )
        for week, days in sorted(per_week.items())
        if len(days) > limit
    ]


def _night_workers(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """L3122-5/6/7: enough night shifts in a calendar week make a night worker for the whole horizon, who
    then works at most the night worker's shift length and average week."""
    rules = ctx.rules(worker.role)
    needed = int(rules["night_worker_min_shifts_per_week"])
    min_night = rules["night_worker_min_night_hours"] * 60
    if not needed or min_night <= 0:
        return []
    cal = ctx.calendar
    per_week: dict[int, int] = defaultdict(int)
    for s in shifts:
        if cal.night_minutes(rules["night_period"], s.start, s.end) >= min_night - 1e-9:
            per_week[int(cal.week[cal.index(s.start)])] += 1
    weeks = sorted(w for w, n in per_week.items() if n >= needed)
    if not weeks:
        return []
    why = f"night worker ({per_week[weeks[0]]} night shifts in the {cal.week_label(weeks[0])})"
    out = []
    longest = rules["night_worker_max_daily_hours"]
    for s in shifts:
        if s.minutes > longest * 60 + 1e-9:
            out.append(
                ctx.violation(
                    "night_worker_max_daily_hours",
                    ctx.legal(worker.role, "night_worker_max_daily_hours"),
                    worker.name,
                    f"{why}: shift {_h(s.minutes)} > {_limit(longest)}",
                    s.start,
                    s.end,
                    s.hours,
                    longest,
                )
            )
    days = ctx.scenario.grid.days
    average = rules["night_worker_max_average_weekly_hours"]
    limit = average * days / 7
    total = sum(s.minutes for s in shifts)
    if total > limit * 60 + 1e-6:
        out.append(
            ctx.violation(
                "night_worker_max_average_weekly_hours",
                ctx.legal(worker.role, "night_worker_max_average_weekly_hours"),
                worker.name,
                f"{why}: {_h(total)} over the horizon > {average:g} h x {days}/7 days = {limit:.1f} h",
                0,
                cal.horizon,
                total / 60,
                limit,
            )
        )
    return out


def _agreed_presence(ctx: _Context, worker: Worker, shifts: list[Shift]) -> list[Violation]:
    """A person's (or hire's) agreed weekly hours, in full calendar weeks inside the horizon and their window."""
    spec = ctx.scenario.spec
    if worker.spec is not None:
        hours = worker.spec.min_weekly_hours
        where = f"people[{spec.people.index(worker.spec)}].min_weekly_hours"
    else:
        hire = spec.hire.get(worker.role)
        hours = hire.min_weekly_hours if hire else 0.0
        where = f"hire.{worker.role}.min_weekly_hours"
    if not hours:
        return []
    cal = ctx.calendar
    grid = ctx.scenario.grid
    first, last = 0, grid.days - 1
    if worker.spec is not None and worker.spec.internship is not None and ctx.role(worker.role).kind == "trainee":
        first = max(first, (worker.spec.internship.start - grid.start).days)
        last = min(last, (worker.spec.internship.end - grid.start).days)
    per_week = _week_minutes(ctx, shifts)
    out = []
    for week in range(grid.n_weeks):
        days = [d for d in range(grid.days) if grid.week_of_day[d] == week]
        if len(days) < 7 or days[0] < first or days[-1] > last:
            continue
        done = per_week.get(week, 0)
        if done < hours * 60 - 1e-9:
            out.append(
                ctx.violation(
                    "agreed presence",
                    where,
                    worker.name,
                    f"{_h(done)} in the {cal.week_label(week)} < the agreed {_limit(hours)}",
                    cal.week_start(week),
                    cal.week_start(week + 1),
                    done / 60,
                    hours,
                )
            )
    return out


# ------------------------------------------------------------------------------------- supervision
def _supervision_rules(ctx: _Context) -> list[tuple[str, tuple[str, ...], str, int, str]]:
    """(role, supervisors, mode, ratio, reference): the role's own rule, or trainees' default tutor rule."""
    spec = ctx.scenario.spec
    seniors = tuple(n for n, r in spec.roles.items() if r.kind == "senior")
    out = []
    for name, role in spec.roles.items():
        if role.supervision is not None and role.supervision.mode != "none":
            sup = role.supervision
            ref = ctx.legal(name, "tutor_max_trainees") if role.kind == "trainee" else f"roles.{name}.supervision"
            out.append((name, tuple(sup.by), sup.mode, sup.max_per_supervisor, ref))
        elif role.kind == "trainee" and role.supervision is None:
            rule = ctx.rules(name).rule("tutor_max_trainees")
            out.append((name, seniors, "on_duty", int(rule.value), rule.reference))
    return out


def _supervision(ctx: _Context) -> list[Violation]:
    """Supervised people on duty (each minute) or starting a shift (each date) <= ratio x supervisors."""
    cal = ctx.calendar
    out = []
    for role, by, mode, ratio, reference in _supervision_rules(ctx):
        supervised = [s for s in ctx.inputs.shifts if s.role == role]
        if not supervised:
            continue
        supervisors = [s for s in ctx.inputs.shifts if s.role in by]
        who = "/".join(by) or "supervisor"
        if mode == "on_duty":
            total = cal.horizon + 2 * cal.pad + 1
            count, sup = np.zeros(total, dtype=np.int64), np.zeros(total, dtype=np.int64)
            for group, array in ((supervised, count), (supervisors, sup)):
                for s in group:
                    array[cal.index(s.start)] += 1
                    array[cal.index(s.end)] -= 1
            count, sup = np.cumsum(count), np.cumsum(sup)
            bad = count > ratio * sup
            for lo, hi in _runs(bad):
                worst = lo + int(np.argmax(count[lo:hi] - ratio * sup[lo:hi]))
                out.append(
                    ctx.violation(
                        "supervision",
                        reference,
                        role,
                        f"{count[worst]} {role} on duty > {ratio} x {sup[worst]} {who} on duty",
                        lo - cal.pad,
                        hi - cal.pad,
                        int(count[worst]),
                        ratio * int(sup[worst]),
                    )
                )
        else:  # same_day
            starts: dict[date, int] = defaultdict(int)
            tutors: dict[date, int] = defaultdict(int)
            for s in supervised:
                starts[cal.date_of(s.start)] += 1
            for s in supervisors:
                tutors[cal.date_of(s.start)] += 1
            for day, n in sorted(starts.items()):
                if n > ratio * tutors[day]:
                    first = min(s.start for s in supervised if cal.date_of(s.start) == day)
                    out.append(
                        ctx.violation(
                            "supervision",
                            reference,
                            role,
                            f"{n} {role} shift(s) start on {day} > {ratio} x {tutors[day]} {who} shift(s) that day",
                            first,
                            None,
                            n,
                            ratio * tutors[day],
                        )
                    )
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


# ------------------------------------------------------------------------------------------- agency
def _agency_bookings(ctx: _Context) -> list[Violation]:
    """Agency blocks: inside the horizon, at least the minimum block, on the booking step, and no more
    moderators at once than the agency's maximum."""
    cal = ctx.calendar
    out = []
    for name, role in ctx.scenario.spec.roles.items():
        if role.kind != "agency":
            continue
        mine = [b for b in ctx.inputs.bookings if b.agency == name]
        for b in mine:
            if b.start < 0 or b.end > cal.horizon:
                out.append(
                    ctx.violation(
                        "horizon",
                        "horizon.start, horizon.days",
                        name,
                        "agency block outside the horizon",
                        b.start,
                        b.end,
                    )
                )
            if b.end - b.start < role.min_block_hours * 60 - 1e-9:
                out.append(
                    ctx.violation(
                        "agency block",
                        f"roles.{name}.min_block_hours",
                        name,
                        f"block of {_h(b.end - b.start)} < the minimum {_limit(role.min_block_hours)}",
                        b.start,
                        b.end,
                        (b.end - b.start) / 60,
                        role.min_block_hours,
                    )
                )
            if b.start % role.block_start_step_minutes:
                out.append(
                    ctx.violation(
                        "agency block",
                        f"roles.{name}.block_start_step_minutes",
                        name,
                        f"block starts off the agency's {role.block_start_step_minutes}-minute booking step",
                        b.start,
                        b.end,
                    )
                )
        total = cal.horizon + 2 * cal.pad + 1
        booked = np.zeros(total, dtype=np.int64)
        for b in mine:
            booked[cal.index(b.start)] += b.moderators
            booked[cal.index(b.end)] -= b.moderators
        booked = np.cumsum(booked)
        for lo, hi in _runs(booked > role.max_concurrent):
            worst = int(booked[lo:hi].max())
            out.append(
                ctx.violation(
                    "agency concurrency",
                    f"roles.{name}.max_concurrent",
                    name,
                    f"{worst} moderators at once > the agency's maximum of {role.max_concurrent}",
                    lo - cal.pad,
                    hi - cal.pad,
                    worst,
                    role.max_concurrent,
                )
            )
    return out


# ----------------------------------------------------------------------------------------- coverage
@dataclass
class _Supply:
    """Per slot, for each group of people with the same skills: present people and capacity units."""

    heads: dict[frozenset[str], np.ndarray] = field(default_factory=dict)
    capacity: dict[frozenset[str], np.ndarray] = field(default_factory=dict)


def _slot_parts(cal: _Calendar, start: int, end: int, break_start: int | None, break_end: int | None):
    """(slot, minutes worked in it net of the break, whether the interval covers the whole slot)."""
    size = cal.slot
    for t in range(max(0, start // size), min(cal.n_slots, -(-end // size))):
        lo, hi = t * size, (t + 1) * size
        worked = _overlap(start, end, lo, hi)
        if break_start is not None:
            worked -= _overlap(max(start, break_start), min(end, break_end), lo, hi)
        yield t, worked, start <= lo and end >= hi


def _supply(ctx: _Context) -> _Supply:
    """People present and capacity from the roster (trainees never count, L124-7) and the agency.

    A person-slot is present unless the time not worked in it (a break, or a shift edge off the grid) takes
    at least half the slot; its capacity is floor(100 x net minutes / slot minutes) x productivity // 100.
    """
    cal = ctx.calendar
    n = cal.n_slots
    supply = _Supply()

    def add(skills: frozenset[str], t: int, heads: int, capacity: int) -> None:
        if skills not in supply.heads:
            supply.heads[skills] = np.zeros(n, dtype=np.int64)
            supply.capacity[skills] = np.zeros(n, dtype=np.int64)
        supply.heads[skills][t] += heads
        supply.capacity[skills][t] += capacity

    for s in ctx.inputs.shifts:
        worker = ctx.worker(s.person)
        if ctx.role(worker.role).kind == "trainee" and ctx.rules(worker.role)["trainee_counts_as_extra"]:
            continue
        for t, net, _ in _slot_parts(cal, s.start, s.end, s.break_start, s.break_end):
            present = int(2 * net > cal.slot)
            capacity = (FULL * net // cal.slot) * worker.productivity // 100
            add(worker.skills, t, present, capacity)
    for b in ctx.inputs.bookings:
        role = ctx.role(b.agency)
        productivity = round(100 * role.productivity)
        for t, net, _ in _slot_parts(cal, b.start, b.end, None, None):
            present = int(2 * net > cal.slot)
            capacity = (FULL * net // cal.slot) * productivity // 100
            add(frozenset(role.skills), t, present * b.moderators, capacity * b.moderators)
    return supply


def _coverage(ctx: _Context) -> tuple[int, list[Violation]]:
    """Every slot's need per stream: Erlang headcount and capacity (Hall's condition over skills), backlog
    deadlines and weekly workloads (a linear programme sharing the same capacity). Returns slots checked."""
    scenario = ctx.scenario
    cal = ctx.calendar
    n = cal.n_slots
    needs = ctx.requirements
    streams = scenario.spec.streams
    supply = _supply(ctx)
    erlang = [s for s, spec in streams.items() if spec.response_model == "erlang"]
    deferred = [s for s, spec in streams.items() if spec.response_model != "erlang"]
    staff = {s: np.asarray(needs.staff[s], dtype=np.int64) for s in erlang}
    load = {}
    for s in erlang:
        spec = streams[s]
        units = np.ceil(FULL * needs.load[s] / spec.max_occupancy / (1 - spec.shrinkage) - 1e-9).astype(np.int64)
        load[s] = np.where(staff[s] > 0, units, 0)
    windows: dict[str, list[tuple[int, np.ndarray, int]]] = {}  # workload stream -> (week, slots, units due)
    wanted: dict[str, np.ndarray] = {}  # deferred stream -> slots where it may draw capacity
    for s in deferred:
        wanted[s] = np.zeros(n, dtype=bool)
        if streams[s].response_model == "workload":
            per_hour = FULL * 60 / cal.slot
            windows[s] = [
                (w, slots, math.ceil(hours * per_hour - 1e-9)) for w, slots, hours in workload_windows(scenario, s)
            ]
            for _, slots, _ in windows[s]:
                wanted[s][slots] = True
        else:
            wanted[s][:] = True
    shared = np.logical_or.reduce([*wanted.values(), np.zeros(n, dtype=bool)])  # slots left to the programme
    findings: list[tuple[str, str, str, int, float, float]] = []  # (kind, subject, reference, slot, found, need)
    for t in range(n):
        asked = {s: int(staff[s][t]) for s in erlang if staff[s][t] > 0}
        if not asked:
            continue
        worst = _hall(supply.heads, asked, streams, t)
        if worst:
            subject, given, need = worst
            findings.append(("people present", subject, _reference(subject), t, given, need))
        if not shared[t]:
            worst = _hall(supply.capacity, {s: int(load[s][t]) for s in asked}, streams, t)
            if worst:
                subject, given, need = worst
                findings.append(("capacity", subject, _reference(subject), t, given, need))
    out = _slot_findings(ctx, findings)
    if deferred:
        out += _deferred(ctx, supply, erlang, load, windows, wanted, shared)
    return n, out


def _reference(subject: str) -> str:
    return ", ".join(f"streams.{s}.targets" for s in subject.split("+"))


def _hall(
    supply: Mapping[frozenset[str], np.ndarray], asked: Mapping[str, int], streams, t: int
) -> tuple[str, float, float] | None:
    """The set of streams whose summed need most exceeds what the people able to serve any of them give in
    slot t (Hall's condition over the skills asked), or None when every set is served."""
    by_skill: dict[str, list[str]] = defaultdict(list)
    for s, need in asked.items():
        if need > 0:
            by_skill[streams[s].skill].append(s)
    skills = sorted(by_skill)
    worst = None
    for size in range(1, len(skills) + 1):
        for combo in itertools.combinations(skills, size):
            need = sum(asked[s] for sk in combo for s in by_skill[sk])
            given = sum(int(values[t]) for group, values in supply.items() if group.intersection(combo))
            if given < need and (worst is None or need - given > worst[2] - worst[1]):
                worst = ("+".join(s for sk in combo for s in by_skill[sk]), given, need)
    return worst


def _slot_findings(ctx: _Context, findings: list[tuple[str, str, str, int, float, float]]) -> list[Violation]:
    """Consecutive slots with the same shortfall become one violation, reported at its worst slot."""
    cal = ctx.calendar
    out = []
    findings.sort(key=lambda f: (f[0], f[1], f[3]))
    for (kind, subject, reference), group in itertools.groupby(findings, key=lambda f: f[:3]):
        items = list(group)
        runs: list[list] = []
        for item in items:
            if runs and runs[-1][-1][3] == item[3] - 1:
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            worst = max(run, key=lambda f: f[5] - f[4])
            if kind == "people present":
                text = f"{subject}: {worst[4]:g} people present < {worst[5]:g} needed"
                found, need = worst[4], worst[5]
            else:
                text = f"{subject}: capacity {worst[4] / FULL:.2f} < {worst[5] / FULL:.2f} person-slots needed"
                found, need = worst[4] / FULL, worst[5] / FULL
            if len(run) > 1:
                text += f" (worst of {len(run)} slots, at {cal.label(worst[3] * cal.slot)})"
            out.append(
                ctx.violation(
                    "coverage",
                    reference,
                    subject,
                    text,
                    run[0][3] * cal.slot,
                    (run[-1][3] + 1) * cal.slot,
                    found,
                    need,
                )
            )
    return out


def backlog_work(scenario: Scenario, stream: str) -> np.ndarray:
    """Capacity units of work arriving per slot, rounded on the cumulative sum (no work lost to rounding)."""
    grid = scenario.grid
    spec = scenario.spec.streams[stream]
    work = scenario.arrivals[stream] * spec.handle_minutes / grid.slot_minutes * FULL / (1 - spec.shrinkage)
    cumulative = np.ceil(np.cumsum(work) - 1e-6).astype(np.int64)
    return np.diff(np.concatenate([[0], cumulative]))


def backlog_deadlines(scenario: Scenario, stream: str, work: np.ndarray) -> list[tuple[int, int, int]]:
    """(arrival slot t, last slot t + W - 1 wrapping round the repeating horizon, backlog allowed then: the
    work arriving in slots t+1 .. t+W-1)."""
    grid = scenario.grid
    spec = scenario.spec.streams[stream]
    n = grid.n_slots
    twice = np.concatenate([[0], np.cumsum(np.concatenate([work, work]))])
    out = []
    for t in np.flatnonzero(work > 0):
        t = int(t)
        window = min(n, max(1, int(spec.target(scenario.bands[t]).within_minutes // grid.slot_minutes)))
        out.append((t, (t + window - 1) % n, int(twice[t + window] - twice[t + 1])))
    return out


def _deferred(
    ctx: _Context,
    supply: _Supply,
    erlang: list[str],
    load: Mapping[str, np.ndarray],
    windows: Mapping[str, list[tuple[int, np.ndarray, int]]],
    wanted: Mapping[str, np.ndarray],
    shared: np.ndarray,
) -> list[Violation]:
    """The exact condition when backlog or workload streams share people's capacity with each other and with
    Erlang streams: a linear programme allocating each skill group's capacity per slot, with a backlog per
    backlog stream (B[t] >= B[t-1] + work[t] - done[t], cyclic, deadlines as bounds). Shortfall variables
    (Erlang capacity missing, backlog work left unanswered, workload hours missing) are minimised: the plan
    holds exactly when they can all be zero."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array

    scenario = ctx.scenario
    cal = ctx.calendar
    n = cal.n_slots
    streams = scenario.spec.streams
    groups = list(supply.capacity)
    columns: list[tuple] = []  # what each variable is
    cost: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    rhs: list[float] = []

    def var(meaning: tuple, weight: float = 0.0) -> int:
        columns.append(meaning)
        cost.append(weight)
        return len(columns) - 1

    def row(terms: Iterable[tuple[int, float]], bound: float) -> None:
        r = len(rhs)
        for c, v in terms:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        rhs.append(bound)

    deferred = list(wanted)
    draw: dict[tuple[str, int], list[int]] = defaultdict(list)  # (stream, slot) -> allocation variables
    for t in np.flatnonzero(shared):
        t = int(t)
        asked = [s for s in erlang if load[s][t] > 0]
        for g in groups:
            if supply.capacity[g][t] <= 0:
                continue
            mine = [s for s in deferred + asked if streams[s].skill in g and (s in asked or wanted[s][t])]
            here = []
            for s in mine:
                x = var(("alloc", g, t, s))
                draw[(s, t)].append(x)
                here.append((x, 1.0))
            if here:
                row(here, float(supply.capacity[g][t]))
        for s in asked:
            gap = var(("erlang", s, t), 1.0)
            row([(x, -1.0) for x in draw[(s, t)]] + [(gap, -1.0)], -float(load[s][t]))
    for s in deferred:
        if streams[s].response_model == "workload":
            for week, slots, due in windows[s]:
                gap = var(("workload", s, week, due), 1.0)
                terms = [(x, -1.0) for t in slots for x in draw[(s, int(t))]]
                row([*terms, (gap, -1.0)], -float(due))
            continue
        work = backlog_work(scenario, s)
        backlog = [var(("backlog", s, t)) for t in range(n)]
        for t in range(n):
            dropped = var(("dropped", s, t), 1.0) if work[t] > 0 else None
            terms = [(backlog[t - 1], 1.0), (backlog[t], -1.0)] + [(x, -1.0) for x in draw[(s, t)]]
            if dropped is not None:
                terms.append((dropped, -1.0))
            row(terms, -float(work[t]))
        for _, last, allowed in backlog_deadlines(scenario, s, work):
            row([(backlog[last], 1.0)], float(allowed))
    matrix = coo_array((vals, (rows, cols)), shape=(len(rhs), len(columns))).tocsr()
    result = linprog(np.asarray(cost), A_ub=matrix, b_ub=np.asarray(rhs), bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the coverage programme could not be solved ({result.message}); this is a bug")
    values = result.x
    findings: list[tuple[str, str, str, int, float, float]] = []
    out: list[Violation] = []
    dropped: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for c, meaning in enumerate(columns):
        if cost[c] == 0 or values[c] <= TOLERANCE:
            continue
        if meaning[0] == "erlang":
            _, s, t = meaning
            need = float(load[s][t])
            findings.append(("capacity", s, f"streams.{s}.targets", t, need - values[c], need))
        elif meaning[0] == "workload":
            _, s, week, due = meaning
            start = cal.week_start(week)
            hours_due = due / FULL * cal.slot / 60
            done = (due - values[c]) / FULL * cal.slot / 60
            out.append(
                ctx.violation(
                    "coverage",
                    f"streams.{s}.workload",
                    s,
                    f"{s}: {done:.2f} h of capacity in the window < {hours_due:.2f} h due"
                    f" in the {cal.week_label(week)}",
                    max(0, start),
                    min(cal.horizon, cal.week_start(week + 1)),
                    done,
                    hours_due,
                )
            )
        else:
            _, s, t = meaning
            dropped[s].append((t, float(values[c])))
    out = _slot_findings(ctx, findings) + out
    for s, items in dropped.items():
        slots = np.zeros(n, dtype=bool)
        amount = np.zeros(n)
        for t, v in items:
            slots[t] = True
            amount[t] = v
        for lo, hi in _runs(slots):
            units = float(amount[lo:hi].sum())
            hours = units / FULL * cal.slot / 60
            out.append(
                ctx.violation(
                    "coverage",
                    f"streams.{s}.targets",
                    s,
                    f"{s}: {hours:.2f} person-hours of work arriving here cannot be answered within the target",
                    lo * cal.slot,
                    hi * cal.slot,
                    hours,
                    0,
                )
            )
    return out


# ----------------------------------------------------------------------------------------- presence
def _presence(ctx: _Context) -> list[Violation]:
    """Presence floors: per slot of the window, people of the listed roles whose shift covers the slot (and
    agency moderators if their role is listed) >= min."""
    cal = ctx.calendar
    n = cal.n_slots
    on_duty: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n, dtype=np.int64))
    for s in ctx.inputs.shifts:
        for t, _, covers in _slot_parts(cal, s.start, s.end, None, None):
            on_duty[s.role][t] += int(covers)
    for b in ctx.inputs.bookings:
        for t, _, covers in _slot_parts(cal, b.start, b.end, None, None):
            on_duty[b.agency][t] += b.moderators * int(covers)
    out = []
    floors = ctx.requirements.floors
    for i, (name, minimum, roles, mask) in enumerate(floors):
        count = sum((on_duty[r] for r in roles), np.zeros(n, dtype=np.int64))
        for lo, hi in _runs(np.asarray(mask) & (count < minimum)):
            worst = lo + int(np.argmin(count[lo:hi]))
            out.append(
                ctx.violation(
                    "presence",
                    f"presence[{i}] ({name})",
                    name,
                    f"{count[worst]} of {', '.join(roles)} on duty < {minimum}",
                    lo * cal.slot,
                    hi * cal.slot,
                    int(count[worst]),
                    minimum,
                )
            )
    return out


# -------------------------------------------------------------------------------------------- costs
def _unit_prices(ctx: _Context, worker: Worker) -> dict[str, int]:
    """Cents per slot of each per-slot component (premiums and overtime, or the stipend)."""
    role = ctx.role(worker.role)
    rules = ctx.rules(worker.role)
    slot_hours = ctx.calendar.slot / 60
    if role.kind == "trainee":
        return {"stipend": cents(role.stipend_per_hour * slot_hours)}
    gross = worker.spec.monthly_gross if worker.spec and worker.spec.monthly_gross else role.salary.monthly_gross
    hourly = gross / (rules["legal_weekly_hours"] * WEEKS_PER_MONTH) * (1 + role.salary.employer_charge_rate)
    first, second = rules["overtime_premium_first_hours"], rules["overtime_premium_next_hours"]
    return {
        "night premium": cents(hourly * role.premiums.night * slot_hours),
        "Sunday premium": cents(hourly * role.premiums.sunday * slot_hours),
        "holiday premium": cents(hourly * role.premiums.holiday * slot_hours),
        "1 May premium": cents(hourly * rules["may_first_premium"] * slot_hours),
        "overtime": cents(hourly * (1 + first) * slot_hours),
        "overtime, second tier": cents(hourly * max(0.0, second - first) * slot_hours),
    }


def _fixed_lines(ctx: _Context, worker: Worker, months: float) -> list[tuple[str, int]]:
    spec = ctx.scenario.spec
    role = ctx.role(worker.role)
    rules = ctx.rules(worker.role)
    out: list[tuple[str, int]] = []
    if role.is_salaried and (worker.spec is None or worker.spec.count_salary):
        gross = worker.spec.monthly_gross if worker.spec and worker.spec.monthly_gross else role.salary.monthly_gross
        salary = cents(gross * months)
        charges = cents(salary / 100 * role.salary.employer_charge_rate)
        out += [("salary", salary), ("employer charges", charges)]
        if spec.costs.paid_leave_provision:
            weeks = rules["paid_leave_weeks_per_year"]
            out.append(("paid-leave provision", cents((salary + charges) / 100 * weeks / (52 - weeks))))
    if worker.hire:
        hire = spec.hire.get(worker.role)
        if hire is not None:
            share = min(1.0, months / hire.amortisation_months)
            out.append(("recruitment", cents(hire.recruitment_cost * share)))
    if worker.spec is not None and worker.spec.training_cost:
        share = min(1.0, months / spec.costs.training_amortisation_months)
        out.append(("training", cents(worker.spec.training_cost * share)))
    return out


def _quantities(ctx: _Context, worker: Worker, shifts: list[Shift]) -> dict[str, float]:
    """Slots of each per-slot component in a worker's shifts, counted minute by minute (real time)."""
    cal = ctx.calendar
    rules = ctx.rules(worker.role)
    size = cal.slot
    minutes: dict[str, int] = defaultdict(int)
    for s in shifts:
        minutes["night premium"] += cal.night_minutes(rules["night_period"], s.start, s.end)
        minutes["Sunday premium"] += cal.count("sunday", lambda: cal.is_sunday, s.start, s.end)
        minutes["holiday premium"] += cal.count("holiday", lambda: cal.is_holiday & ~cal.is_may_first, s.start, s.end)
        minutes["1 May premium"] += cal.count("may first", lambda: cal.is_may_first, s.start, s.end)
        minutes["stipend"] += s.minutes
    legal = round(rules["legal_weekly_hours"] * 60 / size) * size
    second = round(rules["overtime_second_tier_from_hours"] * 60 / size) * size
    weeks = _week_minutes(ctx, shifts)
    minutes["overtime"] = sum(max(0, m - legal) for m in weeks.values())
    minutes["overtime, second tier"] = sum(max(0, m - second) for m in weeks.values())
    return {k: v / size for k, v in minutes.items()}


def _agency_lines(ctx: _Context, months: float) -> list[CostLine]:
    cal = ctx.calendar
    bands = ctx.scenario.bands
    unit = f"slot of {cal.slot} min"
    out = []
    for name, role in ctx.scenario.spec.roles.items():
        if role.kind != "agency":
            continue
        mine = [b for b in ctx.inputs.bookings if b.agency == name]
        band_minutes: dict[str, int] = defaultdict(int)
        for b in mine:
            for t, worked, _ in _slot_parts(cal, b.start, b.end, None, None):
                band_minutes[bands[t]] += worked * b.moderators
        for band in ("day", "night", "weekend"):
            if band_minutes[band]:
                price = cents(getattr(role.rates_per_hour, band) * cal.slot / 60)
                q = band_minutes[band] / cal.slot
                out.append(CostLine(name, name, f"agency hours ({band})", q, unit, price, round(q * price)))
        fee = cents(role.monthly_fee * months)
        if mine and fee:
            out.append(CostLine(name, name, "agency fee", 1, "horizon", fee, fee))
    return out


def recompute_costs(ctx: _Context) -> list[CostLine]:
    """Every cost line from the scenario's rates and the roster/agency quantities: unit prices rounded to the
    cent once, lines = quantity x unit price."""
    months = ctx.scenario.grid.days / DAYS_PER_MONTH
    unit = f"slot of {ctx.calendar.slot} min"
    payroll = [w for w in ctx.inputs.workers.values() if not w.hire or w.name in ctx.inputs.hired]
    out: list[CostLine] = []
    for worker in payroll:
        for component, amount in _fixed_lines(ctx, worker, months):
            if amount:  # a zero line (e.g. no recruitment cost) is not listed
                out.append(CostLine(worker.role, worker.name, component, 1, "horizon", amount, amount))
        quantities = _quantities(ctx, worker, ctx.by_person.get(worker.name, []))
        for component, price in _unit_prices(ctx, worker).items():
            q = quantities.get(component, 0.0)
            if q and price:
                out.append(CostLine(worker.role, worker.name, component, q, unit, price, round(q * price)))
    return out + _agency_lines(ctx, months) + _wish_lines(ctx)


def _costs(ctx: _Context, plan: Plan) -> tuple[CostComparison, list[Violation]]:
    """Recomputed lines against costs.csv line by line (role, who, component), and the total against
    plan.json's objective, to the cent."""
    lines = recompute_costs(ctx)
    listed = ctx.inputs.listed_costs
    out = []
    seen = set()
    for line in lines:
        seen.add(line.key)
        rows = listed.get(line.key, [])
        subject = f"{line.who} / {line.component}"
        expected = f"{line.quantity:g} x {line.unit_cents / 100:.2f} = {line.amount_cents / 100:.2f}"
        if not rows:
            message = f"recomputed {expected} is missing from costs.csv"
            out.append(
                ctx.violation("cost line", "costs.csv", subject, message, found=0, limit=line.amount_cents / 100)
            )
            continue
        amount = sum(r[2] for r in rows)
        if len(rows) > 1 or amount != line.amount_cents:
            q, p, a = rows[0]
            shown = f"{q:g} x {p:.2f} = {a / 100:.2f}" if len(rows) == 1 else f"{len(rows)} lines = {amount / 100:.2f}"
            out.append(
                ctx.violation(
                    "cost line",
                    "costs.csv",
                    subject,
                    f"costs.csv {shown} != recomputed {expected}",
                    found=amount / 100,
                    limit=line.amount_cents / 100,
                )
            )
    penalty = 0
    for key, rows in listed.items():
        if key in seen:
            continue
        amount = sum(r[2] for r in rows)
        if key[0] == UNMET:
            penalty += amount
            continue
        if amount == 0:
            continue  # a zero line listed or not changes nothing
        message = f"costs.csv lists {amount / 100:.2f} that the roster and agency tables do not give"
        out.append(
            ctx.violation("cost line", "costs.csv", f"{key[1]} / {key[2]}", message, found=amount / 100, limit=0)
        )
    recomputed = sum(line.amount_cents for line in lines) + penalty
    listed_total = sum(r[2] for rows in listed.values() for r in rows)
    objective = None if plan.stats.objective is None else round(plan.stats.objective * 100)
    if objective is None:
        out.append(
            ctx.violation(
                "total cost",
                "plan.json objective",
                "plan",
                f"plan.json has no objective (status {plan.stats.status}): no plan to check",
            )
        )
    elif objective != recomputed:
        out.append(
            ctx.violation(
                "total cost",
                "plan.json objective",
                "plan",
                f"plan.json objective {objective / 100:,.2f} != recomputed total {recomputed / 100:,.2f}",
                found=objective / 100,
                limit=recomputed / 100,
            )
        )
    mismatched = sum(1 for v in out if v.rule == "cost line")
    comparison = CostComparison(
        tuple(lines), recomputed, listed_total, objective, mismatched, ctx.scenario.spec.costs.currency
    )
    return comparison, out


__all__ = ["CostComparison", "CostLine", "Verdict", "Violation", "check", "parse_instant", "recompute_costs"]
