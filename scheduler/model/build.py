"""The CP-SAT model: one function per rule family, over "units" of interchangeable workers.

At the **crew level** a unit is a crew and its variables count how many members take each shift; every
per-person rule is summed over the crew, which gives a valid relaxation (its bound holds for the real
problem) with few variables. At the **person level** a unit is one worker and the rules are exact.

The builder never reads files and never solves; it returns the model and handles on its variables.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from scheduler.model.data import FULL, Crew, ModelData, Shift, Wish, Worker, agreed_weeks, cents, starts_in
from scheduler.rules import weekly_rest_statement
from scheduler.timegrid import parse_window

Level = Literal["crew", "person"]


@dataclass(frozen=True)
class Unit:
    """Workers decided together: one person (person level) or a crew (crew level).

    At the crew level a crew that can work nights is split in two units, its night workers (``night``
    True: shifts of at most 8 h, 40 h a week on average, any number of nights) and the others (False: one
    night shift a week at most), whose sizes add up to the crew's; so the night-work rules (L3122-5/6/7)
    stay exact after aggregation.
    """

    name: str
    crew: int
    workers: tuple[int, ...]
    hire: bool
    night: bool | None = None

    @property
    def size(self) -> int:
        return len(self.workers)


@dataclass(frozen=True)
class Gate:
    """What an assumption literal switches on, in words, for infeasibility explanations."""

    family: str
    reference: str
    who: str
    when: str
    text: str


@dataclass
class Handles:
    """The model and the variables a solution is read from."""

    model: cp_model.CpModel
    data: ModelData
    level: Level
    units: list[Unit]
    take: list[dict[int, cp_model.IntVar]] = field(default_factory=list)  # per unit: shift index -> var
    active: list[cp_model.IntVar | int] = field(default_factory=list)
    overtime: list[dict[int, tuple[cp_model.IntVar, cp_model.IntVar]]] = field(default_factory=list)
    agency: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    agency_used: dict[str, cp_model.IntVar] = field(default_factory=dict)
    alloc_capacity: dict[tuple[str, int, str], cp_model.IntVar] = field(default_factory=dict)
    shortfall: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)  # (stream or floor, slot)
    costs: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # component -> terms
    constant: int = 0
    gates: dict[int, Gate] = field(default_factory=dict)  # literal index -> meaning
    explain: bool = False
    shortfall_weight: int = 1  # > 1 when unmet need is only a way to start, not an option the user allowed
    _onduty: dict[tuple[str, int], cp_model.LinearExprT] = field(default_factory=dict)
    _gate_lits: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    _headcount_rows: dict[int, list[tuple[frozenset[str], int]]] = field(default_factory=lambda: defaultdict(list))

    def gate(self, family: str, reference: str, who: str, when: str, text: str) -> list[cp_model.IntVar]:
        """An enforcement literal for a group of constraints when explaining infeasibility, else none."""
        if not self.explain:
            return []
        key = (family, who, when)
        if key not in self._gate_lits:
            lit = self.model.new_bool_var(f"assume[{family}|{who}|{when}]")
            self._gate_lits[key] = lit
            self.gates[lit.index] = Gate(family, reference, who, when, text)
        return [self._gate_lits[key]]

    def shifts_of(self, u: int) -> tuple[Shift, ...]:
        return self.data.shifts[self.data.crews[self.units[u].crew].role]

    def crew_of(self, u: int) -> Crew:
        return self.data.crews[self.units[u].crew]

    def worker_of(self, u: int) -> Worker:
        return self.data.workers[self.units[u].workers[0]]


def make_units(data: ModelData, level: Level) -> list[Unit]:
    units = []
    for c, crew in enumerate(data.crews):
        if level == "person":
            units.extend(Unit(data.workers[m].id, c, (m,), data.workers[m].hire) for m in crew.members)
        elif _works_nights(data, crew):
            units.append(Unit(f"{crew.name} (night workers)", c, crew.members, crew.hire, night=True))
            units.append(Unit(crew.name, c, crew.members, crew.hire, night=False))
        else:
            units.append(Unit(crew.name, c, crew.members, crew.hire))
    return units


def _works_nights(data: ModelData, crew: Crew) -> bool:
    worker = data.workers[crew.members[0]]
    if not worker.limits.night_worker_shifts:
        return False
    shifts = data.shifts[crew.role]
    return any(shifts[i].night_shift for m in crew.members for i in data.workers[m].shifts)


def build_model(
    data: ModelData,
    level: Level,
    *,
    fixed_counts: Mapping[int, Mapping[int, int]] | None = None,
    min_hires: Mapping[int, int] | None = None,
    explain: bool = False,
    allow_shortfall: bool = False,
    shortfall_weight: int = 1,
    support: Mapping[int, Collection[int]] | None = None,
    drop_price: int | None = None,
) -> Handles:
    """Build the model at a level.

    With ``fixed_counts`` (crew -> shift -> count, from a crew-level solution) the person-level model only
    assigns those shifts to people: coverage, agency, presence and supervision are then already met and
    are left out. ``min_hires`` (crew -> count) keeps at least that many hire slots filled; more may be
    hired when the counts cannot be shared out among fewer people under the per-person rules.
    ``support`` (unit -> shift indices) keeps only those shifts' variables: a neighbourhood of a plan, small
    enough to search in seconds. With a ``drop_price`` (cents) a fixed count may be left short at that
    price, so that the assignment always has a plan to start from and shows which shifts nobody can take.
    """
    h = Handles(cp_model.CpModel(), data, level, make_units(data, level), explain=explain)
    h.shortfall_weight = shortfall_weight
    for u in range(len(h.units)):
        allowed = None if fixed_counts is None else fixed_counts.get(h.units[u].crew, {})
        if support is not None:
            allowed = dict.fromkeys(support.get(u, ()), 1)
        _unit_variables(h, u, min_hires, allowed)
    if fixed_counts is not None:
        _fix_counts(h, fixed_counts, drop_price)
    availability(h)
    for u in range(len(h.units)):
        shift_choice(h, u)
        daily_rest(h, u)
        weekly_hours(h, u)
        average_hours(h, u)
        working_days(h, u)
        night_workers(h, u)
        agreed_presence(h, u)
        overtime(h, u)
        if level == "person":  # the crew level relaxes per-person rules and wishes (docs/model.md)
            weekly_rest(h, u)
            consecutive_days(h, u)
            consecutive_days_off(h, u)
            worked_weekends(h, u)
            contract_hours(h, u)
            successions(h, u)
            wishes(h, u)
    if level == "person":
        fairness(h)
    if fixed_counts is None:
        agency(h)
        coverage(h, allow_shortfall)
        presence(h, allow_shortfall)
        supervision(h)
    objective(h)
    return h


# ---------------------------------------------------------------------------------------- variables
def _unit_variables(
    h: Handles, u: int, min_hires: Mapping[int, int] | None, support: Mapping[int, int] | None = None
) -> None:
    """Shift variables of a unit and its size: 0/1 per person, or how many of a crew are at work. With a
    ``support`` (the shifts a crew-level plan uses), only those shifts get variables."""
    m, data, unit = h.model, h.data, h.units[u]
    crew = data.crews[unit.crew]
    counts: dict[int, int] = defaultdict(int)
    for w in unit.workers:
        for i in data.workers[w].shifts:
            counts[i] += 1
    longest = data.workers[unit.workers[0]].limits.night_worker_max_daily
    take = {}
    for i, n in sorted(counts.items()):
        if unit.night and data.shifts[crew.role][i].length > longest:
            continue  # a night worker's shift is at most 8 h (L3122-6)
        if support is not None and not support.get(i):
            continue
        name = f"take[{unit.name}|{_shift_label(h, crew.role, i)}]"
        take[i] = m.new_bool_var(name) if h.level == "person" else m.new_int_var(0, n, name)
    h.take.append(take)
    hires_at_least = max(crew.hire_min, (min_hires or {}).get(unit.crew, 0))
    if h.level == "crew":
        lo, hi = len(crew.existing) + hires_at_least, len(crew.members)
        if unit.night is None:
            h.active.append(m.new_int_var(lo, hi, f"size[{crew.name}]") if lo < hi else hi)
            return
        h.active.append(m.new_int_var(0, hi, f"size[{unit.name}]"))
        if unit.night is False:  # the second unit of the pair: together they are the crew
            m.add_linear_constraint(h.active[u - 1] + h.active[u], lo, hi)
            for i, n in counts.items():
                pair = [t[i] for t in (h.take[u - 1], h.take[u]) if i in t]
                if len(pair) == 2:
                    m.add(sum(pair) <= n)
        return
    if not unit.hire:
        h.active.append(1)
        return
    k = crew.hires.index(unit.workers[0])
    var = m.new_bool_var(f"hired[{unit.name}]")
    if k < hires_at_least:
        m.add(var == 1)
    # Identical hire slots: the k-th is hired only if the (k-1)-th is.
    if k > 0:
        m.add_implication(var, h.active[u - 1])
    h.active.append(var)


def crew_size(h: Handles, c: int) -> cp_model.LinearExprT:
    """How many of crew c are on the payroll: the sum of its units' sizes."""
    return sum(h.active[u] for u, unit in enumerate(h.units) if unit.crew == c)


