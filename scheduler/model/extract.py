"""From solver values to an ``Assignment``, and from an assignment to the plan's tables.

Costs are recomputed here from the unit prices (not read from the objective), and the solver's objective
is compared with them: a mismatch is a bug in the model or in this file, and is raised as such.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scheduler.model.build import Handles
from scheduler.model.data import FULL, ModelData, Wish, Worker, cents, shift_slots, starts_in
from scheduler.plan import FAIRNESS_COLUMNS, WISH_COLUMNS
from scheduler.requirements import service_level


@dataclass(frozen=True)
class Assignment:
    """Who works which shift, which hire slots are filled, agency bookings and capacity per stream."""

    shifts: Mapping[int, tuple[int, ...]]  # worker index -> shift indices
    hired: frozenset[int]  # worker indices of filled hire slots
    agency: Mapping[str, Mapping[int, int]]  # agency role -> block index -> moderators
    alloc_capacity: Mapping[tuple[str, int, str], int] = field(default_factory=dict)  # deferred streams
    shortfall: Mapping[tuple[str, int], int] = field(default_factory=dict)


def read_person_solution(h: Handles, value) -> Assignment:
    """An assignment from a solved person-level model (``value`` reads a variable)."""
    shifts: dict[int, tuple[int, ...]] = {}
    hired = set()
    for u, unit in enumerate(h.units):
        w = unit.workers[0]
        shifts[w] = tuple(i for i, var in sorted(h.take[u].items()) if value(var))
        if unit.hire and value(h.active[u]):
            hired.add(w)
    return Assignment(
        shifts=shifts,
        hired=frozenset(hired),
        agency={name: {b: int(value(v)) for b, v in blocks.items() if value(v)} for name, blocks in h.agency.items()},
        alloc_capacity={k: int(value(v)) for k, v in h.alloc_capacity.items() if value(v)},
        shortfall={k: int(value(v)) for k, v in h.shortfall.items() if value(v)},
    )


def read_crew_counts(h: Handles, value) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """Shift counts per crew and hires per crew from a solved crew-level model (split crews summed)."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    size: dict[int, int] = defaultdict(int)
    for u, unit in enumerate(h.units):
        for i, v in h.take[u].items():
            n = int(value(v))
            if n:
                counts[unit.crew][i] = counts[unit.crew].get(i, 0) + n
        size[unit.crew] += int(value(h.active[u]))
    hires = {c: size[c] - len(crew.existing) for c, crew in enumerate(h.data.crews) if crew.hire}
    return dict(counts), hires


def night_workers_of(data: ModelData, a: Assignment) -> set[int]:
    """Workers whose roster makes them night workers (enough night shifts in some calendar week)."""
    out = set()
    week_of_day = data.scenario.grid.week_of_day
    for w, taken in a.shifts.items():
        worker = data.workers[w]
        if not worker.limits.night_worker_shifts:
            continue
        per_week: dict[int, int] = defaultdict(int)
        for i in taken:
            s = data.shifts[worker.role][i]
            if s.night_shift:
                per_week[week_of_day[s.day]] += 1
        if any(n >= worker.limits.night_worker_shifts for n in per_week.values()):
            out.add(w)
    return out


# ------------------------------------------------------------------------------------------ tables
@dataclass(frozen=True)
class PlanTables:
    hires: dict[str, int]
    roster: pd.DataFrame
    agency: pd.DataFrame
    coverage: pd.DataFrame
    costs: pd.DataFrame
    service: pd.DataFrame
    shortfall: pd.DataFrame
    total_cents: int
    wishes: pd.DataFrame
    fairness: pd.DataFrame


