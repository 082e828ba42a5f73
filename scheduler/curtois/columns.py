"""Column generation for a Curtois-Qu instance: per-employee schedules priced by labeling, a master LP in HiGHS.

The master picks one schedule per employee (a convexity row each) and pays each cover row's under and over
staffing; its duals price the cover cells, and ``labeling.price`` finds each employee's cheapest schedule at
those duals (every hard rule of the employee inside the labels). The Lagrangian bound
``LP + sum of each employee's least reduced cost`` is valid at every iteration whose pricing was exact, so the
bound holds before the generation converges. A dive (fix the schedules the LP all but picks, price again) and the
restricted master as a MIP (HiGHS) over the columns found turn them into a roster; ``solve.py`` hands that roster
to CP-SAT as a hint.
"""

from __future__ import annotations

import itertools
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np

from scheduler.curtois.descent import own_cost, roster_of
from scheduler.curtois.evaluate import Roster
from scheduler.curtois.labeling import KEY_LIMIT, EmployeeRules, employee_rules, price
from scheduler.curtois.reader import Instance
from scheduler.curtois.solve import cpsat, integer_bound
from scheduler.engine.master import quiet_highs

INF = highspy.kHighsInf
TOLERANCE = 1e-6
# The dives: schedules at or above a threshold in the LP are fixed together; else a share of the employees
# left, the most picked first; then at most a number of pricing rounds before the next fixing. Each dive takes
# the next (threshold, share, rounds) of DIVES. Measured at 60 s: 10 rounds reached Instance 10's optimum and
# 11's, where 3 stopped 2.6 % and 3 % above; on 8, where pricing is slow, 3 rounds gave 1 312 and dives of 10
# rounds only 1 503: the cheap dive first, then the thorough ones.
DIVES = ((0.8, 0.1, 3), (0.8, 0.1, 10), (0.9, 0.05, 10), (0.8, 0.2, 10))
MIP_SHARE = 0.2  # of the time limit, at most, for the restricted master MIP after the dives
DIVE_ROUNDS = 10  # pricing rounds after a new dive's release, before it starts
FIRST_LABELS = 2_000  # the first columns' beam: starting points, not proofs (at 50 000, 23 s on Instance 13)
DIVE_LABELS = 5_000  # the dive's pricing beam: its columns need to be good, not proven
# Pricing rounds start at the narrowest beam and widen only when a round finds no column: on Instance 13 one
# round at the first duals took 2.3 s with 2 000 labels a day and 60 s with 50 000, the reduced costs within
# 0.01 % of each other (2026-12-07)
NARROW_LABELS = (1_000, 10_000)
# The root LP within this share of the starting roster's penalty, unconverged: the generation gives way (on
# Instances 13, 15 and 19 at 60 s the LP never left the roster that seeded it).
STUCK = 0.01
# The first dive's endgame: once the employees it has left hold at most ENDGAME_CELLS (employee, day, shift)
# cells, CP-SAT schedules them, the fixed ones held, for at most ENDGAME_SHARE of the time limit. A dive's last
# fixings are its worst: on Instance 12 the LP stayed at 4 040-4 051 until 45 of the 60 employees were fixed,
# then rose to 5 176-5 393 as the last 15 were; CP-SAT found 4 040-4 348 for those 15 (4 200 cells) in 10 s.
ENDGAME_CELLS = 4_500
ENDGAME_SHARE = 0.15


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

    @classmethod
    def nothing(cls, columns: int = 0, pricing_time: float = 0.0) -> ColumnsResult:
        """The column path gave way before its first LP: no roster, no bound."""
        return cls(None, None, -math.inf, None, False, 0, columns, pricing_time, 0.0, 0.0)

    def proves(self, objective: float | None) -> bool:
        return proves(self.bound, objective)

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
        self.h = quiet_highs()  # no banner on stdout (--format json); one thread, presolve off, primal simplex
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
        self.optimal = False  # whether the last LP was solved to optimality
        self.of_employee: list[list[int]] = [[] for _ in instance.employees]  # column indices per employee
        self.costs: list[float] = []  # each schedule column's own penalty (its requests)

    def add(self, employee: int, schedule: np.ndarray, cost: float) -> bool:
        key = (employee, schedule.tobytes())
        if key in self.known:
            return False
        self.known.add(key)
        rows = np.append(self.cover_rows(schedule), self.n_cover + employee).astype(np.int32)
        self.h.addCol(
            float(cost), 0.0, INF, len(rows), rows, np.ones(len(rows))
        )  # 1 by convexity; no bound, so no dual hides there
        self.of_employee[employee].append(len(self.columns))
        self.columns.append((employee, schedule.copy()))
        self.costs.append(cost)
        return True

    def cover_rows(self, schedule: np.ndarray) -> np.ndarray:
        """The cover rows of the cells a schedule works (cells without cover have none)."""
        days = np.nonzero(schedule >= 0)[0]
        rows = self.cell_row[days, schedule[days]]
        return rows[rows >= 0]

    def solve_lp(self) -> tuple[float, np.ndarray, np.ndarray]:
        """The LP's value, the cover rows' duals as a (day, shift) array, and the convexity duals."""
        self.h.run()
        self.optimal = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal  # only then is it a bound
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
        return self.penalty(chosen), chosen

    def penalty(self, chosen: list[int]) -> float:
        """The penalty of a roster of chosen columns: their requests and each cover row's under and over staffing
        at its least. An LP or MIP solution the solver did not prove need not have its slacks at their least (a
        cell both under and over staffed), so its objective may lie above the roster's worth."""
        covered = np.zeros(self.n_cover)
        for j in chosen:
            np.add.at(covered, self.cover_rows(self.columns[j][1]), 1.0)
        total = sum(self.costs[j] for j in chosen)
        for r, c in enumerate(self.instance.cover):
            total += c.weight_under * max(0.0, c.requirement - covered[r])
            total += c.weight_over * max(0.0, covered[r] - c.requirement)
        return float(total)