def availability(h: Handles) -> None:
    """Crew level: leave and availability of named members. A crew cannot give a shift to more people
    than it has members free for it, and cannot work a day with more people than are free that day."""
    if h.level != "crew":
        return
    data = h.data
    days = data.scenario.grid.days
    for c, crew in enumerate(data.crews):
        if not crew.existing:
            continue
        units = [u for u, unit in enumerate(h.units) if unit.crew == c]
        extra = crew_size(h, c) - len(crew.existing)  # hires, who are free whenever the role works
        shifts = data.shifts[crew.role]
        free_for: dict[int, int] = defaultdict(int)
        free_on = [0] * days
        for w in crew.existing:
            allowed = data.workers[w].price_of
            for i in allowed:
                free_for[i] += 1
            for d in {shifts[i].day for i in allowed}:
                free_on[d] += 1
        if not crew.hire:
            continue  # variable bounds already hold the per-shift limit; days follow below
        for i in sorted({i for u in units for i in h.take[u]}):
            if free_for[i] < len(crew.existing):
                h.model.add(sum(h.take[u][i] for u in units if i in h.take[u]) <= free_for[i] + extra)
        per_day: dict[int, list] = defaultdict(list)
        for u in units:
            for i, var in h.take[u].items():
                per_day[shifts[i].day].append(var)
        for d, terms in sorted(per_day.items()):
            if free_on[d] < len(crew.existing):
                h.model.add(sum(terms) <= free_on[d] + extra)


def _shift_label(h: Handles, role: str, i: int) -> str:
    s = h.data.shifts[role][i]
    t = h.data.scenario.grid.instant(s.start)
    return f"{t:%a %d %H:%M}+{s.length}"


def _fix_counts(h: Handles, fixed_counts: Mapping[int, Mapping[int, int]], drop_price: int | None) -> None:
    by_crew: dict[int, list[int]] = defaultdict(list)
    for u, unit in enumerate(h.units):
        by_crew[unit.crew].append(u)
    for c, units in by_crew.items():
        wanted = fixed_counts.get(c, {})
        shifts = {i for u in units for i in h.take[u]}
        for i in shifts | set(wanted):
            terms = [h.take[u][i] for u in units if i in h.take[u]]
            n = wanted.get(i, 0)
            if drop_price is not None and n:
                dropped = h.model.new_int_var(0, n, f"dropped[{c}|{i}]")
                h.costs["dropped shifts"].append(drop_price * dropped)
                h.model.add(sum(terms) + dropped == n)
            elif not terms and n:
                h.model.add_bool_or([])  # a count no member can take: infeasible by construction
            elif terms:
                h.model.add(sum(terms) == n)


# ---------------------------------------------------------------------------------- per-unit rules
def _day_groups(h: Handles, u: int) -> dict[int, list[cp_model.IntVar]]:
    shifts = h.shifts_of(u)
    out: dict[int, list] = defaultdict(list)
    for i, var in h.take[u].items():
        out[shifts[i].day].append(var)
    return out


def shift_choice(h: Handles, u: int) -> None:
    """One shift per day at most, and none for a hire slot that is not hired."""
    for _day, terms in sorted(_day_groups(h, u).items()):
        h.model.add(sum(terms) <= h.active[u])