def plan_tables(data: ModelData, a: Assignment) -> PlanTables:
    """Roster, agency bookings, coverage, cost lines, expected service and shortfall of an assignment."""
    cost_rows: list[dict] = []
    roster = _roster(data, a)
    on_payroll = [w for w, worker in enumerate(data.workers) if not worker.hire or w in a.hired]
    for w in on_payroll:
        worker = data.workers[w]
        for component, amount in worker.fixed_lines:
            if amount:
                cost_rows.append(_line(worker.role, worker.id, component, 1, "horizon", amount, amount))
        cost_rows.extend(_shift_cost_lines(data, w, a.shifts.get(w, ())))
    agency = _agency(data, a, cost_rows)
    wishes = _wishes(data, a, cost_rows)
    fairness = _fairness(data, a, cost_rows)
    cost_rows.extend(_shortfall_lines(data, a))
    costs = pd.DataFrame(cost_rows, columns=["role", "who", "component", "quantity", "unit", "unit_price", "amount"])
    total = sum(row["cents"] for row in cost_rows)
    costs = costs.drop(columns="cents", errors="ignore")
    hires = {name: sum(1 for w in a.hired if data.workers[w].role == name) for name in data.scenario.spec.hire}
    coverage = _coverage(data, a)
    return PlanTables(
        hires=hires,
        roster=roster,
        agency=agency,
        coverage=coverage,
        costs=costs,
        service=_service(data, coverage),
        shortfall=_shortfall(data, a),
        total_cents=total,
        wishes=wishes,
        fairness=fairness,
    )


def wish_granted(data: ModelData, worker: Worker, taken: tuple[int, ...], wish: Wish) -> bool:
    """Whether a person's shifts grant a wish (the shifts starting on its day, of its type if any)."""
    shifts = data.shifts[worker.role]
    hit = any(
        shifts[i].day == wish.day and (wish.window is None or starts_in(data, shifts[i], wish.window)) for i in taken
    )
    return not hit if wish.kind in ("day_off", "shift_off") else hit


def _wishes(data: ModelData, a: Assignment, cost_rows: list[dict]) -> pd.DataFrame:
    """One row per request, granted or not; those not granted are priced at their weight."""
    grid = data.scenario.grid
    rows = []
    for w, worker in enumerate(data.workers):
        refused = []
        for wish in worker.wishes:
            granted = wish_granted(data, worker, a.shifts.get(w, ()), wish)
            rows.append(
                {
                    "person": worker.id,
                    "date": grid.dates[wish.day].isoformat(),
                    "kind": wish.kind,
                    "shift": wish.shift,
                    "weight": wish.weight / 100,
                    "granted": granted,
                }
            )
            if not granted and wish.weight:
                refused.append(wish.weight)
        if refused:
            amount = sum(refused)
            cost_rows.append(_line(worker.role, worker.id, "wishes not granted", len(refused), "wish", 0, amount))
            cost_rows[-1]["unit_price"] = round(amount / len(refused) / 100, 2)
    return pd.DataFrame(rows, columns=list(WISH_COLUMNS))


def fair_counts(data: ModelData, worker: Worker, taken: tuple[int, ...]) -> dict[str, int]:
    """Nights (shifts with night hours), weekends with a shift starting on Saturday or Sunday, Sundays."""
    grid = data.scenario.grid
    shifts = [data.shifts[worker.role][i] for i in taken]
    weekends = {grid.week_of_day[s.day] for s in shifts if grid.dates[s.day].weekday() >= 5}
    return {
        "nights": sum(1 for s in shifts if s.night_slots),
        "weekends": len(weekends),
        "sundays": sum(1 for s in shifts if grid.dates[s.day].weekday() == 6),
    }


def _fairness(data: ModelData, a: Assignment, cost_rows: list[dict]) -> pd.DataFrame:
    """Per role with a fairness rule: min, max and spread of each count among its named people."""
    rows = []
    for role_name, role in data.scenario.spec.roles.items():
        if role.fairness is None:
            continue
        members = [w for w, worker in enumerate(data.workers) if worker.role == role_name and not worker.hire]
        if len(members) < 2:
            continue
        counts = [fair_counts(data, data.workers[w], a.shifts.get(w, ())) for w in members]
        for measure in ("nights", "weekends", "sundays"):
            rule = getattr(role.fairness, measure)
            if rule is None:
                continue
            values = [c[measure] for c in counts]
            spread = max(values) - min(values)
            rows.append(
                {
                    "role": role_name,
                    "measure": measure,
                    "min": min(values),
                    "max": max(values),
                    "spread": spread,
                    "limit": rule.max_difference if rule.max_difference is not None else "",
                    "price": rule.price if rule.price is not None else "",
                }
            )
            if rule.price and spread:
                unit = cents(rule.price)
                cost_rows.append(
                    _line(role_name, f"{measure} spread", "fairness", spread, "unit of spread", unit, spread * unit)
                )
    return pd.DataFrame(rows, columns=list(FAIRNESS_COLUMNS))


