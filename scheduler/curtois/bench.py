"""The Curtois-Qu suite: solve chosen instances and compare with the published best known values.

The best known values are read here, for the table only; the solver never sees them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.curtois.reader import read_instance
from scheduler.curtois.solve import Result, solve
from scheduler.errors import InputError

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "curtois"
COUNT = 24


def parse_selection(text: str, count: int = COUNT) -> list[int]:
    """``"1-12"``, ``"3"`` or ``"1,4,7-9"`` as instance numbers, in the order given, without repeats.

    Raises
    ------
    InputError
        For anything else, or a number outside 1..count.
    """
    allowed = f"instance numbers 1..{count} as a list and ranges, e.g. 1-12 or 1,4,7-9"
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        low, sep, high = part.partition("-")
        try:
            first, last = (int(low), int(high)) if sep else (int(part), int(part))
        except ValueError:
            raise InputError("--instances", "instances", text, allowed) from None
        if not 1 <= first <= last <= count:
            raise InputError("--instances", "instances", text, allowed)
        out.extend(n for n in range(first, last + 1) if n not in out)
    return out


def best_known(data: Path = DATA) -> dict[str, tuple[int | None, int]]:
    """Instance name -> (published lower bound or None, best known objective), from ``bks.csv``."""
    out = {}
    with open(data / "bks.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            lower = int(row["lower_bound"]) if row["lower_bound"].strip() else None
            out[row["instance"]] = (lower, int(row["best_known"]))
    return out


@dataclass(frozen=True)
class Row:
    """One line of the suite's table."""

    result: Result
    best_known: int | None

    @property
    def gap_to_best_known(self) -> float | None:
        if self.result.objective is None or not self.best_known:
            return None
        return (self.result.objective - self.best_known) / self.best_known

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "instance": r.instance,
            "status": r.status,
            "objective": r.objective,
            "bound": None if r.best_bound is None else round(r.best_bound, 2),
            "best_known": self.best_known,
            "gap_to_best_known": self.gap_to_best_known,
            "gap_to_bound": r.gap,
            "time_to_first": r.time_to_first,
            "time_to_best": r.time_to_best,
            "wall_time": r.wall_time,
            "time_limit": r.time_limit,
            "workers": r.workers,
            "seed": r.seed,
            "evaluator": None if r.evaluation is None else r.evaluation.summary(),
        }


def run(
    numbers: list[int],
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    data: Path = DATA,
    log: Callable[[str], None] | None = None,
) -> list[Row]:
    """Solve each chosen instance in turn; rows in the order given."""
    known = best_known(data)
    rows = []
    for n in numbers:
        inst = read_instance(data / f"Instance{n}.txt")
        if log:
            size = f"{len(inst.staff)} staff, {len(inst.shifts)} shifts, {inst.horizon} days"
            log(f"{inst.name}: {size}, {time_limit:g} s")
        result = solve(inst, time_limit=time_limit, workers=workers, seed=seed, log=log)
        rows.append(Row(result, known.get(inst.name, (None, None))[1]))
        if log:
            log(result.summary())
    return rows