def _prefix_counts(h: Handles, u: int, key) -> tuple[list[int], list[cp_model.LinearExprT]]:
    """Sorted change points p and expressions E[j] = number of taken shifts with key(shift) < p[j + 1]...

    Returned as (points, values): value at index j counts shifts with key <= points[j].
    """
    shifts = h.shifts_of(u)
    by_point: dict[int, list] = defaultdict(list)
    for i, var in h.take[u].items():
        by_point[key(shifts[i])].append(var)
    points = sorted(by_point)
    values: list[cp_model.LinearExprT] = []
    running = None
    bound = (1 if h.level == "person" else h.units[u].size) * h.data.scenario.grid.days
    for p in points:
        increment = sum(by_point[p])
        if running is None:
            running = increment
        else:
            var = h.model.new_int_var(0, bound, f"cum[{h.units[u].name}|{p}]")
            h.model.add(var == running + increment)
            running = var
        values.append(running)
    return points, values


def _count_below(points: list[int], values: list, t: int) -> cp_model.LinearExprT | int:
    """Number of taken shifts whose key is < t."""
    j = bisect.bisect_left(points, t) - 1
    return values[j] if j >= 0 else 0


def daily_rest(h: Handles, u: int) -> None:
    """L3131-1: shifts whose end is >= k and start is < k + rest pairwise conflict; at most one is taken.

    With S(t) = shifts started before t and E(t) = shifts ended before t, that clique holds
    S(k + rest) - E(k) shifts, so one linear row per end time k encodes every rest conflict exactly.
    """
    if not h.take[u]:
        return
    w = h.worker_of(u)
    rest = w.limits.min_rest
    rule = h.data.scenario.role_rules[w.role].rule("min_daily_rest_hours")
    starts, started = _prefix_counts(h, u, lambda s: s.start)
    ends, ended = _prefix_counts(h, u, lambda s: s.end)
    enforce = h.gate("daily rest", rule.reference, h.units[u].name, "", rule.text)
    for k in ends:
        clique = _count_below(starts, started, k + rest) - _count_below(ends, ended, k)
        h.model.add(clique <= h.active[u]).only_enforce_if(enforce)


def _week_hours(h: Handles, u: int) -> dict[int, cp_model.LinearExprT]:
    shifts = h.shifts_of(u)
    per_week: dict[int, list] = defaultdict(list)
    for i, var in h.take[u].items():
        for week, n in shifts[i].week_slots:
            per_week[week].append(n * var)
    return {week: sum(terms) for week, terms in per_week.items()}


def weekly_hours(h: Handles, u: int) -> None:
    """L3121-20: at most 48 h in any calendar week (35 h for trainees, L124-14)."""
    w = h.worker_of(u)
    name = "trainee_max_weekly_hours" if w.is_trainee else "max_weekly_hours"
    rule = h.data.scenario.role_rules[w.role].rule(name)
    for week, hours in sorted(_week_hours(h, u).items()):
        enforce = h.gate("weekly hours", rule.reference, h.units[u].name, f"week {week + 1}", rule.text)
        h.model.add(hours <= w.limits.max_weekly * h.active[u]).only_enforce_if(enforce)


def _total_hours(h: Handles, u: int) -> cp_model.LinearExprT:
    shifts = h.shifts_of(u)
    return sum(shifts[i].length * var for i, var in h.take[u].items())


def average_hours(h: Handles, u: int) -> None:
    """L3121-22: at most 44 h a week on average, taken over the horizon (shorter than 12 weeks)."""
    if not h.take[u]:
        return
    w = h.worker_of(u)
    rule = h.data.scenario.role_rules[w.role].rule("max_average_weekly_hours")
    enforce = h.gate("average weekly hours", rule.reference, h.units[u].name, "horizon", rule.text)
    h.model.add(_total_hours(h, u) <= w.limits.max_total * h.active[u]).only_enforce_if(enforce)


def working_days(h: Handles, u: int) -> None:
    """L3132-1: at most 6 working days (days a shift starts) per calendar week."""
    w = h.worker_of(u)
    rule = h.data.scenario.role_rules[w.role].rule("max_working_days_per_week")
    grid = h.data.scenario.grid
    per_week: dict[int, list] = defaultdict(list)
    for day, terms in _day_groups(h, u).items():
        per_week[grid.week_of_day[day]].extend(terms)
    for week, terms in sorted(per_week.items()):
        if grid.days_in_week[week] <= w.limits.max_days_per_week:
            continue
        enforce = h.gate("working days", rule.reference, h.units[u].name, f"week {week + 1}", rule.text)
        h.model.add(sum(terms) <= w.limits.max_days_per_week * h.active[u]).only_enforce_if(enforce)


def weekly_rest(h: Handles, u: int) -> None:
    """L3132-2: in every calendar week, a window of 35 consecutive hours that no shift overlaps. Read
    strictly (``weekly_rest_within_week``, the default), the window lies inside the week, Monday 00:00 to
    Sunday 24:00; otherwise it only starts in the week and may run on into the next. Time outside the
    horizon is unknown and counted as rest, so in a week the horizon cuts the window may lie partly or wholly
    outside the horizon (the week's full bounds are used). Person level only."""
    if not h.take[u]:
        return
    w = h.worker_of(u)
    grid = h.data.scenario.grid
    n = grid.n_slots
    length = w.limits.weekly_rest
    within = w.limits.weekly_rest_within_week
    rules = h.data.scenario.role_rules[w.role]
    rule = rules.rule("min_weekly_rest_hours")
    text = weekly_rest_statement(rules)
    starts, started = _prefix_counts(h, u, lambda s: s.start)
    ends, ended = _prefix_counts(h, u, lambda s: s.end)
    first_start = starts[0]
    last_end = ends[-1]
    for week, (lo, hi) in enumerate(grid.week_bounds):
        # The latest start a window may have in this week.
        last_k = hi - length if within else hi - 1
        # A window wholly outside the horizon, or before the first / after the last possible shift, is free.
        if lo + length <= max(0, first_start) or last_k >= min(n, last_end):
            continue
        choices = []
        # A free window can always slide back to the end of the shift before it (or the week's start).
        candidates = sorted({lo, *(e for e in ends if lo <= e <= last_k)})
        # At most this many shifts of one person overlap a window (one a day, rest between them).
        most = length // (w.limits.min_rest + 1) + 2
        for k in candidates:
            # Shifts overlapping [k, k + length): started before k + length and not ended by k.
            overlap = _count_below(starts, started, k + length) - _count_below(ends, ended, k + 1)
            r = h.model.new_bool_var(f"weekly_rest[{h.units[u].name}|{k}]")
            h.model.add(overlap + most * r <= most)  # linear, so the LP relaxation sees it too
            choices.append(r)
        enforce = h.gate("weekly rest", rule.reference, h.units[u].name, f"week {week + 1}", text)
        h.model.add(sum(choices) >= 1).only_enforce_if(enforce)