def _line(role: str, who: str, component: str, quantity: float, unit: str, unit_cents: int, amount_cents: int) -> dict:
    return {
        "role": role,
        "who": who,
        "component": component,
        "quantity": quantity,
        "unit": unit,
        "unit_price": unit_cents / 100,
        "amount": amount_cents / 100,
        "cents": amount_cents,
    }


def _shortfall_lines(data: ModelData, a: Assignment) -> list[dict]:
    """Priced unmet need (only with --allow-shortfall): a penalty, shown apart from real costs."""
    rows = []
    staff = sum(units for (what, _), units in a.shortfall.items() if what in data.scenario.spec.streams)
    presence = sum(units for (what, _), units in a.shortfall.items() if what not in data.scenario.spec.streams)
    unit = f"slot of {data.scenario.grid.slot_minutes} min"
    if staff:
        price = data.shortfall_staff_unit
        rows.append(
            _line(
                "(unmet need)",
                "streams",
                "shortfall penalty",
                staff / FULL,
                f"staff {unit}",
                price * FULL,
                staff * price,
            )
        )
    if presence:
        price = data.shortfall_presence_unit
        rows.append(
            _line("(unmet need)", "presence", "shortfall penalty", presence, f"person {unit}", price, presence * price)
        )
    return rows


def _shift_cost_lines(data: ModelData, w: int, taken: tuple[int, ...]) -> list[dict]:
    """Premiums (or stipend) and overtime of one worker, as integer slots times unit prices."""
    worker = data.workers[w]
    shifts = data.shifts[worker.role]
    unit = f"slot of {data.scenario.grid.slot_minutes} min"
    units = worker.units
    quantities = defaultdict(int)
    week_slots = defaultdict(int)
    for i in taken:
        s = shifts[i]
        for component, n in shift_slots(s).items():
            quantities[component] += n
        for week, n in s.week_slots:
            week_slots[week] += n
    limits = worker.limits
    quantities["overtime"] = sum(max(0, n - limits.legal_week) for n in week_slots.values())
    quantities["overtime, second tier"] = sum(max(0, n - limits.overtime_second_tier) for n in week_slots.values())
    rows = []
    for component, price in units.items():
        q = quantities[component]
        if q and price:
            rows.append(_line(worker.role, worker.id, component, q, unit, price, q * price))
    return rows


def _roster(data: ModelData, a: Assignment) -> pd.DataFrame:
    grid = data.scenario.grid
    rows = []
    for w, taken in sorted(a.shifts.items()):
        worker = data.workers[w]
        shifts = data.shifts[worker.role]
        for i in taken:
            s = shifts[i]
            start = grid.instant(s.start)
            rows.append(
                {
                    "person": worker.id,
                    "role": worker.role,
                    "hired": worker.hire,
                    "date": grid.dates[s.day].isoformat(),
                    "start": start.isoformat(),
                    "end": grid.instant(s.end).isoformat(),
                    "paid_hours": s.length * grid.slot_hours,
                    "night_hours": s.night_slots * grid.slot_hours,
                    "sunday": bool(s.sunday_slots),
                    "holiday": bool(s.holiday_slots or s.may_first_slots),
                    "break_start": grid.instant(s.break_start).isoformat() if s.break_start is not None else "",
                    "break_minutes": data.scenario.role_rules[worker.role]["break_minutes"]
                    if s.break_start is not None
                    else 0,
                }
            )
    frame = pd.DataFrame(rows, columns=list(_ROSTER))
    return frame.sort_values(["start", "person"], kind="stable", ignore_index=True) if rows else frame


_ROSTER = (
    "person",
    "role",
    "hired",
    "date",
    "start",
    "end",
    "paid_hours",
    "night_hours",
    "sunday",
    "holiday",
    "break_start",
    "break_minutes",
)


