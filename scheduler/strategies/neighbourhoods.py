"""Large neighbourhood search at the person level: keep most of the best plan, free a part of it, and let
CP-SAT find the cheapest plan of that part; repeat until the time is up.

A neighbourhood frees either a few people over the whole horizon (their shifts and, for hire slots, whether
they are hired) or every person over a few consecutive days; everything else keeps the plan's value. Agency
bookings, capacity drawn and unmet need stay free, so that a freed part can trade hours with the agency. Each
neighbourhood is a copy of one person-level model with the fixed variables' domains set to their value and
the plan as a complete hint: it is legal from its first second (the plan itself), so a part is either
improved or left as it was. A neighbourhood solved to optimality in a third of its time grows by one person
or day; one that is not shrinks, so the parts stay the size CP-SAT solves in about a second.

It gives plans, not bounds (a neighbourhood's bound says nothing about the whole problem). It starts from any
plan, one that leaves needs unmet included: unmet need the user did not allow is priced at ``UNMET_WEIGHT``
times its price, so the search covers it first.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.model.build import Handles, build_model
from scheduler.model.extract import plan_tables, read_person_solution
from scheduler.plan import StageReport
from scheduler.strategies import Candidate, Incumbent, Problem, euros
from scheduler.strategies.cpsat import (
    UNMET_WEIGHT,
    StopHolder,
    add_person_hint,
    check_cost,
    complete_hint,
    configure,
)

# Seconds per neighbourhood. Measured on ladder S (2026-12-07, 2 workers, the machine shared): parts of 2-3
# people or 1-2 days took 0.2-3 s, most of it CP-SAT's presolve of the copy (0.2 s) and proving the part.
PART_LIMIT = 1.5
FIRST_PEOPLE = 3  # people freed by the first neighbourhood of that kind
FIRST_DAYS = 1  # days freed by the first neighbourhood of that kind
GROW_WITHIN = 1 / 3  # of PART_LIMIT: a part proven optimal within it grows by one
HINT_SHARE = 0.2  # of the budget, at most HINT_MAX seconds: completing the starting plan into a full hint
HINT_MAX = 5.0


@dataclass
class _Search:
    """The best plan as one value per model variable, with its objective (cents, unmet need priced)."""

    h: Handles
    values: list[int]
    objective: float
    people: int = FIRST_PEOPLE
    days: int = FIRST_DAYS
    parts: int = 0
    improved: int = 0


def neighbourhood_search(problem: Problem, budget: float, incumbent: Incumbent) -> Candidate:
    """The cheapest plan the neighbourhoods of the incumbent lead to within ``budget`` seconds."""
    started = time.perf_counter()
    deadline = started + budget
    data, progress = problem.data, problem.progress
    params = replace(problem.params, time_limit=budget)
    weight = 1 if problem.allow_shortfall else UNMET_WEIGHT
    h = build_model(data, "person", allow_shortfall=True, shortfall_weight=weight)
    add_person_hint(h, incumbent.assignment)
    proto = h.model.proto
    if not complete_hint(h, params, min(HINT_MAX, HINT_SHARE * budget)) or len(proto.solution_hint.vars) != len(
        proto.variables
    ):
        return _nothing(h, started)  # the starting plan could not be completed into a hint in time
    hinted = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    values = [hinted[i] for i in range(len(proto.variables))]
    search = _Search(h, values, _objective(proto, values))
    first_objective = search.objective
    rng = random.Random(params.seed)
    best_at: float | None = None
    while time.perf_counter() < deadline - 0.2 and not problem.stopped():
        kind = "people" if search.parts % 2 == 0 else "days"
        fixed = _fixed_by_people(h, rng, search.people) if kind == "people" else _fixed_by_days(h, rng, search.days)
        limit = min(PART_LIMIT, deadline - time.perf_counter())
        status, wall, found = _solve_part(search, fixed, params, limit)
        search.parts += 1
        objective = _objective(proto, found) if found is not None else math.inf
        if objective < search.objective - 0.5:
            search.values, search.objective = found, objective
            search.improved += 1
            best_at = time.perf_counter() - started
            if progress:
                progress(f"[neighbourhoods] {search.objective / 100:,.2f} after {search.parts} parts ({kind})")
        quick = status == cp_model.OPTIMAL and wall < GROW_WITHIN * PART_LIMIT
        grow = 1 if quick else (0 if status == cp_model.OPTIMAL else -1)
        if kind == "people":
            search.people = min(len(h.units), max(1, search.people + grow))
        else:
            search.days = min(data.scenario.grid.days, max(1, search.days + grow))
    values = search.values
    assignment = read_person_solution(h, lambda var: values[var.index])
    tables = plan_tables(data, assignment)
    report = _report(h, started, "FEASIBLE", euros(tables.total_cents))
    if progress:
        progress(
            f"[neighbourhoods] {search.parts} parts, {search.improved} better, {first_objective / 100:,.2f} -> "
            f"{search.objective / 100:,.2f} in {report.wall_time:.1f} s"
        )
    check_cost(tables.total_cents, search.objective)
    if assignment.shortfall and not problem.allow_shortfall:
        return Candidate("UNKNOWN", None, None, None, (report,), None, None, "neighbourhoods")
    return Candidate("FEASIBLE", tables, assignment, None, (report,), 0.0, best_at or 0.0, "neighbourhoods")


def _objective(proto, values: list[int]) -> float:
    """The model's objective at these values (cents)."""
    objective = proto.objective
    total = sum(c * values[v] for v, c in zip(objective.vars, objective.coeffs, strict=True)) + objective.offset
    return total * (objective.scaling_factor or 1.0)


