"""How many people each slot needs: Erlang C per stream and slot, plus the presence floors.

Erlang C is computed through the Erlang B recursion ``B(n) = A B(n-1) / (n + A B(n-1))``, which never
forms ``A^N / N!`` and so stays exact for loads of several hundred Erlangs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from scheduler.scenario import Scenario
from scheduler.scenario.demand import weekday_numbers
from scheduler.timegrid import parse_clock, parse_window

MAX_STAFF = 100_000


def erlang_b(load: float, servers: int) -> float:
    """Blocking probability of M/M/N/N, by the stable recursion."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be >= 0")
    b = 1.0
    for n in range(1, servers + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(load: float, servers: int) -> float:
    """Probability that an arrival waits in M/M/N (1 when N <= A: the queue grows without bound)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    b = erlang_b(load, servers)
    return servers * b / (servers - load * (1 - b))


def service_level(load: float, servers: int, handle_minutes: float, within_minutes: float) -> float:
    """Share of items answered within ``within_minutes``: 1 - C(N, A) exp(-(N - A) t / AHT)."""
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    wait = erlang_c(load, servers)
    return 1.0 - wait * math.exp(-(servers - load) * within_minutes / handle_minutes)


def average_wait(load: float, servers: int, handle_minutes: float) -> float:
    """Average speed of answer in minutes (inf when N <= A)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(load, servers) * handle_minutes / (servers - load)


def erlang_staff(load: float, handle_minutes: float, share: float, within_minutes: float, max_occupancy: float) -> int:
    """Smallest N with service level >= share and occupancy A/N <= max_occupancy.

    The Erlang B value is carried from N to N + 1, so the whole search is linear in N.
    """
    if load <= 0:
        return 0
    n = max(1, math.ceil(load / max_occupancy - 1e-12))
    b = erlang_b(load, n)
    while n <= MAX_STAFF:
        if n > load:
            wait = n * b / (n - load * (1 - b))
            level = 1.0 - wait * math.exp(-(n - load) * within_minutes / handle_minutes)
            if level >= share - 1e-12:
                return n
        n += 1
        b = load * b / (n + load * b)
    raise ValueError(f"more than {MAX_STAFF} staff needed for a load of {load:.1f} Erlangs")


def rostered_staff(staff: int, shrinkage: float) -> int:
    """Staff to roster so that ``staff`` remain after shrinkage (never counted twice with breaks)."""
    return math.ceil(staff / (1 - shrinkage) - 1e-9) if staff else 0


@dataclass(frozen=True)
class Requirements:
    """Per stream and slot: arrivals, load and staff needed; per slot: presence floors."""

    scenario: Scenario
    staff: dict[str, np.ndarray]  # stream -> staff per slot (erlang streams; zeros for others)
    load: dict[str, np.ndarray]  # stream -> Erlangs per slot
    floors: tuple[tuple[str, int, tuple[str, ...], np.ndarray], ...]  # (name, min, roles, active mask)

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per stream and slot, for people and files."""
        scenario = self.scenario
        grid = scenario.grid
        frames = []
        starts = [t.isoformat() for t in grid.local_starts]
        for name, stream in scenario.spec.streams.items():
            targets = [stream.target(b) if stream.targets else None for b in scenario.bands]
            frames.append(
                pd.DataFrame(
                    {
                        "slot": np.arange(grid.n_slots),
                        "start": starts,
                        "stream": name,
                        "model": stream.response_model,
                        "band": scenario.bands,
                        "items": scenario.arrivals[name],
                        "work_hours": scenario.arrivals[name] * stream.handle_minutes / 60,
                        "load_erlangs": self.load[name],
                        "target_share": [t.share if t else np.nan for t in targets],
                        "target_minutes": [t.within_minutes if t else np.nan for t in targets],
                        "staff_needed": self.staff[name],
                        "presence_floor": self.presence_floor,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def presence_floor(self) -> np.ndarray:
        """The largest floor in force per slot (any role), for display."""
        out = np.zeros(self.scenario.grid.n_slots, dtype=int)
        for _, minimum, _, mask in self.floors:
            out = np.maximum(out, np.where(mask, minimum, 0))
        return out


def compute_requirements(scenario: Scenario) -> Requirements:
    """Erlang staff per stream and slot (occupancy cap and shrinkage applied) and the presence floors."""
    grid = scenario.grid
    staff: dict[str, np.ndarray] = {}
    load: dict[str, np.ndarray] = {}
    cache: dict[tuple[float, float, float, float, float, float], int] = {}
    for name, stream in scenario.spec.streams.items():
        items = scenario.arrivals[name]
        erlangs = items * stream.handle_minutes / grid.slot_minutes
        load[name] = erlangs
        need = np.zeros(grid.n_slots, dtype=int)
        if stream.response_model == "erlang":
            for t in range(grid.n_slots):
                target = stream.target(scenario.bands[t])
                key = (
                    round(erlangs[t], 9),
                    stream.handle_minutes,
                    target.share,
                    target.within_minutes,
                    stream.max_occupancy,
                    stream.shrinkage,
                )
                if key not in cache:
                    n = erlang_staff(
                        key[0], stream.handle_minutes, target.share, target.within_minutes, stream.max_occupancy
                    )
                    cache[key] = rostered_staff(n, stream.shrinkage)
                need[t] = cache[key]
        staff[name] = need
    floors = []
    minutes = np.asarray(grid.minute_of_slot)
    weekdays = np.asarray(grid.weekday_of_slot)
    default_roles = tuple(r for r, spec in scenario.spec.roles.items() if spec.kind != "trainee")
    for presence in scenario.spec.presence:
        lo, hi = parse_clock(presence.from_), parse_clock(presence.to)
        mask = (minutes >= lo) & (minutes < hi) & np.isin(weekdays, weekday_numbers(presence.days))
        floors.append((presence.name, presence.min, tuple(presence.roles or default_roles), mask))
    return Requirements(scenario, staff, load, tuple(floors))


def workload_windows(scenario: Scenario, stream_name: str) -> list[tuple[int, np.ndarray, float]]:
    """For a workload stream: per calendar week, the slots of its window and the hours due.

    A week cut by the horizon is due in proportion to its days inside the horizon.
    """
    stream = scenario.spec.streams[stream_name]
    grid = scenario.grid
    work = stream.workload
    window = parse_window(work.window)
    in_window = np.asarray(grid.in_window_slots(window)) & np.isin(
        np.asarray(grid.weekday_of_slot), weekday_numbers(work.days)
    )
    weeks = np.asarray(grid.week_of_slot)
    out = []
    for w in range(grid.n_weeks):
        slots = np.flatnonzero(in_window & (weeks == w))
        hours = work.hours_per_week * grid.days_in_week[w] / 7
        if hours > 0:
            out.append((w, slots, hours))
    return out