def _agency(data: ModelData, a: Assignment, cost_rows: list[dict]) -> pd.DataFrame:
    grid = data.scenario.grid
    rows = []
    unit = f"slot of {grid.slot_minutes} min"
    for name, blocks in sorted(a.agency.items()):
        info = data.agency[name]
        role = data.scenario.spec.roles[name]
        band_slots = defaultdict(int)
        for b, moderators in sorted(blocks.items()):
            block = info.blocks[b]
            rows.append(
                {
                    "agency": name,
                    "start": grid.instant(block.start).isoformat(),
                    "end": grid.instant(block.end).isoformat(),
                    "moderators": moderators,
                    "hours": moderators * (block.end - block.start) * grid.slot_hours,
                    "cost": moderators * block.cost / 100,
                }
            )
            for t in range(block.start, block.end):
                band_slots[data.scenario.bands[t]] += moderators
        for band in ("day", "night", "weekend"):
            if band_slots[band]:
                price = cents(getattr(role.rates_per_hour, band) * grid.slot_hours)
                q = band_slots[band]
                cost_rows.append(_line(name, name, f"agency hours ({band})", q, unit, price, q * price))
        if blocks and info.fee:
            cost_rows.append(_line(name, name, "agency fee", 1, "horizon", info.fee, info.fee))
    frame = pd.DataFrame(rows, columns=["agency", "start", "end", "moderators", "hours", "cost"])
    return frame.sort_values(["start", "agency"], kind="stable", ignore_index=True) if rows else frame


def _supply(data: ModelData, a: Assignment) -> tuple[dict, dict, dict]:
    """People present (x FULL) and capacity per (source, slot), and the role of each source."""
    heads: dict[tuple[str, int], int] = defaultdict(int)
    capacity: dict[tuple[str, int], int] = defaultdict(int)
    role_of = {crew.name: crew.role for crew in data.crews} | {name: name for name in data.agency}
    crew_of = {m: crew.name for crew in data.crews for m in crew.members}
    for w, taken in a.shifts.items():
        worker = data.workers[w]
        if worker.is_trainee:
            continue
        for i in taken:
            s = data.shifts[worker.role][i]
            for offset, t in enumerate(range(s.start, s.end)):
                heads[(crew_of[w], t)] += FULL if s.present[offset] else 0
                capacity[(crew_of[w], t)] += s.capacity[offset] * worker.productivity // 100
    for name, blocks in a.agency.items():
        info = data.agency[name]
        for b, moderators in blocks.items():
            block = info.blocks[b]
            for t in range(block.start, block.end):
                heads[(name, t)] += FULL * moderators
                capacity[(name, t)] += info.productivity * moderators
    return heads, capacity, role_of


def _split(data: ModelData, supply: dict[str, int], needs: dict[str, int]) -> dict[tuple[str, str], int]:
    """A split of each source's supply across the streams it can serve that meets as much need as
    possible (a max flow: exact when Hall's condition holds, which the model guarantees)."""
    from ortools.graph.python import max_flow

    skills = {name: (data.agency[name].skills if name in data.agency else _crew_skills(data, name)) for name in supply}
    flow = max_flow.SimpleMaxFlow()
    names = list(supply)
    streams = list(needs)
    source, sink = 0, 1 + len(names) + len(streams)
    arcs = {}
    for k, name in enumerate(names):
        flow.add_arc_with_capacity(source, 1 + k, supply[name])
        for j, stream in enumerate(streams):
            if data.stream_skill(stream) in skills[name]:
                arcs[(name, stream)] = flow.add_arc_with_capacity(1 + k, 1 + len(names) + j, supply[name])
    for j, stream in enumerate(streams):
        flow.add_arc_with_capacity(1 + len(names) + j, sink, needs[stream])
    flow.solve(source, sink)
    return {key: flow.flow(arc) for key, arc in arcs.items() if flow.flow(arc)}


def _crew_skills(data: ModelData, name: str) -> frozenset[str]:
    crew = next(c for c in data.crews if c.name == name)
    return data.workers[crew.members[0]].skills


