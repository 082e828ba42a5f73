"""Solve a Curtois-Qu instance: best responses for a first roster, column generation seeded with it (its
Lagrangian bound and a dived roster), best responses again on the cheapest roster, then CP-SAT warm-started
from it with the bound as a floor. Every roster returned is re-scored by the independent
evaluator."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import asdict, dataclass

from ortools.sat.python import cp_model

from scheduler.curtois.evaluate import Roster, evaluate
from scheduler.curtois.reader import Employee, Instance

METHODS = ("columns", "cpsat")
# The "columns" method's time, as shares of the time limit, each counted from the start: best responses build a
# first roster (at most RESPONSES_SHARE), the column generation runs until COLUMNS_SHARE, best responses polish
# the cheapest roster until POLISH_SHARE, and CP-SAT has the rest. Measured at 60 s (docs/benchmarks.md): with
# columns until 0.75 and CP-SAT after, Instance 8 reached 1 312 and 11 3 548; at 0.5, 1 498 and 3 444 (the dive
# needs the time on 8, CP-SAT on 11).
RESPONSES_SHARE = 0.1
COLUMNS_SHARE = 0.75
POLISH_SHARE = 0.85
CPSAT_CELLS = 300_000  # employees x days x shifts above which the columns method runs no CP-SAT (22: 182 000)
MIN_CPSAT = 0.5  # seconds CP-SAT searches at least, once its model is built
# Labels a best response keeps a day: a beam, as the responses need good schedules fast, not proven ones.
RESPONSE_LABELS = 200

STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass(frozen=True)
class Result:
    """Status, objective (None without a plan), proven bound, and times in seconds."""

    instance: str
    status: str
    objective: int | None
    bound: float
    time_to_first: float | None
    time_to_best: float | None
    wall_time: float
    roster: Roster | None
    log: str = ""  # the column generation's own figures, when it ran

    def is_feasible(self) -> bool:
        return self.objective is not None

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("roster")
        return data


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float) -> None:
        super().__init__()
        self.start = start
        self.first: float | None = None
        self.best: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.start
        if self.first is None:
            self.first = now
        self.best = now


def build(
    instance: Instance,
    lower_bound: int | None = None,
    hint: Roster | None = None,
    fixed: frozenset[str] = frozenset(),
) -> tuple[cp_model.CpModel, dict[tuple[str, int, str], cp_model.IntVar]]:
    """The model, one block per rule family; x[(employee, day, shift)] is 1 when that shift is worked.
    ``lower_bound`` (a proven bound from elsewhere) becomes a floor on the objective, which CP-SAT cannot
    find on its own on the larger instances. A ``hint`` roster hints every variable, the auxiliary ones too:
    CP-SAT dropped a hint of the shifts alone on the larger instances (Instance 12: 8 562 after 9 s from a
    roster of 4 475; with every variable hinted, 4 258-4 457 in five runs). The ``fixed`` employees keep their
    ``hint`` schedules: CP-SAT decides the others' only."""
    m = cp_model.CpModel()
    x = {
        (e.name, d, s.name): m.new_bool_var(f"works({e.name},{d},{s.name})")
        for e in instance.employees
        for d in range(instance.days)
        for s in instance.shifts
    }
    for e in instance.employees:
        _employee_rules(m, instance, e, x, hint[e.name] if hint is not None else None)
        if e.name in fixed:
            for d, worked in enumerate(hint[e.name]):
                for s in instance.shifts:
                    m.add(x[e.name, d, s.name] == int(worked == s.name))
    staffed = Counter((d, s) for days in hint.values() for d, s in enumerate(days) if s) if hint is not None else None
    penalty: list = []
    for r in instance.on_requests:
        penalty.append(r.weight * (1 - x[r.employee, r.day, r.shift]))
    for r in instance.off_requests:
        penalty.append(r.weight * x[r.employee, r.day, r.shift])
    n_emp = len(instance.employees)
    for c in instance.cover:
        under = m.new_int_var(0, c.requirement, f"under({c.day},{c.shift})")
        over = m.new_int_var(0, n_emp, f"over({c.day},{c.shift})")
        m.add(sum(x[e.name, c.day, c.shift] for e in instance.employees) - c.requirement == over - under)
        penalty.append(c.weight_under * under + c.weight_over * over)
        if staffed is not None:
            m.add_hint(under, max(0, c.requirement - staffed[c.day, c.shift]))
            m.add_hint(over, max(0, staffed[c.day, c.shift] - c.requirement))
    if lower_bound is not None:
        m.add(sum(penalty) >= lower_bound)
    m.minimize(sum(penalty))
    return m, x