def _fixed_by_people(h: Handles, rng: random.Random, size: int) -> list[int]:
    """Variables fixed when ``size`` people, picked at random, are free: every other person's shifts and hire."""
    free = set(rng.sample(range(len(h.units)), min(size, len(h.units))))
    fixed = []
    for u in range(len(h.units)):
        if u in free:
            continue
        fixed += [var.index for var in h.take[u].values()]
        if not isinstance(h.active[u], int):
            fixed.append(h.active[u].index)
    return fixed


def _fixed_by_days(h: Handles, rng: random.Random, size: int) -> list[int]:
    """Variables fixed when every person is free over ``size`` consecutive days from a random one: the
    shifts of the other days, and the hires (whose pay runs over the whole horizon)."""
    days = h.data.scenario.grid.days
    size = min(size, days)
    first = rng.randrange(days - size + 1)
    fixed = []
    for u in range(len(h.units)):
        shifts = h.shifts_of(u)
        fixed += [var.index for i, var in h.take[u].items() if not first <= shifts[i].day < first + size]
        if not isinstance(h.active[u], int):
            fixed.append(h.active[u].index)
    return fixed


def _solve_part(search: _Search, fixed: list[int], params, limit: float) -> tuple[int, float, list[int] | None]:
    """Solve the model with ``fixed`` variables at their value, hinted with the plan: its status, wall time
    and values (None without a solution)."""
    part = search.h.model.clone()
    variables = part.proto.variables
    for index in fixed:
        domain = variables[index].domain
        domain.clear()
        domain.extend([search.values[index], search.values[index]])
    hint = part.proto.solution_hint
    hint.vars.clear()
    hint.vars.extend(range(len(variables)))
    hint.values.clear()
    hint.values.extend(search.values)
    solver = cp_model.CpSolver()
    configure(solver, params, limit)
    solver.parameters.cp_model_probing_level = 0  # as for every person-level model (scheduler.strategies.cpsat)
    holder = StopHolder.current
    holder.attach(solver)
    try:
        status = solver.solve(part)
    finally:
        holder.detach()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, solver.wall_time, None
    return status, solver.wall_time, [int(v) for v in solver.response_proto.solution]


def _report(h: Handles, started: float, status: str, objective: float | None) -> StageReport:
    proto = h.model.proto
    wall = round(time.perf_counter() - started, 3)
    return StageReport("neighbourhoods", status, objective, None, wall, len(proto.variables), len(proto.constraints))


def _nothing(h: Handles, started: float) -> Candidate:
    report = _report(h, started, "UNKNOWN", None)
    return Candidate("UNKNOWN", None, None, None, (report,), None, None, "neighbourhoods")