def _coverage(data: ModelData, a: Assignment) -> pd.DataFrame:
    """Per slot and stream: items, need, people and capacity given by each role, and headcount per role.

    ``staffed_<role>`` is people on duty given to the stream (Erlang) or capacity in person-equivalents
    (backlog, workload); ``capacity_<role>`` is productivity-weighted capacity. Trainees appear as extra.
    """
    scenario = data.scenario
    grid = scenario.grid
    n = grid.n_slots
    roles = list(scenario.spec.roles)
    heads, capacity_supply, role_of = _supply(data, a)
    staffed = {(s, r): np.zeros(n) for s in data.streams for r in roles}
    capacity = {(s, r): np.zeros(n) for s in data.streams for r in roles}
    drawn: dict[tuple[str, int], int] = defaultdict(int)
    for (source, t, stream), units in a.alloc_capacity.items():
        capacity[(stream, role_of[source])][t] += units / FULL
        staffed[(stream, role_of[source])][t] += units / FULL
        drawn[(source, t)] += units
    erlang = [s for s in data.streams if scenario.spec.streams[s].response_model == "erlang"]
    sources_at: dict[int, list[str]] = defaultdict(list)
    for name, t in heads:
        sources_at[t].append(name)
    for t in range(n):
        needs_h = {s: int(data.need_staff[s][t]) for s in erlang if data.need_staff[s][t] > 0}
        if not needs_h or not sources_at[t]:
            continue
        needs_c = {s: int(data.need_load[s][t]) for s in needs_h}
        for (name, stream), units in _split(data, {k: heads[(k, t)] for k in sources_at[t]}, needs_h).items():
            staffed[(stream, role_of[name])][t] += units / FULL
        left = {k: max(0, capacity_supply[(k, t)] - drawn[(k, t)]) for k in sources_at[t]}
        for (name, stream), units in _split(data, left, needs_c).items():
            capacity[(stream, role_of[name])][t] += units / FULL
    on_duty = {r: np.zeros(n, dtype=int) for r in roles}
    trainee_capacity = np.zeros(n)
    for w, taken in a.shifts.items():
        worker = data.workers[w]
        for i in taken:
            s = data.shifts[worker.role][i]
            on_duty[worker.role][s.start : s.end] += 1
            if worker.is_trainee:
                trainee_capacity[s.start : s.end] += np.asarray(s.capacity) * worker.productivity / 100 / FULL
    for name, blocks in a.agency.items():
        for b, moderators in blocks.items():
            block = data.agency[name].blocks[b]
            on_duty[name][block.start : block.end] += moderators
    frames = []
    starts = [t.isoformat() for t in grid.local_starts]
    for stream in data.streams:
        spec = scenario.spec.streams[stream]
        is_erlang = spec.response_model == "erlang"
        frame = pd.DataFrame(
            {
                "slot": np.arange(n),
                "start": starts,
                "band": scenario.bands,
                "stream": stream,
                "model": spec.response_model,
                "items": np.round(scenario.arrivals[stream], 4),
                "work": np.round(scenario.arrivals[stream] * spec.handle_minutes / grid.slot_minutes, 4),
                "need": data.need_staff[stream] // FULL if is_erlang else np.nan,
                "need_capacity": data.need_load[stream] / FULL if is_erlang else np.nan,
            }
        )
        for r in roles:
            if scenario.spec.roles[r].kind == "trainee":
                skilled = data.stream_skill(stream) in scenario.spec.roles[r].skills
                frame[f"staffed_{r}"] = np.round(trainee_capacity, 4) if skilled else 0.0
                frame[f"capacity_{r}"] = frame[f"staffed_{r}"]
            else:
                frame[f"staffed_{r}"] = np.round(staffed[(stream, r)], 4)
                frame[f"capacity_{r}"] = np.round(capacity[(stream, r)], 4)
        for r in roles:
            frame[f"on_duty_{r}"] = on_duty[r]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _service(data: ModelData, coverage: pd.DataFrame) -> pd.DataFrame:
    """Expected share answered within target per stream and band: Erlang C on the people given to the
    stream, their handle time scaled by their productivity (interpolated between whole agents), or a
    first-in first-out flow of the capacity given to backlog streams."""
    scenario = data.scenario
    grid = scenario.grid
    roles = [r for r in scenario.spec.roles if scenario.spec.roles[r].kind != "trainee"]
    rows = []
    for stream in data.streams:
        spec = scenario.spec.streams[stream]
        if spec.response_model == "workload":
            continue
        mine = coverage[coverage["stream"] == stream]
        staffed = mine[[f"staffed_{r}" for r in roles]].to_numpy()
        people = staffed.sum(axis=1)
        capacity = mine[[f"capacity_{r}" for r in roles]].sum(axis=1).to_numpy()
        # Handle time stretches by the productivity of the people given to the stream.
        productivity = np.asarray([_role_productivity(data, r) for r in roles])
        with np.errstate(invalid="ignore", divide="ignore"):
            speeds = np.where(people > 0, (staffed * productivity).sum(axis=1) / people, 1.0)
        items = scenario.arrivals[stream]
        if spec.response_model == "erlang":
            share = np.ones(grid.n_slots)
            load = data.requirements.load[stream]
            for t in np.flatnonzero(items > 0):
                target = spec.target(scenario.bands[t])
                speed = speeds[t]
                handle = spec.handle_minutes / max(speed, 1e-6)
                share[t] = _interpolated_level(load[t] / max(speed, 1e-6), people[t], handle, target.within_minutes)
        else:
            share = _backlog_share(scenario, stream, capacity)
        bands = np.asarray(scenario.bands)
        for band in ("day", "night", "weekend"):
            mask = (bands == band) & (items > 0)
            if not mask.any():
                continue
            target = spec.target(band)
            expected = float(np.average(share[mask], weights=items[mask]))
            rows.append(
                {
                    "stream": stream,
                    "band": band,
                    "model": spec.response_model,
                    "target_share": target.share,
                    "target_minutes": target.within_minutes,
                    "expected_share": round(expected, 4),
                    "meets": expected >= target.share - 1e-9,
                }
            )
    return pd.DataFrame(
        rows, columns=["stream", "band", "model", "target_share", "target_minutes", "expected_share", "meets"]
    )