def night_workers(h: Handles, u: int) -> None:
    """L3122-5/6/7: two night shifts in a calendar week make a night worker, who then works at most 8 h a
    shift and 40 h a week on average. At the crew level, the number of night workers is counted."""
    w = h.worker_of(u)
    shifts = h.shifts_of(u)
    limits = w.limits
    night = {i: v for i, v in h.take[u].items() if shifts[i].night_shift}
    if not night or not limits.night_worker_shifts:  # no night shifts, or the rule set has no such rule
        return
    rules = h.data.scenario.role_rules[w.role]
    grid = h.data.scenario.grid
    unit = h.units[u]
    if unit.night is not None:  # crew level, split: each half has its own limits
        _night_split(h, u, night)
        return
    size = 1 if h.level == "person" else h.units[u].size
    workers = h.model.new_int_var(0, size, f"night_workers[{h.units[u].name}]")
    h.model.add(workers <= h.active[u])
    rule = rules.rule("night_worker_min_shifts_per_week")
    free = limits.night_worker_shifts - 1  # night shifts a week allowed without becoming a night worker
    per_week: dict[int, list] = defaultdict(list)
    for i, var in night.items():
        per_week[grid.week_of_day[shifts[i].day]].append(var)
    for week, terms in sorted(per_week.items()):
        if len(terms) <= free and h.level == "person":
            continue
        enforce = h.gate("night workers", rule.reference, h.units[u].name, f"week {week + 1}", rule.text)
        room = limits.max_days_per_week - free
        h.model.add(sum(terms) <= free * h.active[u] + room * workers).only_enforce_if(enforce)
    long_rule = rules.rule("night_worker_max_daily_hours")
    # A night shift longer than a night worker may work is done by someone who is not one, and such a person
    # does at most `free` night shifts a week.
    long_nights: dict[int, list] = defaultdict(list)
    for i, var in night.items():
        if shifts[i].length > limits.night_worker_max_daily:
            long_nights[grid.week_of_day[shifts[i].day]].append(var)
    for week, terms in sorted(long_nights.items()):
        enforce = h.gate("night workers", rule.reference, h.units[u].name, f"week {week + 1}", rule.text)
        h.model.add(sum(terms) <= free * (h.active[u] - workers)).only_enforce_if(enforce)
    per_day: dict[int, list] = defaultdict(list)
    for i, var in h.take[u].items():
        if shifts[i].length > limits.night_worker_max_daily:
            per_day[shifts[i].day].append(var)
    for day, terms in sorted(per_day.items()):
        enforce = h.gate(
            "night-worker shift length", long_rule.reference, h.units[u].name, _day_label(h, day), long_rule.text
        )
        h.model.add(sum(terms) <= h.active[u] - workers).only_enforce_if(enforce)
    # Night shifts are done by night workers (at most their average-week hours each) or, one a week at
    # most, by the others: a valid bound on night-shift hours that lets the crew level see the 40 h cap.
    night_hours = sum(shifts[i].length * var for i, var in night.items())
    longest = max(shifts[i].length for i in night)
    weeks = sum(1 for d in grid.days_in_week if d)
    enforce = h.gate("night workers", rule.reference, h.units[u].name, "horizon", rule.text)
    cap_others = free * longest * weeks
    h.model.add(
        night_hours <= cap_others * h.active[u] + (limits.night_worker_max_total - cap_others) * workers
    ).only_enforce_if(enforce)
    total_rule = rules.rule("night_worker_max_average_weekly_hours")
    if limits.night_worker_max_total < limits.max_total:
        enforce = h.gate(
            "night-worker average hours", total_rule.reference, h.units[u].name, "horizon", total_rule.text
        )
        reduction = limits.max_total - limits.night_worker_max_total
        h.model.add(_total_hours(h, u) <= limits.max_total * h.active[u] - reduction * workers).only_enforce_if(enforce)


def _night_split(h: Handles, u: int, night: dict[int, cp_model.IntVar]) -> None:
    w = h.worker_of(u)
    limits = w.limits
    rules = h.data.scenario.role_rules[w.role]
    grid = h.data.scenario.grid
    shifts = h.shifts_of(u)
    if h.units[u].night:
        rule = rules.rule("night_worker_max_average_weekly_hours")
        enforce = h.gate("night-worker average hours", rule.reference, h.units[u].name, "horizon", rule.text)
        h.model.add(_total_hours(h, u) <= limits.night_worker_max_total * h.active[u]).only_enforce_if(enforce)
        return
    rule = rules.rule("night_worker_min_shifts_per_week")
    per_week: dict[int, list] = defaultdict(list)
    for i, var in night.items():
        per_week[grid.week_of_day[shifts[i].day]].append(var)
    for week, terms in sorted(per_week.items()):
        enforce = h.gate("night workers", rule.reference, h.units[u].name, f"week {week + 1}", rule.text)
        h.model.add(sum(terms) <= (limits.night_worker_shifts - 1) * h.active[u]).only_enforce_if(enforce)


def agreed_presence(h: Handles, u: int) -> None:
    """A trainee's (or hire's) agreed weekly presence, in full calendar weeks inside their window."""
    w = h.worker_of(u)
    if not w.min_weekly_slots:
        return
    grid = h.data.scenario.grid
    hours = _week_hours(h, u)
    for week in agreed_weeks(h.data, w):
        agreed = w.min_weekly_slots * grid.slot_hours
        text = f"{agreed:g} h of presence a week agreed"
        enforce = h.gate("agreed presence", "internship agreement", h.units[u].name, f"week {week + 1}", text)
        h.model.add(hours.get(week, 0) >= w.min_weekly_slots * h.active[u]).only_enforce_if(enforce)