def _employee_rules(
    m: cp_model.CpModel, instance: Instance, e: Employee, x: dict, hint: tuple[str | None, ...] | None
) -> None:
    """One employee's hard rules: a shift a day at most, days off, rotation, shift caps, minutes, runs of
    days on and off, weekends; with the employee's ``hint`` schedule, every one of their variables hinted."""
    H, shifts = instance.days, instance.shifts
    w = []
    for d in range(H):
        wd = m.new_bool_var(f"works({e.name},{d})")
        m.add(sum(x[e.name, d, s.name] for s in shifts) == wd)  # one shift a day
        w.append(wd)
        if hint is not None:
            m.add_hint(wd, int(hint[d] is not None))
            for s in shifts:
                m.add_hint(x[e.name, d, s.name], int(hint[d] == s.name))
    for d in e.days_off:
        m.add(w[d] == 0)
    for s in shifts:  # rotation: nothing carries across the horizon edges
        for t in s.forbidden_next:
            for d in range(H - 1):
                m.add_bool_or([x[e.name, d, s.name].Not(), x[e.name, d + 1, t].Not()])
        m.add(sum(x[e.name, d, s.name] for d in range(H)) <= e.max_shifts[s.name])
    total = sum(s.minutes * x[e.name, d, s.name] for d in range(H) for s in shifts)
    m.add(total <= e.max_minutes)
    m.add(total >= e.min_minutes)
    k = e.max_consecutive
    for d in range(H - k):  # every window of max+1 days has a day off
        m.add(sum(w[d : d + k + 1]) <= k)
    # minimum runs only when bounded by a day off on both sides inside the horizon
    for length in range(1, e.min_consecutive):
        for d in range(1, H - length):
            m.add_bool_or([w[d - 1], w[d + length]] + [w[i].Not() for i in range(d, d + length)])
    for length in range(1, e.min_days_off):
        for d in range(1, H - length):
            m.add_bool_or([w[d - 1].Not(), w[d + length].Not()] + [w[i] for i in range(d, d + length)])
    weekends = []
    for k7 in range(instance.weekends):
        we = m.new_bool_var(f"weekend({e.name},{k7})")
        m.add_max_equality(we, [w[7 * k7 + 5], w[7 * k7 + 6]])
        weekends.append(we)
        if hint is not None:
            m.add_hint(we, int(hint[7 * k7 + 5] is not None or hint[7 * k7 + 6] is not None))
    m.add(sum(weekends) <= e.max_weekends)


