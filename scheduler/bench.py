"""The benchmark ladder: deterministic instances of growing size, solved and measured.

Each size is generated from a fixed seed with realistic demand (DOMAIN.md section 5: comments at 0.3-0.5 min,
DMs at 6 min, an office-hours curve with an evening tail, quieter weekends), all roles present (seniors,
juniors, trainees with agreed hours, a nearshore agency for comments), named staff with some leave, and hire
slots. A run is measured in a child process so that its peak memory is its own.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from scheduler.scenario import Scenario, build_scenario


@dataclass(frozen=True)
class Size:
    name: str
    days: int
    slot_minutes: int
    streams: int
    existing: int
    hire_slots: int
    trainees: int
    time_limit: float
    target: str


SIZES = {
    "S": Size("S", 7, 60, 2, 3, 6, 1, 5.0, "proven optimal in <= 5 s"),
    "M": Size("M", 28, 60, 3, 10, 16, 2, 60.0, "gap <= 1 % in <= 60 s"),
    "L": Size("L", 28, 30, 3, 25, 40, 4, 300.0, "gap <= 2 % in <= 300 s, peak memory <= 4 GiB"),
    "XL": Size("XL", 56, 30, 4, 120, 60, 8, 600.0, "first plan <= 60 s, gap <= 3 % in <= 600 s"),
}

OFFICE_EVENING = [
    0.4,
    0.25,
    0.15,
    0.1,
    0.1,
    0.2,
    0.5,
    1.0,
    1.9,
    2.7,
    3.0,
    3.0,
    2.9,
    2.7,
    2.6,
    2.5,
    2.5,
    2.6,
    2.7,
    2.6,
    2.2,
    1.6,
    1.1,
    0.7,
]
WEEKDAYS = [1.1, 1.1, 1.05, 1.05, 1.0, 0.75, 0.6]


def ladder_raw(size: Size, seed: int = 7, *, days: int | None = None, people: int | None = None) -> dict[str, Any]:
    """The scenario of a ladder size as a dict (``days`` and ``people`` override the size for growth runs).

    Volumes grow with the team so that every size needs most of its people: about 45 weekly hours of care
    (DMs) and 25 of comments per existing person, plus publishing, as long as the whole team (existing
    people and hire slots, in M's proportions: 10 + 16) can carry them. XL has fewer hire slots per
    existing person (120 + 60): at 45 h of care per existing person it would need 6 433 staff hours of care
    a week on duty, which only staff can give, from 180 people who may work 44 h on average: its crew LP
    is infeasible (HiGHS, 291 s on 2026-12-02), so no plan exists at all. Its volumes are those of a team
    of 69 existing people, which 180 can carry.
    """
    rng = np.random.default_rng(seed)
    days = days or size.days
    existing = people or size.existing
    hire_slots = max(2, round(size.hire_slots * existing / size.existing))
    trainees = max(1, round(size.trainees * existing / size.existing)) if size.trainees else 0
    start = date(2027, 1, 4)  # a Monday, outside the holiday season
    seniors = max(1, round(existing / 3))
    reference = SIZES["M"]
    carried = min(existing, (existing + hire_slots) * reference.existing / (reference.existing + reference.hire_slots))
    streams: dict[str, Any] = {
        "care": {
            "skill": "care",
            "handle_minutes": 6,
            "arrivals": {
                "profile": {
                    "weekly_items": round(450 * carried),
                    "daily_curve": OFFICE_EVENING,
                    "weekday_factors": WEEKDAYS,
                }
            },
            "targets": {
                "day": {"share": 0.9, "within_minutes": 60},
                "night": {"share": 0.9, "within_minutes": 240},
                "weekend": {"share": 0.9, "within_minutes": 120},
            },
        },
        "moderation": {
            "skill": "moderation",
            "handle_minutes": 0.4,
            "arrivals": {
                "profile": {
                    "weekly_items": round(3750 * carried),
                    "daily_curve": OFFICE_EVENING,
                    "weekday_factors": WEEKDAYS,
                }
            },
            "targets": {"day": {"share": 0.95, "within_minutes": 30}, "night": {"share": 0.9, "within_minutes": 60}},
        },
    }
    if size.streams >= 3:
        streams["publishing"] = {
            "skill": "writing",
            "response_model": "workload",
            "workload": {
                "hours_per_week": round(4 * carried),
                "window": "09:00-18:00",
                "days": ["mon", "tue", "wed", "thu", "fri"],
            },
        }
    if size.streams >= 4:
        streams["reviews"] = {
            "skill": "care",
            "handle_minutes": 3,
            "response_model": "backlog",
            "arrivals": {
                "profile": {"weekly_items": round(120 * carried), "daily_curve": "office", "weekday_factors": "general"}
            },
            "targets": {"day": {"share": 0.95, "within_minutes": 240}, "night": {"share": 0.95, "within_minutes": 600}},
        }
    people = []
    for k in range(existing):
        role = "senior" if k < seniors else "junior"
        person: dict[str, Any] = {"name": f"{role[0].upper()}{k + 1:03d}", "role": role}
        if rng.random() < 0.3:  # some leave inside the horizon
            first = start + timedelta(days=int(rng.integers(0, max(1, days - 3))))
            person["leave"] = [
                {"start": first.isoformat(), "end": (first + timedelta(days=int(rng.integers(1, 4)))).isoformat()}
            ]
        people.append(person)
    for k in range(trainees):
        people.append(
            {
                "name": f"T{k + 1:03d}",
                "role": "trainee",
                "internship": {"start": "2026-11-02", "end": "2027-04-30"},
                "min_weekly_hours": 21,
            }
        )
    hours = [6, 8, 10]
    return {
        "name": f"ladder-{size.name}"
        + (f"-{days}d" if days != size.days else "")
        + (f"-{existing}p" if people else ""),
        "description": f"Benchmark instance {size.name} (seed {seed}): {size.target}.",
        "horizon": {
            "start": start.isoformat(),
            "days": days,
            "slot_minutes": size.slot_minutes,
            "holidays": {"country": "FR"},
        },
        "streams": streams,
        "presence": [
            {"name": "someone on duty", "min": 1},
            {
                "name": "senior by day",
                "min": 1,
                "roles": ["senior"],
                "from": "09:00",
                "to": "18:00",
                "days": ["mon", "tue", "wed", "thu", "fri"],
            },
        ],
        "roles": {
            "senior": {"skills": ["moderation", "care", "writing"], "shifts": {"lengths_hours": hours}},
            "junior": {
                "skills": ["moderation", "care", "writing"],
                "shifts": {"lengths_hours": hours},
                "supervision": {"by": ["senior"], "mode": "same_day", "max_per_supervisor": 8},
            },
            "trainee": {
                "skills": ["moderation", "writing"],
                "shifts": {"earliest_start": "09:00", "latest_start": "11:00", "lengths_hours": [7]},
            },
            "agency": {
                "skills": ["moderation"],
                "rates_per_hour": {"day": 16, "night": 20, "weekend": 19},
                "min_block_hours": 4,
                "max_concurrent": max(2, existing // 3),
                "monthly_fee": 800,
            },
        },
        "people": people,
        "hire": {
            "senior": {"max": max(1, hire_slots // 3)},
            "junior": {"max": hire_slots - max(1, hire_slots // 3)},
        },
    }


def ladder_scenario(name: str, seed: int = 7, **overrides: Any) -> Scenario:
    return build_scenario(ladder_raw(SIZES[name], seed, **overrides), source=f"<ladder {name}>")


@dataclass(frozen=True)
class BenchResult:
    size: str
    days: int
    slot_minutes: int
    people: int
    variables: int
    constraints: int
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    time_to_first: float | None
    time_to_best: float | None
    wall_time: float
    peak_memory_mib: float
    time_limit: float
    target: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_size(
    name: str,
    time_limit: float | None = None,
    workers: int = 2,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    **overrides: Any,
) -> BenchResult:
    """Generate and solve one size in this process (see ``measure`` for a fresh process); ``progress`` gets
    the solve's stage lines."""
    from scheduler.solve import SolveParams, solve

    size = SIZES[name]
    limit = time_limit or size.time_limit
    scenario = ladder_scenario(name, seed, **overrides)
    t0 = time.perf_counter()
    plan = solve(scenario, SolveParams(time_limit=limit, workers=workers, seed=seed), progress=progress)
    wall = time.perf_counter() - t0
    largest = max(plan.stats.stages, key=lambda s: s.variables, default=None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BenchResult(
        size=name,
        days=scenario.grid.days,
        slot_minutes=scenario.grid.slot_minutes,
        people=len(scenario.spec.people) + sum(h.max for h in scenario.spec.hire.values()),
        variables=largest.variables if largest else 0,
        constraints=largest.constraints if largest else 0,
        status=plan.stats.status,
        objective=plan.stats.objective,
        best_bound=plan.stats.best_bound,
        gap=plan.stats.gap,
        time_to_first=plan.stats.time_to_first,
        time_to_best=plan.stats.time_to_best,
        wall_time=round(wall, 2),
        peak_memory_mib=round(peak, 1),
        time_limit=limit,
        target=size.target,
    )


def _child(queue, name, time_limit, workers, seed, verbose, overrides) -> None:
    progress = (lambda line: print(f"  {line}", file=sys.stderr, flush=True)) if verbose else None
    queue.put(run_size(name, time_limit, workers, seed, progress, **overrides))


def measure(
    name: str,
    time_limit: float | None = None,
    workers: int = 2,
    seed: int = 7,
    verbose: bool = False,
    **overrides: Any,
) -> BenchResult:
    """Run one size in a fresh process, so its peak memory is its own; ``verbose`` prints its stages on
    stderr as they end (a large size runs for minutes)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    args = (queue, name, time_limit, workers, seed, verbose, overrides)
    process = context.Process(target=_child, args=args)
    process.start()
    result = queue.get()
    process.join()
    return result