def generate(
    instance: Instance,
    time_limit: float,
    *,
    root_share: float = 0.5,
    n_best: int = 3,
    max_labels: int = 50_000,
    exact_labels: int = 2_000_000,
    start: list[np.ndarray] | None = None,
    rules: list[EmployeeRules] | None = None,
    workers: int = 0,
) -> ColumnsResult:
    """The root column generation for at most ``root_share`` of the time (its bound), then a dive for a
    roster, then the restricted master MIP over every column found with what is left; the cheaper roster wins.

    Pricing keeps at most ``max_labels`` labels a day (a beam: fast columns); when a round finds no column it
    is repeated exactly (up to ``exact_labels``), which either finds one or proves the LP converged.
    ``start``, one schedule per employee (a legal roster), joins the first columns: the master then holds a
    whole roster from its first LP, and the restricted MIP can do no worse. If the root's LP is still within
    ``STUCK`` of that roster, the generation stops there (no roster of its own, its bound if it has one).
    With ``workers`` (CP-SAT's), the first dive leaves its last employees to CP-SAT (``ENDGAME_CELLS``).
    """
    started = time.perf_counter()
    end = started + time_limit
    rules = rules or [employee_rules(instance, e) for e in instance.employees]
    if any(r.key_space > KEY_LIMIT for r in rules):  # the kernel cannot hold these employees' states
        return ColumnsResult.nothing()
    run = _Generation(
        instance, rules, n_best, max_labels, exact_labels, started + root_share * time_limit, max(1, workers)
    )
    for e, schedule in enumerate(start or ()):
        run.master.add(e, schedule, own_cost(rules[e], schedule))
    if run.gave_way:  # the first columns alone took the root's time, or an employee has none: give up
        return ColumnsResult.nothing(len(run.master.columns), run.pricing_time)
    root = run.converge(started + root_share * time_limit, prove=True)
    if start and root is not None and not run.converged and root >= (1 - STUCK) * _penalty_of(run, start):
        # the root has not moved away from the starting roster: dives over these columns would only find it
        return ColumnsResult(
            None,
            None,
            run.bound,
            root,
            False,
            run.iterations,
            len(run.master.columns),
            run.pricing_time,
            run.master_time,
            0.0,
        )
    endgame = _endgame_size(instance) if workers else 0
    roster, objective = _dives(run, end, end - MIP_SHARE * time_limit, endgame, ENDGAME_SHARE * time_limit, workers)
    mip_budget = min(end - time.perf_counter(), MIP_SHARE * time_limit)  # the rest goes back to the caller
    t = time.perf_counter()
    if mip_budget > 0.5 and not run.proves(objective):
        mip_objective, chosen = run.master.solve_mip(mip_budget)
        if chosen and (objective is None or mip_objective < objective - TOLERANCE):
            roster, objective = run.roster(chosen), mip_objective
    mip_time = time.perf_counter() - t
    return ColumnsResult(
        roster,
        None if objective is None else round(objective),
        run.bound,
        root,
        run.converged,
        run.iterations,
        len(run.master.columns),
        run.pricing_time,
        run.master_time,
        mip_time,
    )