def solve(
    instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0, method: str = "columns"
) -> Result:
    """The best roster within the limit; its objective is the evaluator's penalty, its bound the higher of
    the column generation's and CP-SAT's."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    start = time.perf_counter()
    found: list[tuple[int, float, Roster]] = []  # (penalty, seconds since start, roster)
    bound, log = -math.inf, ""
    # CP-SAT's model of the largest instances takes longer to build than the time it would have (Instance 23:
    # 582 400 cells, 92 s for a 60 s limit): best responses keep its time there
    with_cpsat = method == "cpsat" or len(instance.employees) * instance.days * len(instance.shifts) <= CPSAT_CELLS
    if method == "columns":
        found, bound, log = _columns(instance, time_limit, workers, seed, start, POLISH_SHARE if with_cpsat else 1.0)
    floor = None if bound == -math.inf else integer_bound(bound)
    cheapest = min(found, key=lambda f: (f[0], f[1]), default=None)
    if cheapest is not None and floor is not None and cheapest[0] <= floor:
        penalty, when, roster = cheapest
        first = min(f[1] for f in found)  # the first roster's time, not the proven one's
        return Result(instance.name, "OPTIMAL", penalty, penalty, first, when, time.perf_counter() - start, roster, log)
    left = time_limit - (time.perf_counter() - start)
    if with_cpsat:
        cp = cpsat(instance, max(1.0, left), workers, seed, floor, cheapest[2] if cheapest else None, start)
    else:
        cp = Result(instance.name, "UNKNOWN", None, -math.inf, None, None, 0.0, None)
    if cp.roster is not None:
        found.append((cp.objective, cp.time_to_best, cp.roster))
    if cp.status == "INFEASIBLE" and not found:
        return Result(instance.name, "INFEASIBLE", None, math.inf, None, None, time.perf_counter() - start, None, log)
    best_bound = max(bound, cp.bound, 0.0)  # every weight is non-negative: no roster costs less than 0
    wall = time.perf_counter() - start
    if not found:
        return Result(instance.name, "UNKNOWN", None, best_bound, None, None, wall, None, log)
    penalty, when, roster = min(found, key=lambda f: (f[0], f[1]))
    first = min(f[1] for f in found)
    status = "OPTIMAL" if cp.status == "OPTIMAL" or penalty <= integer_bound(best_bound) else "FEASIBLE"
    if status == "OPTIMAL":
        best_bound = penalty
    return Result(instance.name, status, penalty, best_bound, first, when, wall, roster, log)


def _columns(
    instance: Instance, time_limit: float, workers: int, seed: int, start: float, polish_until: float
) -> tuple[list[tuple[int, float, Roster]], float, str]:
    """Best responses for a first roster, the column generation seeded with it, best responses again on the
    cheapest roster until ``polish_until`` of the time: the rosters found (penalty, when, roster), the column
    generation's bound and its log."""
    from scheduler.curtois.columns import ColumnsResult, generate
    from scheduler.curtois.descent import Responses
    from scheduler.curtois.labeling import KEY_LIMIT, employee_rules

    rules = [employee_rules(instance, e) for e in instance.employees]
    found: list[tuple[int, float, Roster]] = []
    responses = Responses(instance, rules, RESPONSE_LABELS, seed)
    # a whole roster is a plan even before it is a local optimum (Instances 20-23 reach one late)
    responses.descend(start + RESPONSES_SHARE * time_limit)
    first = responses.complete
    if first:
        roster = responses.roster()
        found.append((_checked(instance, roster, responses.penalty()), time.perf_counter() - start, roster))
    if all(r.key_space <= KEY_LIMIT for r in rules):
        columns = generate(
            instance,
            start + COLUMNS_SHARE * time_limit - time.perf_counter(),
            start=list(responses.schedules) if first else None,
            rules=rules,
            workers=workers,
        )
    else:  # the exact labeling cannot hold these employees' states: best responses (caps repaired) alone
        columns = ColumnsResult.nothing()
    if columns.roster is not None:
        found.append(
            (_checked(instance, columns.roster, columns.objective), time.perf_counter() - start, columns.roster)
        )
    if not columns.proves(min((f[0] for f in found), default=None)):
        if found:
            responses.load(min(found, key=lambda f: f[0])[2])
        responses.improve(start + polish_until * time_limit)
        if responses.complete:
            roster = responses.roster()
            found.append((_checked(instance, roster, responses.penalty()), time.perf_counter() - start, roster))
    log = f"{columns.log()}; best responses: {responses.responses}"
    return found, columns.bound, log


def integer_bound(bound: float) -> int:
    """Penalties are integers: a bound of 557.2 proves 558."""
    return math.ceil(bound - 1e-6)


def _checked(instance: Instance, roster: Roster, objective: float | None, exact: bool = True) -> int:
    """The evaluator's penalty of a roster, which must be legal and equal the solver's own objective. Not
    ``exact``: a solution CP-SAT did not prove optimal may staff a cell both under and over in its slacks
    (seen on Instance 13: 12 684 for a roster worth 12 482), so its objective need only not be below."""
    verdict = evaluate(instance, roster)
    if objective is None:
        wrong = False
    else:
        wrong = verdict.penalty != round(objective) if exact else verdict.penalty > round(objective)
    if verdict.violations or wrong:
        raise AssertionError(
            f"{instance.name}: evaluator {verdict.penalty} {verdict.violations[:3]} disagrees with the solver "
            f"{objective}"
        )
    return verdict.penalty


def cpsat(
    instance: Instance,
    time_limit: float,
    workers: int,
    seed: int,
    floor: int | None,
    hint: Roster | None,
    start: float,
    fixed: frozenset[str] = frozenset(),
) -> Result:
    """CP-SAT on the instance, from the hint's roster when there is one, the ``fixed`` employees held to it.
    Building the model counts in its time (Instance 22 ended 8 s past its limit before)."""
    deadline = time.perf_counter() + time_limit
    model, x = build(instance, floor, hint, fixed)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(MIN_CPSAT, deadline - time.perf_counter())
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if workers >= 2:  # the LP workers prove the bound (DESIGN.md: they matter more than the worker count)
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    progress = _Progress(start)
    code = solver.solve(model, progress)
    status = STATUS[code]
    wall = time.perf_counter() - start
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = float("inf") if code == cp_model.INFEASIBLE and floor is None else solver.best_objective_bound
        return Result(instance.name, status, None, bound, None, None, wall, None)
    roster: Roster = {
        e.name: tuple(
            next((s.name for s in instance.shifts if solver.value(x[e.name, d, s.name])), None)
            for d in range(instance.days)
        )
        for e in instance.employees
    }
    penalty = _checked(instance, roster, solver.objective_value, exact=code == cp_model.OPTIMAL)
    return Result(
        instance.name, status, penalty, solver.best_objective_bound, progress.first, progress.best, wall, roster
    )