def overtime(h: Handles, u: int) -> None:
    """L3121-36: hours above the legal week are paid with a premium, from the 44th with a higher one.

    Per person the overtime is max(0, hours - 35); summed over a crew, max(0, total - 35 x members) is a
    lower bound of it (a sum of maxima is at least the maximum of the sum), which keeps the relaxation valid.
    """
    w = h.worker_of(u)
    per_week = {}
    if not w.overtime_unit and not w.overtime2_unit:
        h.overtime.append(per_week)
        return
    limits = w.limits
    for week, hours in sorted(_week_hours(h, u).items()):
        top = limits.max_weekly * (1 if h.level == "person" else h.units[u].size)
        first = h.model.new_int_var(0, top, f"overtime[{h.units[u].name}|w{week + 1}]")
        second = h.model.new_int_var(0, top, f"overtime2[{h.units[u].name}|w{week + 1}]")
        h.model.add(first >= hours - limits.legal_week * h.active[u])
        h.model.add(second >= hours - limits.overtime_second_tier * h.active[u])
        per_week[week] = (first, second)
        h.costs["overtime"].extend([w.overtime_unit * first, w.overtime2_unit * second])
    h.overtime.append(per_week)


def _day_label(h: Handles, day: int) -> str:
    grid = h.data.scenario.grid
    return f"{grid.dates[day]:%a %d %b}" if day < grid.days else "after the horizon"


# ------------------------------------------------------------------------------------ crew-level rules
def _crew_take(h: Handles) -> dict[int, dict[int, cp_model.LinearExprT]]:
    """Per crew, per shift: the number of members taking it (summed over person units)."""
    out: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for u, unit in enumerate(h.units):
        for i, var in h.take[u].items():
            out[unit.crew][i].append(var)
    return {c: {i: (v[0] if len(v) == 1 else sum(v)) for i, v in shifts.items()} for c, shifts in out.items()}


def _covering(h: Handles, c: int, take: Mapping[int, cp_model.LinearExprT]) -> dict[int, list[tuple[int, int]]]:
    """Per slot, the (shift index, offset) of the crew's shifts covering it."""
    shifts = h.data.shifts[h.data.crews[c].role]
    out: dict[int, list] = defaultdict(list)
    for i in take:
        s = shifts[i]
        for t in range(s.start, s.end):
            out[t].append((i, t - s.start))
    return out


def agency(h: Handles) -> None:
    """Whole moderators per block; at most the agency's maximum at once; its fee if it is used at all."""
    for name, info in h.data.agency.items():
        blocks = {}
        per_slot: dict[int, list] = defaultdict(list)
        for b, block in enumerate(info.blocks):
            var = h.model.new_int_var(0, info.max_concurrent, f"agency[{name}|{block.start}+{block.end - block.start}]")
            blocks[b] = var
            for t in range(block.start, block.end):
                per_slot[t].append(var)
            h.costs["agency hours"].append(block.cost * var)
        used = h.model.new_bool_var(f"agency_used[{name}]")
        for t in sorted(per_slot):
            h.model.add(sum(per_slot[t]) <= info.max_concurrent * used)
        h.agency[name] = blocks
        h.agency_used[name] = used
        h.costs["agency fee"].append(info.fee * used)


@dataclass(frozen=True)
class Source:
    """Who can serve streams: a crew or an agency, with its headcount and capacity per slot."""

    name: str
    role: str
    skills: frozenset[str]
    productivity: int
    headcount: dict[int, list]  # slot -> terms (people on duty x FULL)
    capacity: dict[int, list]  # slot -> terms (capacity units, break and productivity applied)
    top: int  # an upper bound of either, per slot


