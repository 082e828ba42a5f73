"""Everything the CP-SAT model needs, computed once from a scenario and its requirements.

Pure: no file access, no solver. Shift templates are laid on the slot grid, each worker gets the shifts it
may take and its prices in cents, identical workers are grouped in crews, and agency blocks are listed.

Pricing convention (the checker recomputes it independently): every unit price is rounded to the cent once
(per slot of premium, stipend, overtime or agency time; per person for salary and its charges), and a cost
line is an integer number of units times its unit price.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from scheduler.requirements import Requirements, workload_windows
from scheduler.rules import RuleSet, weekly_rest_within_week
from scheduler.scenario import Scenario, leave_dates
from scheduler.scenario.demand import weekday_numbers
from scheduler.scenario.schema import PersonSpec, RoleSpec, RosterRules
from scheduler.timegrid import in_window, parse_clock, parse_window

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = 52 / 12
FULL = 100  # capacity of one person-slot at productivity 1.0, in capacity units


def cents(euros: float) -> int:
    """Round half away from zero to the cent (the same rule the checker states)."""
    value = euros * 100
    return math.floor(abs(value) + 0.5 + 1e-9) * (1 if value >= 0 else -1)


@dataclass(frozen=True)
class Shift:
    """A shift template on one day: [start, end) in slots, with what it costs and yields."""

    role: str
    day: int
    start: int
    end: int
    capacity: tuple[int, ...]  # per slot from start, out of FULL, the break removed
    present: tuple[bool, ...]  # per slot from start: on duty (a break takes less than half the slot)
    night_slots: int
    sunday_slots: int
    holiday_slots: int  # public holidays other than 1 May
    may_first_slots: int
    week_slots: tuple[tuple[int, int], ...]  # (calendar week, slots in it)
    day_slots: tuple[tuple[int, int], ...]  # (calendar day, slots in it)
    night_shift: bool  # enough night hours to count towards night-worker status
    break_start: int | None  # slot where the break starts, None when no break is due

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Wish:
    """A request of a person, in model terms: granted or not is decided by the shifts of ``day``."""

    day: int
    kind: str  # day_off, day_on, shift_off, shift_on
    window: tuple[int, int] | None  # start-time window of the shift type, local minutes
    shift: str  # the window as written, for the plan's table
    weight: int  # cents the manager would pay to grant it


@dataclass(frozen=True)
class Worker:
    """A named person or one hire slot, with the shifts it may take and its prices in cents."""

    id: str
    role: str
    kind: str
    hire: bool
    skills: frozenset[str]
    productivity: int  # percent
    shifts: tuple[int, ...]  # indices into ModelData.shifts[role]
    shift_cost: tuple[int, ...]  # cents per allowed shift: premiums or stipend
    fixed_lines: tuple[tuple[str, int], ...]  # (component, cents) for the horizon, paid if the worker exists
    unit_prices: tuple[tuple[str, int], ...]  # (component, cents per slot): premiums, stipend, overtime
    limits: Limits
    min_weekly_slots: int
    window: tuple[int, int] | None  # [first day, last day] of an internship, else None
    roster: RosterRules = field(default_factory=RosterRules)  # fixed days off are already out of shifts
    wishes: tuple[Wish, ...] = ()

    @cached_property
    def fixed_cost(self) -> int:
        return sum(c for _, c in self.fixed_lines)

    @cached_property
    def units(self) -> dict[str, int]:
        return dict(self.unit_prices)

    @cached_property
    def overtime_unit(self) -> int:
        """Cents per slot above the legal week (paid in full plus the first premium)."""
        return self.units.get("overtime", 0)

    @property
    def overtime2_unit(self) -> int:
        """Extra cents per slot above the second overtime tier."""
        return self.units.get("overtime, second tier", 0)

    @cached_property
    def price_of(self) -> dict[int, int]:
        """Shift index -> cents."""
        return dict(zip(self.shifts, self.shift_cost, strict=True))

    @property
    def is_trainee(self) -> bool:
        return self.kind == "trainee"


@dataclass(frozen=True)
class Limits:
    """A worker's working-time limits in slots, from its role's rule set."""

    max_daily: int
    max_weekly: int
    max_total: int  # the average-week rule over the horizon
    min_rest: int
    weekly_rest: int
    # L3132-2 read strictly (the default): the weekly rest lies inside each calendar week; False, it only
    # starts in the week and may run on into the next (rule ``weekly_rest_reading``).
    weekly_rest_within_week: bool
    max_days_per_week: int
    legal_week: int
    overtime_second_tier: int
    night_worker_shifts: int
    night_worker_max_daily: int
    night_worker_max_total: int


@dataclass(frozen=True)
class Crew:
    """Interchangeable workers: same role, skills, shift prices and limits. People already on the payroll
    and the role's hire slots (filled in order) share a crew when they price shifts alike.

    The aggregate model decides how many of a crew take each shift; the per-person model, which one.
    """

    name: str
    role: str
    kind: str
    existing: tuple[int, ...]  # indices into ModelData.workers: people on the payroll
    hires: tuple[int, ...]  # hire slots, in the order they are filled
    hire_min: int

    @property
    def members(self) -> tuple[int, ...]:
        return self.existing + self.hires

    @property
    def hire(self) -> bool:
        return bool(self.hires)

    @property
    def hire_max(self) -> int:
        return len(self.hires)


@dataclass(frozen=True)
class AgencyBlock:
    start: int
    end: int
    cost: int  # cents per moderator


@dataclass(frozen=True)
class Supervision:
    """At most ``ratio`` people of ``role`` per person of ``by`` on duty (slot) or at work (day)."""

    role: str
    by: tuple[str, ...]
    mode: str
    ratio: int
    reference: str


@dataclass(frozen=True)
class ModelData:
    scenario: Scenario
    requirements: Requirements
    shifts: dict[str, tuple[Shift, ...]]
    workers: tuple[Worker, ...]
    crews: tuple[Crew, ...]
    agency: dict[str, AgencyInfo]
    supervision: tuple[Supervision, ...]
    need_staff: dict[str, np.ndarray]  # erlang stream -> people on duty needed per slot, times FULL
    need_load: dict[str, np.ndarray]  # erlang stream -> capacity units needed per slot (load / occupancy cap)
    workloads: dict[str, list[tuple[int, np.ndarray, int]]]  # stream -> (week, slots, capacity units due)
    backlog_work: dict[str, np.ndarray]  # backlog stream -> capacity units arriving per slot
    backlog_deadlines: dict[str, list[tuple[int, int, int]]]  # -> (arrival slot, last slot, backlog allowed)
    months: float = 0.0

    @cached_property
    def shortfall_staff_unit(self) -> int:
        """Cents per capacity unit of unmet stream need (the scenario's price per staff hour)."""
        price = self.scenario.spec.shortfall.price_per_staff_hour
        return max(1, cents(price * self.scenario.grid.slot_hours / FULL))

    @cached_property
    def shortfall_presence_unit(self) -> int:
        """Cents per missing person-slot of a presence floor."""
        price = self.scenario.spec.shortfall.price_per_presence_hour
        return max(1, cents(price * self.scenario.grid.slot_hours))

    @cached_property
    def n_slots(self) -> int:
        return self.scenario.grid.n_slots

    @cached_property
    def streams(self) -> tuple[str, ...]:
        return tuple(self.scenario.spec.streams)

    def stream_skill(self, stream: str) -> str:
        return self.scenario.spec.streams[stream].skill


@dataclass(frozen=True)
class AgencyInfo:
    role: str
    skills: frozenset[str]
    productivity: int
    max_concurrent: int
    blocks: tuple[AgencyBlock, ...]
    fee: int  # cents over the horizon, due if any block is booked


# ----------------------------------------------------------------------------------------------
def compile_model_data(scenario: Scenario, requirements: Requirements) -> ModelData:
    """Shift templates, workers, crews, agency blocks, needs and prices for one scenario."""
    grid = scenario.grid
    months = grid.days / DAYS_PER_MONTH
    shifts = {
        name: _shift_templates(scenario, name, role)
        for name, role in scenario.spec.roles.items()
        if role.kind != "agency"
    }
    workers: list[Worker] = []
    for person in scenario.spec.people:
        workers.append(
            _worker(scenario, person.name, person.role, person, hire_index=None, shifts=shifts, months=months)
        )
    for role_name, hire in scenario.spec.hire.items():
        for k in range(hire.max):
            workers.append(
                _worker(
                    scenario, f"{role_name} hire {k + 1}", role_name, None, hire_index=k, shifts=shifts, months=months
                )
            )
    crews = _crews(scenario, workers)
    agency = {
        name: _agency(scenario, name, role, months)
        for name, role in scenario.spec.roles.items()
        if role.kind == "agency"
    }
    need_staff = {name: requirements.staff[name] * FULL for name in scenario.spec.streams}
    need_load = {}
    for name, stream in scenario.spec.streams.items():
        load = requirements.load[name] / stream.max_occupancy / (1 - stream.shrinkage)
        need_load[name] = np.where(need_staff[name] > 0, np.ceil(FULL * load - 1e-9), 0).astype(int)
    workloads = {}
    for name, stream in scenario.spec.streams.items():
        if stream.response_model == "workload":
            per_hour = grid.slots_per_hour * FULL
            workloads[name] = [
                (w, slots, math.ceil(hours * per_hour - 1e-9)) for w, slots, hours in workload_windows(scenario, name)
            ]
    backlog_work = {
        name: _backlog_work(scenario, name)
        for name, st in scenario.spec.streams.items()
        if st.response_model == "backlog"
    }
    return ModelData(
        scenario=scenario,
        backlog_work=backlog_work,
        backlog_deadlines={name: _backlog_deadlines(scenario, name, work) for name, work in backlog_work.items()},
        requirements=requirements,
        shifts=shifts,
        workers=tuple(workers),
        crews=crews,
        agency=agency,
        supervision=_supervision(scenario),
        need_staff=need_staff,
        need_load=need_load,
        workloads=workloads,
        months=months,
    )


def _backlog_work(scenario: Scenario, stream: str) -> np.ndarray:
    """Capacity units of work arriving per slot (items x handle time / slot, shrinkage added), rounded on
    the cumulative sum so that no work is lost to rounding."""
    grid = scenario.grid
    spec = scenario.spec.streams[stream]
    work = scenario.arrivals[stream] * spec.handle_minutes / grid.slot_minutes * FULL / (1 - spec.shrinkage)
    cumulative = np.ceil(np.cumsum(work) - 1e-6).astype(int)
    return np.diff(np.concatenate([[0], cumulative]))


def _backlog_deadlines(scenario: Scenario, stream: str, work: np.ndarray) -> list[tuple[int, int, int]]:
    """For each slot t with arrivals: the last slot that may serve them, t + W - 1 (wrapping around the
    repeating horizon), and the backlog allowed after it (the work that arrived after slot t)."""
    grid = scenario.grid
    spec = scenario.spec.streams[stream]
    n = grid.n_slots
    prefix = np.concatenate([[0], np.cumsum(np.concatenate([work, work]))])
    out = []
    for t in np.flatnonzero(work > 0):
        t = int(t)
        window = min(n, max(1, int(spec.target(scenario.bands[t]).within_minutes // grid.slot_minutes)))
        later = int(prefix[t + window] - prefix[t + 1])  # arrivals in slots t+1 .. t+window-1
        out.append((t, (t + window - 1) % n, later))
    return out


def _shift_templates(scenario: Scenario, role_name: str, role: RoleSpec) -> tuple[Shift, ...]:
    """Every (day, start, length) the role allows, inside the horizon (no shift runs past its end)."""
    grid = scenario.grid
    rules = scenario.role_rules[role_name]
    spec = role.shifts
    first, last = parse_clock(spec.earliest_start), parse_clock(spec.latest_start)
    night = grid.in_window_slots(parse_window(rules["night_period"]))  # the role's own night period
    night_min = grid.slots(rules["night_worker_min_night_hours"])
    break_after = grid.slots(rules["break_after_hours"])
    break_minutes = rules["break_minutes"]
    out: list[Shift] = []
    for day in range(grid.days):
        for minute in range(first, last + 1, spec.start_step_minutes):
            start = grid.local_slot(day, minute)
            if start is None:
                continue  # the clock skips this time on a daylight-saving day
            for hours in sorted(spec.lengths_hours):
                end = start + grid.slots(hours)
                if end > grid.n_slots:
                    continue
                out.append(_shift(scenario, role_name, day, start, end, night, night_min, break_after, break_minutes))
    return tuple(out)


def _shift(
    scenario: Scenario,
    role: str,
    day: int,
    start: int,
    end: int,
    night: Sequence[bool],
    night_min: int,
    break_after: int,
    break_minutes: float,
) -> Shift:
    grid = scenario.grid
    slots = range(start, end)
    capacity = [FULL] * (end - start)
    present = [True] * (end - start)
    break_start = None
    if break_minutes > 0 and end - start >= break_after > 0:
        # The break sits in the middle of the shift, which is always before 6 h of work for shifts <= 12 h.
        offset = (end - start) // 2
        break_start = start + offset
        left = break_minutes
        i = offset
        while left > 0 and i < len(capacity):
            taken = min(left, grid.slot_minutes)
            capacity[i] = math.floor(FULL * (grid.slot_minutes - taken) / grid.slot_minutes)
            present[i] = 2 * taken < grid.slot_minutes
            left -= taken
            i += 1
    weeks: dict[int, int] = defaultdict(int)
    days: dict[int, int] = defaultdict(int)
    for t in slots:
        weeks[grid.week_of_slot[t]] += 1
        days[grid.day_of_slot[t]] += 1
    night_slots = sum(night[t] for t in slots)
    return Shift(
        role=role,
        day=day,
        start=start,
        end=end,
        capacity=tuple(capacity),
        present=tuple(present),
        night_slots=night_slots,
        sunday_slots=sum(grid.is_sunday[t] for t in slots),
        holiday_slots=sum(grid.is_holiday[t] and not grid.is_may_first[t] for t in slots),
        may_first_slots=sum(grid.is_may_first[t] for t in slots),
        week_slots=tuple(sorted(weeks.items())),
        day_slots=tuple(sorted(days.items())),
        night_shift=night_slots >= night_min > 0,
        break_start=break_start,
    )


def _limits(scenario: Scenario, rules: RuleSet, kind: str) -> Limits:
    grid = scenario.grid
    weeks = grid.days / 7
    max_weekly = rules["max_weekly_hours"]
    if kind == "trainee":
        max_weekly = min(max_weekly, rules["trainee_max_weekly_hours"])
    return Limits(
        max_daily=grid.slots(rules["max_daily_hours"]),
        max_weekly=grid.slots(max_weekly),
        max_total=math.floor(rules["max_average_weekly_hours"] * weeks * grid.slots_per_hour + 1e-9),
        min_rest=grid.slots(rules["min_daily_rest_hours"]),
        weekly_rest=grid.slots(rules["min_weekly_rest_hours"]),
        weekly_rest_within_week=weekly_rest_within_week(rules),
        max_days_per_week=int(rules["max_working_days_per_week"]),
        legal_week=grid.slots(rules["legal_weekly_hours"]),
        overtime_second_tier=grid.slots(rules["overtime_second_tier_from_hours"]),
        night_worker_shifts=int(rules["night_worker_min_shifts_per_week"]),
        night_worker_max_daily=grid.slots(rules["night_worker_max_daily_hours"]),
        night_worker_max_total=math.floor(
            rules["night_worker_max_average_weekly_hours"] * weeks * grid.slots_per_hour + 1e-9
        ),
    )


def _worker(
    scenario: Scenario,
    worker_id: str,
    role_name: str,
    person: PersonSpec | None,
    *,
    hire_index: int | None,
    shifts: dict[str, tuple[Shift, ...]],
    months: float,
) -> Worker:
    spec = scenario.spec
    role = spec.roles[role_name]
    rules = scenario.role_rules[role_name]
    grid = scenario.grid
    skills = scenario.skills_of(person) if person is not None else frozenset(role.skills)
    productivity = round(100 * (person.productivity if person and person.productivity else role.productivity))
    window = _internship_window(scenario, person) if role.kind == "trainee" else None
    roster = scenario.roster_rules(role_name, person)
    off = days_off(scenario, roster)
    allowed = [
        i
        for i, shift in enumerate(shifts[role_name])
        if shift.day not in off and _may_take(scenario, role, rules, person, shift, window)
    ]

    fixed: list[tuple[str, int]] = []
    slot_hours = grid.slot_hours
    if role.is_salaried:
        gross = person.monthly_gross if person and person.monthly_gross else role.salary.monthly_gross
        charge = role.salary.employer_charge_rate
        if person is None or person.count_salary:
            salary = cents(gross * months)
            charges = cents(salary / 100 * charge)
            fixed += [("salary", salary), ("employer charges", charges)]
            if spec.costs.paid_leave_provision:
                weeks = rules["paid_leave_weeks_per_year"]
                fixed.append(("paid-leave provision", cents((salary + charges) / 100 * weeks / (52 - weeks))))
        # Premiums and overtime are paid on the loaded hourly rate of the legal week.
        hourly = gross / (rules["legal_weekly_hours"] * WEEKS_PER_MONTH) * (1 + charge)
        first, second = rules["overtime_premium_first_hours"], rules["overtime_premium_next_hours"]
        units = {
            "night premium": cents(hourly * role.premiums.night * slot_hours),
            "Sunday premium": cents(hourly * role.premiums.sunday * slot_hours),
            "holiday premium": cents(hourly * role.premiums.holiday * slot_hours),
            "1 May premium": cents(hourly * rules["may_first_premium"] * slot_hours),
            "overtime": cents(hourly * (1 + first) * slot_hours),
            "overtime, second tier": cents(hourly * max(0.0, second - first) * slot_hours),
        }
    else:  # trainee: a stipend per hour of presence, no social charges on it
        units = {"stipend": cents(role.stipend_per_hour * slot_hours)}
    shift_cost = [shift_price(shifts[role_name][i], units) for i in allowed]
    if hire_index is not None:
        hire = spec.hire[role_name]
        fixed.append(("recruitment", cents(hire.recruitment_cost * min(1.0, months / hire.amortisation_months))))
    if person is not None and person.training_cost:
        amortise = spec.costs.training_amortisation_months
        fixed.append(("training", cents(person.training_cost * min(1.0, months / amortise))))
    min_weekly = person.min_weekly_hours if person is not None else spec.hire[role_name].min_weekly_hours
    return Worker(
        id=worker_id,
        role=role_name,
        kind=role.kind,
        hire=hire_index is not None,
        skills=skills,
        productivity=productivity,
        shifts=tuple(allowed),
        shift_cost=tuple(shift_cost),
        fixed_lines=tuple(fixed),
        unit_prices=tuple(units.items()),
        limits=_limits(scenario, rules, role.kind),
        min_weekly_slots=grid.slots(min_weekly),
        window=window,
        roster=roster,
        wishes=_wishes(scenario, person),
    )


def days_off(scenario: Scenario, roster: RosterRules) -> frozenset[int]:
    """Horizon days a person's fixed days off (weekday names or dates) keep free of shift starts."""
    grid = scenario.grid
    names = [d for d in roster.days_off or () if isinstance(d, str)]
    weekdays = set(weekday_numbers(names))
    dates = {d for d in roster.days_off or () if not isinstance(d, str)}
    return frozenset(k for k, d in enumerate(grid.dates) if d.weekday() in weekdays or d in dates)


def _wishes(scenario: Scenario, person: PersonSpec | None) -> tuple[Wish, ...]:
    if person is None:
        return ()
    start = scenario.grid.dates[0]
    return tuple(
        Wish(
            day=(r.date - start).days,
            kind=r.kind,
            window=parse_window(r.shift) if r.shift else None,
            shift=r.shift or "",
            weight=cents(r.weight),
        )
        for r in scenario.requests_of(person.name)
    )


def starts_in(data: ModelData, shift: Shift, window: tuple[int, int]) -> bool:
    """Whether a shift is of the type a start-time window names."""
    return in_window(data.scenario.grid.minute_of_slot[shift.start], window)


def agreed_weeks(data: ModelData, w: Worker) -> list[int]:
    """The calendar weeks a worker's agreed weekly presence applies to: whole weeks inside the horizon and
    inside their window (an internship that starts or ends mid-week has no agreed hours that week)."""
    grid = data.scenario.grid
    first, last = w.window if w.window else (0, grid.days - 1)
    weeks = []
    day = 0  # the week's first day in the horizon
    for week, days in enumerate(grid.days_in_week):
        if days == 7 and day >= first and day + 6 <= last:
            weeks.append(week)
        day += days
    return weeks


def shift_slots(shift: Shift) -> dict[str, int]:
    """Slots of a shift that each per-slot price applies to (overtime is counted per week instead)."""
    return {
        "night premium": shift.night_slots,
        "Sunday premium": shift.sunday_slots,
        "holiday premium": shift.holiday_slots,
        "1 May premium": shift.may_first_slots,
        "stipend": shift.length,
    }


def shift_price(shift: Shift, units: dict[str, int]) -> int:
    """Cents a shift costs beyond fixed pay: its premium slots (or stipend slots) times unit prices."""
    return sum(n * units.get(component, 0) for component, n in shift_slots(shift).items())


def _internship_window(scenario: Scenario, person: PersonSpec | None) -> tuple[int, int]:
    """First and last horizon day of the internship (the whole horizon for a hire without dates)."""
    grid = scenario.grid
    if person is None or person.internship is None:
        return (0, grid.days - 1)
    first = (person.internship.start - grid.start).days
    last = (person.internship.end - grid.start).days
    return (max(0, first), min(grid.days - 1, last))


def _may_take(
    scenario: Scenario,
    role: RoleSpec,
    rules: RuleSet,
    person: PersonSpec | None,
    shift: Shift,
    window: tuple[int, int] | None,
) -> bool:
    """Whether a worker may take a shift at all: permissions, leave, availability, internship window."""
    grid = scenario.grid
    if shift.sunday_slots and not role.sunday_work:
        return False
    night_allowed = role.night_work and not (role.kind == "trainee" and not rules["trainee_night_work"])
    if shift.night_slots and not night_allowed:
        return False
    if window is not None:
        last_day = grid.day_of_slot[shift.end - 1]
        if shift.day < window[0] or last_day > window[1]:
            return False
    if person is None:
        return True
    touched = {grid.day_of_slot[t] for t in range(shift.start, shift.end)}
    leave = leave_dates(person)
    if any(grid.dates[d] in leave for d in touched):
        return False
    if person.available is not None:
        days = weekday_numbers(person.available.days)
        lo, hi = parse_clock(person.available.from_), parse_clock(person.available.to)
        for t in range(shift.start, shift.end):
            minute = grid.minute_of_slot[t]
            if grid.weekday_of_slot[t] not in days or not lo <= minute < hi:
                return False
    return True


def _crews(scenario: Scenario, workers: Sequence[Worker]) -> tuple[Crew, ...]:
    """Group workers the model cannot tell apart: same role, skills, productivity, unit prices, limits,
    agreed hours and window. Fixed pay may differ (a hire's recruitment cost): it is counted per member."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, w in enumerate(workers):
        key = (w.role, w.skills, w.productivity, w.unit_prices, w.limits, w.min_weekly_slots, w.window)
        groups[key].append(i)
    parts: list[list[int]] = []
    for members in groups.values():
        # Members must price every shift they share alike (a personal salary changes premiums).
        prices: dict[int, dict[int, int]] = {}
        split: list[list[int]] = []
        for m in members:
            table = workers[m].price_of
            for group in split:
                ref = prices[group[0]]
                if all(ref.get(k, v) == v for k, v in table.items()):
                    group.append(m)
                    break
            else:
                prices[m] = table
                split.append([m])
        parts.extend(split)
    crews = []
    per_role: dict[str, int] = defaultdict(int)
    for part in parts:
        per_role[workers[part[0]].role] += 1
    seen: dict[str, int] = defaultdict(int)
    for part in parts:
        w = workers[part[0]]
        existing = tuple(m for m in part if not workers[m].hire)
        hires = tuple(m for m in part if workers[m].hire)
        hire = scenario.spec.hire.get(w.role)
        seen[w.role] += 1
        if per_role[w.role] == 1:
            name = w.role
        elif len(part) == 1 and existing:
            name = w.id
        else:
            name = f"{w.role} {seen[w.role]}"
        crews.append(
            Crew(
                name=name,
                role=w.role,
                kind=w.kind,
                existing=existing,
                hires=hires,
                hire_min=min(hire.min, len(hires)) if hire and hires else 0,
            )
        )
    return tuple(crews)


def _agency(scenario: Scenario, name: str, role: RoleSpec, months: float) -> AgencyInfo:
    """Block templates of lengths in [min, 2 min): any longer block is two of these at the same price."""
    grid = scenario.grid
    rates = role.rates_per_hour
    unit = {band: cents(getattr(rates, band) * grid.slot_hours) for band in ("day", "night", "weekend")}
    slot_cost = [unit[b] for b in scenario.bands]
    prefix = np.concatenate([[0], np.cumsum(slot_cost)])
    shortest = grid.slots(role.min_block_hours)
    step = max(1, role.block_start_step_minutes // grid.slot_minutes)
    blocks = []
    for start in range(0, grid.n_slots, step):
        for length in range(shortest, 2 * shortest):
            end = start + length
            if end > grid.n_slots:
                break
            blocks.append(AgencyBlock(start, end, int(prefix[end] - prefix[start])))
    return AgencyInfo(
        role=name,
        skills=frozenset(role.skills),
        productivity=round(100 * role.productivity),
        max_concurrent=role.max_concurrent,
        blocks=tuple(blocks),
        fee=cents(role.monthly_fee * months),
    )


def _supervision(scenario: Scenario) -> tuple[Supervision, ...]:
    """Each role's supervision rule; trainees default to a senior tutor on duty (rule set's ratio)."""
    out = []
    seniors = tuple(n for n, r in scenario.spec.roles.items() if r.kind == "senior")
    for name, role in scenario.spec.roles.items():
        rules = scenario.role_rules[name]
        if role.supervision is not None and role.supervision.mode != "none":
            sup = role.supervision
            ref = rules.rule("tutor_max_trainees").reference if role.kind == "trainee" else "scenario supervision rule"
            out.append(Supervision(name, sup.by, sup.mode, sup.max_per_supervisor, ref))
        elif role.kind == "trainee" and role.supervision is None:
            rule = rules.rule("tutor_max_trainees")
            out.append(Supervision(name, seniors, "on_duty", int(rule.value), rule.reference))
    return tuple(out)