def _role_productivity(data: ModelData, role: str) -> float:
    if role in data.agency:
        return data.agency[role].productivity / 100
    return data.scenario.spec.roles[role].productivity


def _interpolated_level(load: float, servers: float, handle: float, within: float) -> float:
    low = math.floor(servers + 1e-9)
    high = low + 1
    lo = service_level(load, low, handle, within)
    hi = service_level(load, high, handle, within)
    return lo + (hi - lo) * (servers - low)


def _backlog_share(scenario, stream: str, capacity: np.ndarray) -> np.ndarray:
    """Fluid first-in first-out: the share of each slot's work done within the target."""
    grid = scenario.grid
    spec = scenario.spec.streams[stream]
    work = scenario.arrivals[stream] * spec.handle_minutes / grid.slot_minutes / (1 - spec.shrinkage)
    done = np.concatenate([[0.0], np.cumsum(capacity)])
    arrived = np.concatenate([[0.0], np.cumsum(work)])
    share = np.ones(grid.n_slots)
    for t in np.flatnonzero(work > 0):
        window = max(1, int(spec.target(scenario.bands[t]).within_minutes // grid.slot_minutes))
        last = min(grid.n_slots, t + window)
        share[t] = float(np.clip((done[last] - arrived[t]) / work[t], 0.0, 1.0))
    return share


def _shortfall(data: ModelData, a: Assignment) -> pd.DataFrame:
    grid = data.scenario.grid
    rows = []
    for (what, t), units in sorted(a.shortfall.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        is_stream = what in data.scenario.spec.streams
        rows.append(
            {
                "slot": t,
                "start": grid.instant(t).isoformat(),
                "what": what,
                "missing": units / FULL if is_stream else units,
                "unit": "staff" if is_stream else "people on duty",
            }
        )
    return pd.DataFrame(rows, columns=["slot", "start", "what", "missing", "unit"])