def sources(h: Handles) -> list[Source]:
    """Crews and agencies that count towards coverage (trainees never do, L124-7)."""
    data = h.data
    scenario = data.scenario
    crew_take = _crew_take(h)
    out = []
    for c, crew in enumerate(data.crews):
        if crew.kind == "trainee" and scenario.role_rules[crew.role]["trainee_counts_as_extra"]:
            continue
        take = crew_take.get(c, {})
        if not take:
            continue
        worker = data.workers[crew.members[0]]
        shifts = data.shifts[crew.role]
        headcount: dict[int, list] = defaultdict(list)
        capacity: dict[int, list] = defaultdict(list)
        for t, items in _covering(h, c, take).items():
            for i, offset in items:
                if shifts[i].present[offset]:
                    headcount[t].append(FULL * take[i])
                coef = shifts[i].capacity[offset] * worker.productivity // 100
                if coef:
                    capacity[t].append(coef * take[i])
        top = FULL * (worker.productivity // 100 + 1) * len(crew.members)
        out.append(Source(crew.name, crew.role, worker.skills, worker.productivity, headcount, capacity, top))
    for name, info in data.agency.items():
        headcount = defaultdict(list)
        capacity = defaultdict(list)
        for b, block in enumerate(info.blocks):
            for t in range(block.start, block.end):
                headcount[t].append(FULL * h.agency[name][b])
                capacity[t].append(info.productivity * h.agency[name][b])
        top = FULL * max(1, info.productivity // 100 + 1) * info.max_concurrent
        out.append(Source(name, name, info.skills, info.productivity, headcount, capacity, top))
    return out


def coverage(h: Handles, allow_shortfall: bool) -> None:
    """Every slot's need per stream, from people who each count once per slot.

    Erlang streams need their Erlang headcount on duty and enough productivity-weighted capacity to carry
    their load within the occupancy cap (one junior covers a quiet slot; a busy one needs more juniors than
    seniors). Multi-skilled people may split their time, so a slot is covered exactly when Hall's condition
    holds: for every set K of skills, the people (and agency moderators) with a skill in K reach the total
    need of the streams asking for K. That is a few rows per slot and no allocation variables, which the LP
    handles far better (measured on the tourism week: 17.0 k vs 25.1 k after 30 s).
    Workload and backlog streams draw capacity explicitly (``alloc_capacity``), taken from the same supply.
    """
    data = h.data
    scenario = data.scenario
    grid = scenario.grid
    streams = scenario.spec.streams
    erlang = [s for s in data.streams if streams[s].response_model == "erlang"]
    deferred = [s for s in data.streams if streams[s].response_model != "erlang"]
    wanted: dict[str, set[int]] = {}
    for stream in deferred:
        if streams[stream].response_model == "workload":
            wanted[stream] = {int(t) for _, slots, _ in data.workloads[stream] for t in slots}
        else:
            wanted[stream] = set(range(grid.n_slots))
    supply = sources(h)
    work: dict[tuple[str, int], list] = defaultdict(list)
    drawn: dict[tuple[int, int], list] = defaultdict(list)  # (source index, slot) -> capacity drawn
    for k, source in enumerate(supply):
        mine = [s for s in deferred if data.stream_skill(s) in source.skills]
        for t, terms in source.capacity.items():
            here = [s for s in mine if t in wanted[s]]
            for s in here:
                var = h.model.new_int_var(0, source.top, f"alloc_capacity[{source.name}|{t}|{s}]")
                h.alloc_capacity[(source.name, t, s)] = var
                work[(s, t)].append(var)
                drawn[(k, t)].append(var)
            if here:
                h.model.add(sum(drawn[(k, t)]) <= sum(terms))
    _erlang_targets(h, supply, drawn, erlang, allow_shortfall)
    _deferred_targets(h, work, deferred, allow_shortfall)


def _erlang_targets(h: Handles, supply: list[Source], drawn, erlang: list[str], allow_shortfall: bool) -> None:
    """Hall's condition per slot over the skills Erlang streams ask for, for headcount and for capacity."""

    data = h.data
    unit_price = data.shortfall_staff_unit * h.shortfall_weight
    for t in range(data.n_slots):
        needs = [s for s in erlang if data.need_staff[s][t] > 0]
        if not needs:
            continue
        by_skill: dict[str, list[str]] = defaultdict(list)
        for s in needs:
            by_skill[data.stream_skill(s)].append(s)
        gaps = {}
        if allow_shortfall:
            for s in needs:
                gaps[s] = h.model.new_int_var(0, int(data.need_staff[s][t]), f"shortfall[{s}|{t}]")
                h.shortfall[(s, t)] = gaps[s]
                h.costs["shortfall"].append(unit_price * gaps[s])
        people = [
            f"{data.need_staff[s][t] // FULL} {'people' if data.need_staff[s][t] > FULL else 'person'}" for s in needs
        ]
        text = " and ".join(
            f"{p} on duty" if len(needs) == 1 else f"{p} for {s}" for p, s in zip(people, needs, strict=True)
        )
        enforce = h.gate("coverage", "response target", "+".join(needs), _slot_label(h, t), text)
        for asked, serving in _hall_groups(supply, by_skill, t):
            heads = [term for k in serving for term in supply[k].headcount.get(t, [])]
            capacity = [term for k in serving for term in supply[k].capacity.get(t, [])]
            capacity_drawn = [v for k in serving for v in drawn.get((k, t), [])]
            slack = [gaps[s] for s in asked] if gaps else []
            staff = int(sum(data.need_staff[s][t] for s in asked))
            load = int(sum(data.need_load[s][t] for s in asked))
            h.model.add(sum(heads) + sum(slack) >= staff).only_enforce_if(enforce)
            h._headcount_rows[t].append((frozenset(supply[k].role for k in serving), staff))
            if load:
                h.model.add(sum(capacity) - sum(capacity_drawn) + sum(slack) >= load).only_enforce_if(enforce)


def _hall_groups(supply: list[Source], by_skill: dict[str, list[str]], t: int) -> list[tuple[list[str], list[int]]]:
    """The Hall rows that are not implied by others: for each distinct set of sources able to serve some
    skills, all the streams served only by those sources (a smaller set with the same sources asks for
    less from the same supply, so its row is implied)."""
    import itertools

    skills = sorted(by_skill)
    present = [k for k, src in enumerate(supply) if src.headcount.get(t) or src.capacity.get(t)]
    groups: dict[frozenset[int], set[str]] = {}
    for size in range(1, len(skills) + 1):
        for combo in itertools.combinations(skills, size):
            serving = frozenset(k for k in present if supply[k].skills.intersection(combo))
            groups.setdefault(serving, set()).update(combo)
    out = []
    for serving, group in groups.items():
        # Every skill whose sources all lie inside this set belongs to its row too.
        closed = {sk for sk in skills if all(k in serving for k in present if sk in supply[k].skills)}
        asked = [s for sk in sorted(group | closed) for s in by_skill[sk]]
        out.append((asked, sorted(serving)))
    unique = {}
    for asked, serving in out:
        unique[tuple(serving)] = asked
    return [(asked, list(serving)) for serving, asked in unique.items()]


def _deferred_targets(h: Handles, work, deferred: list[str], allow_shortfall: bool) -> None:
    data = h.data
    scenario = data.scenario
    unit_price = data.shortfall_staff_unit * h.shortfall_weight
    for stream in deferred:
        spec = scenario.spec.streams[stream]
        if spec.response_model == "workload":
            for week, slots, due in data.workloads[stream]:
                supply = sum(v for t in slots for v in work.get((stream, int(t)), []))
                text = f"{spec.workload.hours_per_week:g} h a week"
                enforce = h.gate("workload", "scenario workload", stream, f"week {week + 1}", text)
                if allow_shortfall:
                    gap = h.model.new_int_var(0, due, f"shortfall[{stream}|w{week + 1}]")
                    h.shortfall[(stream, int(slots[-1]) if len(slots) else 0)] = gap
                    h.costs["shortfall"].append(unit_price * gap)
                    supply = supply + gap
                h.model.add(supply >= due).only_enforce_if(enforce)
        else:
            _backlog(h, stream, work, allow_shortfall, unit_price)


def _backlog(h: Handles, stream: str, work, allow_shortfall: bool, unit_price: int) -> None:
    """First in, first out with a backlog B per slot: B[t] >= B[t-1] + arrivals[t] - done[t], B >= 0 (time
    nobody uses is lost, never banked), and the items of slot t are answered within their band's target W:
    B[t + W - 1] <= what arrived after slot t. The horizon repeats: the backlog left at its end is the
    backlog at its start (a steady state, so the last evening is not free). With shortfall allowed, work
    may be left unanswered at a price (it leaves the backlog without anyone's time)."""
    data = h.data
    n = data.n_slots
    arrivals = data.backlog_work[stream]
    total = int(arrivals.sum())
    backlog = [h.model.new_int_var(0, total, f"backlog[{stream}|{t}]") for t in range(n)]
    for t in range(n):
        done = sum(work.get((stream, t), []))
        if allow_shortfall and arrivals[t] > 0:
            gap = h.model.new_int_var(0, int(arrivals[t]), f"shortfall[{stream}|{t}]")
            h.shortfall[(stream, t)] = gap
            h.costs["shortfall"].append(unit_price * gap)
            done = done + gap
        h.model.add(backlog[t] >= backlog[t - 1] + int(arrivals[t]) - done)
    for t, last, allowed in data.backlog_deadlines[stream]:
        enforce = h.gate("backlog", "response target", stream, _slot_label(h, t), "items answered within the target")
        h.model.add(backlog[last] <= allowed).only_enforce_if(enforce)


def _slot_label(h: Handles, t: int) -> str:
    grid = h.data.scenario.grid
    start = grid.instant(t)
    end = grid.instant(t + 1)
    return f"{start:%a %d %b %H:%M}-{end:%H:%M}"


def onduty(h: Handles, role: str, t: int) -> cp_model.LinearExprT:
    """People of a role on duty in slot t (agency: moderators booked)."""
    key = (role, t)
    if key in h._onduty:
        return h._onduty[key]
    terms = []
    if role in h.data.agency:
        for b, block in enumerate(h.data.agency[role].blocks):
            if block.start <= t < block.end:
                terms.append(h.agency[role][b])
    else:
        shifts = h.data.shifts[role]
        for u, unit in enumerate(h.units):
            if h.data.crews[unit.crew].role != role:
                continue
            for i, var in h.take[u].items():
                if shifts[i].start <= t < shifts[i].end:
                    terms.append(var)
    expr = sum(terms) if terms else 0
    h._onduty[key] = expr
    return expr


def presence(h: Handles, allow_shortfall: bool) -> None:
    """Presence floors: at least N people of the listed roles on duty in every slot of the window."""
    unit_price = h.data.shortfall_presence_unit * h.shortfall_weight
    for name, minimum, roles, mask in h.data.requirements.floors:
        for t in mask.nonzero()[0]:
            t = int(t)
            # Implied when a coverage row already needs that many people from roles the floor counts.
            if any(served <= set(roles) and staff >= minimum * FULL for served, staff in h._headcount_rows[t]):
                continue
            supply = sum(onduty(h, role, t) for role in roles)
            enforce = h.gate(
                "presence",
                "scenario presence floor",
                name,
                _slot_label(h, t),
                f"at least {minimum} of {', '.join(roles)} on duty",
            )
            if allow_shortfall:
                gap = h.model.new_int_var(0, minimum, f"shortfall[{name}|{t}]")
                h.shortfall[(name, t)] = gap
                h.costs["shortfall"].append(unit_price * gap)
                supply = supply + gap
            h.model.add(supply >= minimum).only_enforce_if(enforce)


def supervision(h: Handles) -> None:
    """Tutors and supervisors: at most ``ratio`` supervised people per supervisor on duty (slot) or at
    work the same day; with no supervisor, none."""
    grid = h.data.scenario.grid
    for rule in h.data.supervision:
        if rule.mode == "on_duty":
            slots = sorted({t for s in h.data.shifts.get(rule.role, ()) for t in range(s.start, s.end)})
            for t in slots:
                supervised = onduty(h, rule.role, t)
                if isinstance(supervised, int) and supervised == 0:
                    continue
                day = h.data.scenario.grid.day_of_slot[t]
                enforce = h.gate(
                    "supervision",
                    rule.reference,
                    rule.role,
                    _day_label(h, day),
                    f"a {' or '.join(rule.by) or 'supervisor (none in the scenario)'} on duty in every"
                    f" {rule.role} hour, {rule.ratio} {rule.role}s at most each",
                )
                h.model.add(supervised <= rule.ratio * sum(onduty(h, b, t) for b in rule.by)).only_enforce_if(enforce)
        else:  # same_day
            for day in range(grid.days):
                supervised = _starting(h, rule.role, day)
                if isinstance(supervised, int) and supervised == 0:
                    continue
                enforce = h.gate(
                    "supervision",
                    rule.reference,
                    rule.role,
                    _day_label(h, day),
                    f"a {'/'.join(rule.by)} at work the same day",
                )
                h.model.add(supervised <= rule.ratio * sum(_starting(h, b, day) for b in rule.by)).only_enforce_if(
                    enforce
                )


def _starting(h: Handles, role: str, day: int) -> cp_model.LinearExprT:
    shifts = h.data.shifts.get(role, ())
    terms = [
        var
        for u, unit in enumerate(h.units)
        if h.data.crews[unit.crew].role == role
        for i, var in h.take[u].items()
        if shifts[i].day == day
    ]
    return sum(terms) if terms else 0


# ------------------------------------------------------------------------ roster rules and wishes
def _worked(h: Handles, u: int) -> list[cp_model.LinearExprT]:
    """Per horizon day, 1 when the person starts a shift that day (one shift a day at most)."""
    days = h.data.scenario.grid.days
    groups = _day_groups(h, u)
    return [sum(groups[d]) if groups.get(d) else 0 for d in range(days)]


def consecutive_days(h: Handles, u: int) -> None:
    """Scenario roster rule: at most N working days in a row (any N + 1 consecutive days of the horizon hold
    an off day), and a run of work is at least M days long unless it touches the horizon's edge (it may go
    on outside it)."""
    rules = h.worker_of(u).roster
    worked = _worked(h, u)
    n = len(worked)
    most, least = rules.max_consecutive_days, rules.min_consecutive_days
    if most is not None:
        for d in range(n - most):
            h.model.add(sum(worked[d : d + most + 1]) <= most)
    if least is not None:
        for d in range(1, n):  # a run starting on day d (worked d, not d - 1)
            for j in range(1, least):
                if d + j < n:
                    h.model.add(worked[d] - worked[d - 1] <= worked[d + j])


def consecutive_days_off(h: Handles, u: int) -> None:
    """Scenario roster rule: a run of days off is at least K days long unless it touches the horizon's edge."""
    least = h.worker_of(u).roster.min_consecutive_days_off
    if least is None:
        return
    worked = _worked(h, u)
    n = len(worked)
    for d in range(1, n):  # a run of days off starting on day d (worked d - 1, not d)
        for j in range(1, least):
            if d + j < n:
                h.model.add(worked[d - 1] - worked[d] + worked[d + j] <= h.active[u])


def weekend_days(h: Handles) -> dict[int, list[int]]:
    """Calendar week -> its Saturday and Sunday inside the horizon."""
    grid = h.data.scenario.grid
    out: dict[int, list[int]] = defaultdict(list)
    for d, day in enumerate(grid.dates):
        if day.weekday() >= 5:
            out[grid.week_of_day[d]].append(d)
    return out


def _weekends(h: Handles, u: int) -> list[cp_model.LinearExprT]:
    """Per weekend, 1 when a shift starts on its Saturday or Sunday."""
    worked = _worked(h, u)
    out = []
    for week, days in sorted(weekend_days(h).items()):
        terms = [worked[d] for d in days if not isinstance(worked[d], int)]
        if not terms:
            continue
        if len(terms) == 1:
            out.append(terms[0])
            continue
        var = h.model.new_bool_var(f"weekend[{h.units[u].name}|week {week + 1}]")
        for t in terms:
            h.model.add(var >= t)
        h.model.add(var <= sum(terms))
        out.append(var)
    return out


def worked_weekends(h: Handles, u: int) -> None:
    """Scenario roster rule: at most W weekends with work over the horizon."""
    most = h.worker_of(u).roster.max_weekends
    if most is not None:
        h.model.add(sum(_weekends(h, u)) <= most)


def contract_hours(h: Handles, u: int) -> None:
    """Scenario roster rule (part-time contracts): paid hours over the horizon within [min, max]."""
    rules = h.worker_of(u).roster
    grid = h.data.scenario.grid
    total = _total_hours(h, u)
    if rules.max_hours is not None:
        h.model.add(total <= math.floor(rules.max_hours * grid.slots_per_hour + 1e-9))
    if rules.min_hours is not None:
        h.model.add(total >= math.ceil(rules.min_hours * grid.slots_per_hour - 1e-9) * h.active[u])


def successions(h: Handles, u: int) -> None:
    """Scenario roster rule: no shift of type ``then`` the day after one of type ``first`` (start-time
    windows), across midnight and week edges alike."""
    shifts = h.shifts_of(u)
    for rule in h.worker_of(u).roster.no_succession or ():
        first, then = parse_window(rule.first), parse_window(rule.then)
        before: dict[int, list] = defaultdict(list)
        after: dict[int, list] = defaultdict(list)
        for i, var in h.take[u].items():
            if starts_in(h.data, shifts[i], first):
                before[shifts[i].day].append(var)
            if starts_in(h.data, shifts[i], then):
                after[shifts[i].day].append(var)
        for d, terms in before.items():
            if after.get(d + 1):
                h.model.add(sum(terms) + sum(after[d + 1]) <= 1)


def wish_granted(h: Handles, u: int, wish: Wish) -> cp_model.LinearExprT:
    """1 when the wish is granted, from the shifts of its day."""
    shifts = h.shifts_of(u)
    on_day = [(shifts[i], var) for i, var in h.take[u].items() if shifts[i].day == wish.day]
    if wish.window is not None:
        on_day = [(s, var) for s, var in on_day if starts_in(h.data, s, wish.window)]
    taken = sum(var for _, var in on_day) if on_day else 0
    return 1 - taken if wish.kind in ("day_off", "shift_off") else taken


def wishes(h: Handles, u: int) -> None:
    """Wishes are soft: each one not granted costs its weight ("wishes not granted")."""
    for wish in h.worker_of(u).wishes:
        if wish.weight:
            h.costs["wishes not granted"].append(wish.weight * (1 - wish_granted(h, u, wish)))


def fair_counts(h: Handles, u: int) -> dict[str, cp_model.LinearExprT]:
    """Nights (shifts with night hours), weekends with work and Sundays (shifts starting on one) of a unit."""
    shifts = h.shifts_of(u)
    dates = h.data.scenario.grid.dates
    take = h.take[u]
    return {
        "nights": sum(var for i, var in take.items() if shifts[i].night_slots),
        "weekends": sum(_weekends(h, u)),
        "sundays": sum(var for i, var in take.items() if dates[shifts[i].day].weekday() == 6),
    }


def fairness(h: Handles) -> None:
    """Spread (max - min) of each count among a role's named people: capped, or priced per unit."""
    grid_days = h.data.scenario.grid.days
    for role_name, role in h.data.scenario.spec.roles.items():
        if role.fairness is None:
            continue
        members = [u for u, unit in enumerate(h.units) if not unit.hire and h.worker_of(u).role == role_name]
        if len(members) < 2:
            continue
        counts = [fair_counts(h, u) for u in members]
        for measure in ("nights", "weekends", "sundays"):
            rule = getattr(role.fairness, measure)
            if rule is None:
                continue
            hi = h.model.new_int_var(0, grid_days, f"most_{measure}[{role_name}]")
            lo = h.model.new_int_var(0, grid_days, f"fewest_{measure}[{role_name}]")
            for c in counts:
                h.model.add(hi >= c[measure])
                h.model.add(lo <= c[measure])
            if rule.max_difference is not None:
                h.model.add(hi - lo <= rule.max_difference)
            else:
                h.costs["fairness"].append(cents(rule.price) * (hi - lo))


def objective(h: Handles) -> None:
    """Minimise the cost over the horizon, in cents: fixed pay of every person on the payroll (salary,
    charges, leave provision, recruitment, training), shift premiums or stipends, overtime, agency hours
    and fee, and (when allowed) priced shortfall."""
    data = h.data
    if h.level == "crew":
        for c, crew in enumerate(data.crews):
            h.constant += sum(data.workers[w].fixed_cost for w in crew.existing)
            if crew.hire:
                fixed = data.workers[crew.hires[0]].fixed_cost
                h.costs["fixed pay"].append(fixed * (crew_size(h, c) - len(crew.existing)))
    else:
        for u, unit in enumerate(h.units):
            worker = h.worker_of(u)
            if unit.hire:
                h.costs["fixed pay"].append(worker.fixed_cost * h.active[u])
            else:
                h.constant += worker.fixed_cost
    for u in range(len(h.units)):
        prices = _unit_prices(h, u)
        for i, var in h.take[u].items():
            if prices[i]:
                h.costs["shifts"].append(prices[i] * var)
    h.model.minimize(sum(sum(terms) for terms in h.costs.values()) + h.constant)


def _unit_prices(h: Handles, u: int) -> dict[int, int]:
    """Price of each shift for the unit (members of a crew price shared shifts alike)."""
    prices: dict[int, int] = {}
    for w in h.units[u].workers:
        prices.update(h.data.workers[w].price_of)
    return prices