def _endgame_size(instance: Instance) -> int:
    """How many employees the first dive leaves to CP-SAT: 0 when CP-SAT could take them all (the dive then
    runs to its end, as on the smaller instances, where it does well)."""
    free = ENDGAME_CELLS // (instance.days * len(instance.shifts))
    return free if 0 < free < len(instance.employees) else 0


def _dives(
    run: _Generation, end: float, more_until: float, endgame: int = 0, endgame_time: float = 0.0, workers: int = 0
) -> tuple[Roster | None, float | None]:
    """Dive after dive, each with the next of ``DIVES``' fixing rules and every column the earlier ones
    priced, until the roster's penalty meets the bound: the first may take until ``end``, the others start
    before ``more_until``. The cheapest roster wins. A dive's end is sensitive to the columns it meets (on
    Instance 10 five dives in a row gave 4 753, 4 855, 4 631, 4 632 and 4 836), so several beat one. With an
    ``endgame``, the first dive stops with that many employees left, and CP-SAT schedules them in at most
    ``endgame_time``."""
    roster, objective = None, None
    if endgame:
        roster, objective = run.dive(end - endgame_time, *DIVES[1], free=endgame)  # a roster if the LP is whole
        if roster is None:
            roster, objective = run.endgame(min(end, time.perf_counter() + endgame_time), workers)
        run.release()
    stale = 0  # dives in a row that priced no new column and found nothing cheaper: a full turn repeats itself
    for k in itertools.count(1 if endgame else 0):
        if k and (time.perf_counter() >= more_until or run.proves(objective) or stale >= len(DIVES)):
            break
        columns = len(run.master.columns)
        if k:
            run.release()
            run.converge(more_until, max_rounds=DIVE_ROUNDS, beam=DIVE_LABELS)
        found, value = run.dive(end if k == 0 else more_until, *DIVES[k % len(DIVES)])
        stale += 1
        if found is not None and (objective is None or value < objective - TOLERANCE):
            roster, objective, stale = found, value, 0
        if len(run.master.columns) > columns:
            stale = 0
    run.release()
    return roster, objective


