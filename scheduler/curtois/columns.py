"""Column generation for a Curtois-Qu instance: per-employee schedules priced by labeling, a master LP in HiGHS.

The master picks one schedule per employee (a convexity row each) and pays each cover row's under and over
staffing; its duals price the cover cells, and ``labeling.price`` finds each employee's cheapest schedule at
those duals (every hard rule of the employee inside the labels). The Lagrangian bound
``LP + sum of each employee's least reduced cost`` is valid at every iteration whose pricing was exact, so the
bound holds before the generation converges. The restricted master as a MIP (HiGHS) over the columns found turns
them into a roster; ``solve.py`` hands that roster to CP-SAT as a hint.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from scheduler.curtois.evaluate import Roster
from scheduler.curtois.labeling import KEY_LIMIT, EmployeeRules, employee_rules, price
from scheduler.curtois.reader import Instance

INF = highspy.kHighsInf
TOLERANCE = 1e-6


@dataclass(frozen=True)
class ColumnsResult:
    """What the column generation reached: a roster from the restricted master MIP (None if it found none),
    the best valid lower bound, and its own figures."""

    roster: Roster | None
    objective: float | None  # the MIP's objective on the roster (the evaluator's penalty)
    bound: float  # a valid lower bound of the instance (-inf when no pricing round was exact)
    lp_value: float | None  # the last master LP
    converged: bool  # no column with negative reduced cost left: the LP is the full master's
    iterations: int
    columns: int
    pricing_time: float
    master_time: float
    mip_time: float

    def log(self) -> str:
        bound = "none" if self.bound == -math.inf else f"{self.bound:.1f}"
        lp = "none" if self.lp_value is None else f"{self.lp_value:.1f}"
        return (
            f"column generation: {self.iterations} iterations, {self.columns} columns, LP {lp}, bound {bound}"
            f"{' (converged)' if self.converged else ''}, pricing {self.pricing_time:.1f} s, master "
            f"{self.master_time:.1f} s, restricted MIP {self.mip_time:.1f} s -> {self.objective}"
        )


class _Master:
    """The master LP: columns 0..2C-1 are each cover cell's under and over staffing, then the schedules."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("presolve", "off")  # keeps the basis between rounds
        S = len(instance.shifts)
        self.cell_row = np.full((instance.days, S), -1, dtype=np.int64)  # (day, shift) -> cover row
        names = instance.shift_names
        n_cover = len(instance.cover)
        for r, c in enumerate(instance.cover):
            self.cell_row[c.day, names.index(c.shift)] = r
        req = np.array([c.requirement for c in instance.cover], dtype=np.float64)
        n_emp = len(instance.employees)
        lo = np.concatenate([req, np.ones(n_emp)])
        self.h.addRows(n_cover + n_emp, lo, lo.copy(), 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        # under (+1, at most the requirement, weight_under) and over (-1, weight_over) per cover row
        for r, c in enumerate(instance.cover):
            self.h.addCol(float(c.weight_under), 0.0, float(c.requirement), 1, np.array([r], np.int32), np.array([1.0]))
            self.h.addCol(float(c.weight_over), 0.0, INF, 1, np.array([r], np.int32), np.array([-1.0]))
        self.n_cover = n_cover
        self.n_base = 2 * n_cover
        self.columns: list[tuple[int, np.ndarray]] = []  # (employee, schedule) per schedule column
        self.known: set[tuple[int, bytes]] = set()

    def add(self, employee: int, schedule: np.ndarray, cost: float) -> bool:
        key = (employee, schedule.tobytes())
        if key in self.known:
            return False
        self.known.add(key)
        days = np.nonzero(schedule >= 0)[0]
        rows = self.cell_row[days, schedule[days]]
        rows = np.append(rows[rows >= 0], self.n_cover + employee).astype(np.int32)
        self.h.addCol(float(cost), 0.0, INF, len(rows), rows, np.ones(len(rows)))  # 1 by convexity; no bound, so no dual hides there
        self.columns.append((employee, schedule.copy()))
        return True

    def solve_lp(self) -> tuple[float, np.ndarray, np.ndarray]:
        """The LP's value, the cover rows' duals as a (day, shift) array, and the convexity duals."""
        self.h.run()
        value = self.h.getInfo().objective_function_value
        y = np.array(self.h.getSolution().row_dual)
        cells = np.zeros(self.cell_row.shape)
        mask = self.cell_row >= 0
        cells[mask] = y[self.cell_row[mask]]
        return value, cells, y[self.n_cover :]

    def solve_mip(self, time_limit: float) -> tuple[float | None, list[int]]:
        """The restricted master with integer schedule columns; the chosen column per employee."""
        n = self.h.getNumCol()
        idx = np.arange(self.n_base, n, dtype=np.int32)
        self.h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
        self.h.setOptionValue("time_limit", max(0.1, time_limit))
        self.h.setOptionValue("presolve", "on")
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.run()
        values = np.array(self.h.getSolution().col_value)
        status = self.h.getModelStatus()
        self.h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
        self.h.setOptionValue("presolve", "off")
        self.h.setOptionValue("time_limit", INF)
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit) or len(values) < n:
            return None, []
        chosen = [j for j in range(len(self.columns)) if values[self.n_base + j] > 0.5]
        if len({self.columns[j][0] for j in chosen}) != len(self.instance.employees):
            return None, []
        return self.h.getInfo().objective_function_value, chosen