class _Generation:
    """The master and the pricing problems of one instance, with the time each takes."""

    def __init__(
        self,
        instance: Instance,
        rules: list[EmployeeRules],
        n_best: int,
        beam: int,
        exact: int,
        deadline: float,
        threads: int = 1,
    ):
        self.instance, self.rules = instance, rules
        self.threads = threads  # pricing problems solved side by side (the labeling kernel releases the GIL)
        self.n_best, self.beam, self.exact_labels = n_best, beam, exact
        self.master = _Master(instance)
        self.fixed: dict[int, int] = {}  # employee -> column index of the schedule the dive fixed
        self.bound, self.converged, self.iterations = -math.inf, False, 0
        self.pricing_time = self.master_time = 0.0
        # True when the first columns were not all priced: the deadline came first, or an employee has no
        # schedule within the full beam either (it may cut every label that would have lived; Instance 22's
        # employees lost all theirs at 50 000). CP-SAT then takes the instance (and proves it infeasible if so).
        self.gave_way = False
        t = time.perf_counter()
        zero = np.zeros((instance.days, len(instance.shifts)))
        guesses = (zero, *_weight_guesses(instance))
        for duals in guesses:  # first columns: the cheapest schedules at a few dual guesses
            for e, priced in self._price_all(duals, min(beam, FIRST_LABELS), deadline):
                if priced is None:
                    self.gave_way = True
                    break
                for schedule in priced[0]:
                    self.master.add(e, schedule, own_cost(rules[e], schedule))
            if self.gave_way:
                break
        for e in [] if self.gave_way else range(len(rules)):
            if not self.master.of_employee[e]:  # the narrow beam may have cut every label that would live
                self._offer(e, zero, beam)
            if not self.master.of_employee[e] or time.perf_counter() > deadline:
                self.gave_way = True
                break
        self.pricing_time += time.perf_counter() - t

    def _offer(self, employee: int, duals: np.ndarray, labels: int) -> None:
        """The employee's cheapest schedules at these duals, as columns of the master."""
        rules = self.rules[employee]
        for schedule in price(rules, duals, self.n_best, labels)[0]:
            self.master.add(employee, schedule, own_cost(rules, schedule))

    def converge(
        self, deadline: float, prove: bool = False, max_rounds: int | None = None, beam: int | None = None
    ) -> float | None:
        """Price until no column improves the LP (or the deadline); with ``prove``, every exact round's
        Lagrangian bound is kept. Returns the last LP value."""
        lp_value, exact_round, rounds = None, False, 0
        widest = beam or self.beam
        widths = [b for b in NARROW_LABELS if b < widest] + [widest]
        level = 0
        while time.perf_counter() < deadline and (max_rounds is None or rounds < max_rounds):
            rounds += 1
            self.iterations += 1
            lp_value, cells, conv = self._lp()
            t = time.perf_counter()
            labels = self.exact_labels if exact_round else widths[level]
            added, least, exact = 0, 0.0, True
            for e, priced in self._price_all(cells, labels, deadline):
                if priced is None:  # the deadline came first
                    exact = False
                    break
                schedules, costs, ex = priced
                exact &= ex
                if len(costs):
                    least += min(0.0, costs[0] - conv[e])
                for sched, c in zip(schedules, costs, strict=True):
                    if c - conv[e] < -TOLERANCE:
                        added += self.master.add(e, sched, own_cost(self.rules[e], sched))
            self.pricing_time += time.perf_counter() - t
            if prove and exact and not self.fixed and self.master.optimal:
                self.bound = max(self.bound, lp_value + least)
            if added == 0:
                if exact:
                    self.converged = self.converged or (prove and not self.fixed)
                    break
                if not exact_round and level + 1 < len(widths):
                    level += 1  # a wider beam before an exact round
                    continue
                if exact_round or not prove:
                    break  # no proof wanted, or the exact round's beam was cut too
                exact_round = True
            else:
                exact_round, level = False, 0
        return self._lp()[0]  # the LP over every column, so the dive reads its values

    def _price_all(self, cells: np.ndarray, labels: int, deadline: float):
        """(employee, pricing answer) for every employee not fixed, in employee order (so the columns and the
        LP do not depend on the threads' timing); None once the deadline has passed."""

        def one(e: int):
            if time.perf_counter() > deadline:
                return None
            return price(self.rules[e], cells, self.n_best, labels)

        todo = [e for e in range(len(self.rules)) if e not in self.fixed]
        if self.threads <= 1:
            for e in todo:
                yield e, one(e)
            return
        with ThreadPoolExecutor(self.threads) as pool:
            yield from zip(todo, pool.map(one, todo), strict=True)

    def _lp(self) -> tuple[float, np.ndarray, np.ndarray]:
        t = time.perf_counter()
        answer = self.master.solve_lp()
        self.master_time += time.perf_counter() - t
        return answer

    def proves(self, objective: float | None) -> bool:
        return proves(self.bound, objective)

    def dive(
        self, deadline: float, fix_at: float = 0.8, fix_share: float = 0.1, rounds: int = DIVE_ROUNDS, free: int = 0
    ) -> tuple[Roster | None, float | None]:
        """Fix the schedules the LP all but picks (or the most picked one), price again, until every
        employee has one: a roster of legal schedules, as good as the LP's guidance. With ``free``, stop
        when at most that many employees are left (no roster then: ``endgame`` finishes it)."""
        n_emp = len(self.rules)
        while time.perf_counter() < deadline:
            best = self._most_picked()
            if free and len(best) <= free:
                return None, None
            if all(v > 1 - TOLERANCE for v, _ in best.values()):
                for e, (_, j) in best.items():
                    self._fix(e, j)
                break
            picks = [(e, j) for e, (v, j) in best.items() if v >= fix_at]
            if not picks:  # the most picked schedules, a share of the employees left at a time
                ranked = sorted(best.items(), key=lambda item: -item[1][0])
                picks = [(e, j) for e, (_, j) in ranked[: max(1, math.ceil(fix_share * len(best)))]]
            if free:
                picks = picks[: len(best) - free]
            for e, j in picks:
                self._fix(e, j)
            # each fixing's pricing may take the time left in proportion to the employees it fixed, so that
            # the dive ends with a roster before the deadline however long its LPs take
            step = time.perf_counter() + (deadline - time.perf_counter()) * len(picks) / max(1, len(best) - free)
            self.converge(step, max_rounds=rounds, beam=DIVE_LABELS)
        if len(self.fixed) < n_emp:
            return None, None
        chosen = list(self.fixed.values())  # priced from the columns, not the LP (whose slacks may not be least)
        return self.roster(chosen), self.master.penalty(chosen)

    def _most_picked(self) -> dict[int, tuple[float, int]]:
        """Each employee not fixed: the LP value of their most picked schedule, and its column."""
        values = np.array(self.master.h.getSolution().col_value)[self.master.n_base :]
        best: dict[int, tuple[float, int]] = {}
        for j, (e, _) in enumerate(self.master.columns):
            if e not in self.fixed and (e not in best or values[j] > best[e][0]):
                best[e] = (values[j], j)
        return best

    def endgame(self, deadline: float, workers: int) -> tuple[Roster | None, float | None]:
        """CP-SAT schedules the employees the dive left, the fixed ones held, from the LP's most picked
        schedules, with the Lagrangian bound as its floor: a roster and its penalty, or none in the time."""
        chosen = list(self.fixed.values()) + [j for _, j in self._most_picked().values()]
        hint = self.roster(chosen)
        fixed = frozenset(self.instance.employees[e].name for e in self.fixed)
        floor = None if self.bound == -math.inf else integer_bound(self.bound)
        found = cpsat(self.instance, max(0.5, deadline - time.perf_counter()), workers, 0, floor, hint, 0.0, fixed)
        if found.roster is None:
            return None, None
        return found.roster, float(found.objective)

    def _fix(self, employee: int, column: int) -> None:
        """Give an employee that schedule: its column at 1, the employee's other columns at 0 (out of the
        simplex's pricing: on Instance 12 the LP after a fixing took 0.5-0.7 s and about 3 000 iterations, where
        with the column only held at 1 or more it took 1.0-1.6 s and 6 000-7 600)."""
        self.fixed[employee] = column
        base = self.master.n_base
        for j in self.master.of_employee[employee]:
            value = 1.0 if j == column else 0.0
            self.master.h.changeColBounds(base + j, value, value)

    def release(self) -> None:
        """Undo the dive's fixings, so the restricted MIP chooses among every column."""
        for e in self.fixed:
            for j in self.master.of_employee[e]:
                self.master.h.changeColBounds(self.master.n_base + j, 0.0, INF)
        self.fixed.clear()

    def roster(self, chosen: list[int]) -> Roster:
        """The roster of one chosen column per employee."""
        by_employee = dict(self.master.columns[j] for j in chosen)
        return roster_of(self.instance, [by_employee[e] for e in range(len(self.instance.employees))])


def _penalty_of(run: _Generation, schedules: list[np.ndarray]) -> float:
    """The penalty of a roster of one schedule per employee, every one of them a column of the master."""
    index = {(e, s.tobytes()): j for j, (e, s) in enumerate(run.master.columns)}
    return run.master.penalty([index[(e, s.tobytes())] for e, s in enumerate(schedules)])


def proves(bound: float, objective: float | None) -> bool:
    """Whether the bound proves a roster of this penalty optimal (penalties are integers)."""
    return objective is not None and bound > -math.inf and objective <= integer_bound(bound) + TOLERANCE


def _weight_guesses(instance: Instance) -> list[np.ndarray]:
    """Dual guesses for the first columns: every cover cell valued at its under weight, and at half of it, so
    each employee starts with schedules that work where cover is wanted."""
    under = np.zeros((instance.days, len(instance.shifts)))
    names = instance.shift_names
    for c in instance.cover:
        if c.requirement > 0:
            under[c.day, names.index(c.shift)] = c.weight_under
    return [under, under / 2]