def generate(
    instance: Instance,
    time_limit: float,
    *,
    mip_share: float = 0.3,
    n_best: int = 3,
    max_labels: int = 50_000,
    exact_labels: int = 2_000_000,
) -> ColumnsResult:
    """Column generation for ``(1 - mip_share)`` of the time, then the restricted master MIP.

    Pricing keeps at most ``max_labels`` labels a day (a heuristic beam: fast columns); when a round finds no
    column it is repeated exactly (up to ``exact_labels``), which either finds one or proves the LP converged.
    An employee whose label keys overflow is priced with the shift caps relaxed: a valid bound, not a column.
    """
    started = time.perf_counter()
    deadline = started + (1 - mip_share) * time_limit
    master = _Master(instance)
    rules = [employee_rules(instance, e) for e in instance.employees]
    if any(r.key_space > KEY_LIMIT for r in rules):  # the kernel cannot hold these employees' states
        return ColumnsResult(None, None, -math.inf, None, False, 0, 0, 0.0, 0.0, 0.0)
    relax = [False] * len(rules)
    pricing = master_time = 0.0
    # first columns: every employee's cheapest schedule by requests alone, at a few dual guesses
    zero = np.zeros((instance.days, len(instance.shifts)))
    guesses = [zero] + [zero + w for w in _weight_guesses(instance)]
    t = time.perf_counter()
    for e, r in enumerate(rules):
        for duals in guesses:
            schedules, costs, _ = _price(r, duals, n_best, max_labels, relax[e])
            if len(costs) == 0:
                raise ValueError(f"{instance.name}: employee {r.employee} has no legal schedule")
            for s in schedules:
                master.add(e, s, _cost(r, s))
    pricing += time.perf_counter() - t
    bound, lp_value, converged, iterations = -math.inf, None, False, 0
    exact_round = False
    while time.perf_counter() < deadline:
        iterations += 1
        t = time.perf_counter()
        lp_value, cells, conv = master.solve_lp()
        master_time += time.perf_counter() - t
        t = time.perf_counter()
        labels = exact_labels if exact_round else max_labels
        added, least, exact = 0, 0.0, True
        for e, r in enumerate(rules):
            schedules, costs, ex = _price(r, cells, n_best, labels, relax[e])
            exact &= ex
            if len(costs):
                least += min(0.0, costs[0] - conv[e])
            for s, c in zip(schedules, costs, strict=True):
                if c - conv[e] < -TOLERANCE and not relax[e]:
                    added += master.add(e, s, _cost(r, s))
            if time.perf_counter() > deadline:
                exact = False
                break
        pricing += time.perf_counter() - t
        if exact:
            bound = max(bound, lp_value + least)
        if added == 0:
            if exact:
                converged = not any(relax)
                break
            if exact_round:
                break  # the beam of the exact round was cut too: no proof, no column
            exact_round = True
        else:
            exact_round = False
    mip_budget = max(0.5, started + time_limit - time.perf_counter())
    t = time.perf_counter()
    objective, chosen = master.solve_mip(mip_budget)
    mip_time = time.perf_counter() - t
    roster = None
    if chosen:
        names = instance.shift_names
        roster = {
            instance.employees[e].name: tuple(None if x < 0 else names[x] for x in s)
            for e, s in (master.columns[j] for j in chosen)
        }
    return ColumnsResult(
        roster,
        objective,
        bound,
        lp_value,
        converged,
        iterations,
        len(master.columns),
        pricing,
        master_time,
        mip_time,
    )


def _price(rules: EmployeeRules, duals: np.ndarray, n_best: int, max_labels: int, relax: bool):
    return price(rules, duals, n_best, max_labels, relax_caps=relax)


def _cost(rules: EmployeeRules, schedule: np.ndarray) -> float:
    """A schedule's own penalty (its requests), without duals."""
    days = np.arange(len(schedule))
    work = schedule >= 0
    return float(rules.request_work[days[work], schedule[work]].sum() + rules.request_off[days[~work]].sum())


def _weight_guesses(instance: Instance) -> list[np.ndarray]:
    """Dual guesses for the first columns: every cover cell valued at its under weight, and at half of it, so
    each employee starts with schedules that work where cover is wanted."""
    under = np.zeros((instance.days, len(instance.shifts)))
    names = instance.shift_names
    for c in instance.cover:
        if c.requirement > 0:
            under[c.day, names.index(c.shift)] = c.weight_under
    return [under, under / 2]
