"""CP-SAT runs shared by the strategies: solver settings, a run's record, hints, and a run turned into a
candidate plan."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.model.build import Handles, build_model
from scheduler.model.data import ModelData
from scheduler.model.extract import Assignment, night_workers_of, plan_tables, read_person_solution
from scheduler.plan import StageReport
from scheduler.strategies import Candidate, Progress, gap_of

if TYPE_CHECKING:
    from scheduler.solve import SolveParams

UNMET_WEIGHT = 100  # how much dearer unmet need is than its scenario price when the user did not allow it
AGGREGATE_ONLY = ("agency hours", "agency fee", "shortfall")  # cost terms the assignment stage leaves out

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


def configure(solver: cp_model.CpSolver, params: SolveParams, time_limit: float) -> None:
    """Set options through ``solver.parameters`` (attributes on the solver itself are silently ignored)."""
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, time_limit)
    p.num_workers = params.workers
    p.random_seed = params.seed
    p.log_search_progress = params.log
    p.catch_sigint_signal = False  # Ctrl-C is ours: the CLI stops the search and keeps the best plan
    if params.workers == 1:
        p.linearization_level = 2  # the single worker behaves like max_lp
    elif params.subsolvers is not None:
        p.subsolvers.extend(params.subsolvers)
    else:
        # Measured here (1-week crew model, 2 workers): the default portfolio (default_lp) stalls at an
        # 84 % gap after 10 s; with max_lp as the full-problem worker it is proven optimal in 0.2 s.
        # One worker goes to LNS and first solutions, the rest run these full-problem searches in order.
        p.subsolvers.extend(FULL_SUBSOLVERS)


FULL_SUBSOLVERS = ("max_lp", "default_lp", "quick_restart", "reduced_costs", "pseudo_costs", "core", "no_lp")


class Watch(cp_model.CpSolverSolutionCallback):
    """Records when the first and the best solution arrived; stops the search on request."""

    def __init__(self, started: float, stop: threading.Event | None) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None
        self.best: float | None = None
        self.stop = stop

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.started
        if self.first is None:
            self.first = now
        self.best = now
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


@dataclass
class Run:
    name: str
    status: str
    solver: cp_model.CpSolver
    handles: Handles
    objective: int | None
    bound: float | None
    wall: float
    first: float | None
    best: float | None
    people: Assignment | None = None  # a crew-level run of the greedy's plan: that plan, person by person
    # That plan's real cost (its roster's lines): the crew level prices it lower, blind to per-person overtime.
    people_cents: int | None = None

    def report(self) -> StageReport:
        proto = self.handles.model.proto
        return StageReport(
            name=self.name,
            status=self.status,
            objective=None if self.objective is None else (self.people_cents or self.objective) / 100,
            # A fixed greedy plan's bound is its crew-level price: nothing proven, so none is shown.
            bound=None if self.bound is None or self.people_cents is not None else self.bound / 100,
            wall_time=round(self.wall, 3),
            variables=len(proto.variables),
            constraints=len(proto.constraints),
        )

    def component(self, name: str) -> int:
        terms = self.handles.costs.get(name, [])
        return int(self.solver.value(sum(terms))) if terms else 0


def run_model(
    name: str,
    h: Handles,
    params: SolveParams,
    time_limit: float,
    started: float,
    stop: threading.Event | None,
    progress: Progress | None,
    gap_limit: float = 0.0,
    fix_hint: bool = False,
) -> Run:
    solver = cp_model.CpSolver()
    configure(solver, params, time_limit)
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.fix_variables_to_their_hinted_value = fix_hint
    if h.level == "person":
        # Measured on the tourism week: full probing spends the whole budget in presolve (8.9 s before
        # the first plan); without it the hinted plan is in hand after 1.3 s.
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.max_presolve_iterations = 1
    if len(h.model.proto.solution_hint.vars) == len(h.model.proto.variables):
        # Measured on the retailer: presolve otherwise turned a complete, feasible hint infeasible ("we will
        # try to repair it") and the search lost the plan it started from.
        solver.parameters.keep_all_feasible_solutions_in_presolve = True
    watch = Watch(started, stop)
    t0 = time.perf_counter()
    solved = not (stop is not None and stop.is_set())
    if not solved:
        status = cp_model.UNKNOWN
    else:
        holder = StopHolder.current
        holder.attach(solver)
        try:
            status = solver.solve(h.model, watch)
        finally:
            holder.detach()
    wall = time.perf_counter() - t0
    status_name = STATUS_NAMES[status]
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    objective = round(solver.objective_value) if has_solution else None
    bound = (
        solver.best_objective_bound if solved and status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID) else None
    )
    run = Run(name, status_name, solver, h, objective, bound, wall, watch.first, watch.best)
    if progress:
        progress(describe(run))
    return run


def unproven(run: Run) -> Run:
    """A run's plan without its bound or proof: for a plan whose bound says nothing about the problem."""
    return replace(run, status="FEASIBLE" if run.objective is not None else "UNKNOWN", bound=None)


def as_hinted(name: str, h: Handles, params: SolveParams, time_limit: float, started: float, progress) -> Run:
    """The plan a model is hinted with, priced as it stands (its decisions fixed, so its bound is its cost)."""
    return unproven(run_model(name, h, params, time_limit, started, None, progress, fix_hint=True))


def describe(run: Run) -> str:
    parts = [f"[{run.name}] {run.status} in {run.wall:.1f} s"]
    if run.people_cents is not None:  # a greedy plan: its cost is its roster's, the crew level's price a check
        parts.append(
            f"cost {run.people_cents / 100:,.2f} (its roster's lines; crew-level price {run.objective / 100:,.2f})"
        )
    elif run.objective is not None:
        parts.append(f"cost {run.objective / 100:,.2f}")
    if run.bound is not None and run.objective is not None and run.people_cents is None:
        gap = gap_of(run.objective, run.bound)
        parts.append(f"bound {run.bound / 100:,.2f} (gap {gap:.2%})")
    proto = run.handles.model.proto
    parts.append(f"{len(proto.variables):,} variables, {len(proto.constraints):,} constraints")
    return ", ".join(parts)


class StopHolder:
    """The solver currently running, so an interrupt (Ctrl-C) can stop it from the signal handler."""

    current: StopHolder

    def __init__(self) -> None:
        self._solver: cp_model.CpSolver | None = None
        self._lock = threading.Lock()

    def attach(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self._solver = solver

    def detach(self) -> None:
        with self._lock:
            self._solver = None

    def stop(self) -> None:
        with self._lock:
            if self._solver is not None:
                self._solver.stop_search()


StopHolder.current = StopHolder()


def stop_running_solver() -> None:
    """Ask the running CP-SAT search to stop and return its best plan (used by the CLI on Ctrl-C)."""
    StopHolder.current.stop()


def crew_model(data: ModelData, allow_shortfall: bool) -> Handles:
    """The crew-level relaxation, unmet need priced in it (dear when the user did not allow it)."""
    return build_model(data, "crew", allow_shortfall=True, shortfall_weight=1 if allow_shortfall else UNMET_WEIGHT)


def hint_all(h: Handles, run: Run) -> None:
    """Hint every variable of a model with a run's values (same model, or a clone with the same variables)."""
    h.model.clear_hints()
    for i in range(len(h.model.proto.variables)):
        var = h.model.get_int_var_from_proto_index(i)
        h.model.add_hint(var, run.solver.value(var))


def complete_hint(h: Handles, params: SolveParams, time_limit: float) -> bool:
    """Turn a hint on the decisions (shifts, hires, bookings) into a hint on every variable, by solving
    with the decisions fixed; CP-SAT then starts from a full incumbent instead of an empty search."""
    if time_limit <= 0.05 or not h.model.proto.solution_hint.vars:
        return False
    solver = cp_model.CpSolver()
    configure(solver, params, time_limit)
    solver.parameters.fix_variables_to_their_hinted_value = True
    status = solver.solve(h.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    values = [solver.value(h.model.get_int_var_from_proto_index(i)) for i in range(len(h.model.proto.variables))]
    h.model.clear_hints()
    for i, v in enumerate(values):
        h.model.add_hint(h.model.get_int_var_from_proto_index(i), v)
    return True


def copy_decisions(source: Run, target: Handles) -> None:
    """Hint a model with another run's shift counts, hires and bookings (same units)."""
    value = source.solver.value
    for u, take in enumerate(target.take):
        for i, var in take.items():
            old = source.handles.take[u].get(i)
            target.model.add_hint(var, int(value(old)) if old is not None else 0)
        if not isinstance(target.active[u], int):
            target.model.add_hint(target.active[u], int(value(source.handles.active[u])))
    for name, blocks in target.agency.items():
        for b, var in blocks.items():
            target.model.add_hint(var, int(value(source.handles.agency[name][b])))


def merge(person: Assignment, aggregate: Run) -> Assignment:
    """Person-level shifts from the assignment stage with the aggregate's agency and allocation."""
    h = aggregate.handles
    value = aggregate.solver.value
    return replace(
        person,
        agency={name: {b: int(value(v)) for b, v in blocks.items() if value(v)} for name, blocks in h.agency.items()},
        alloc_capacity={k: int(value(v)) for k, v in h.alloc_capacity.items() if value(v)},
        shortfall={k: int(value(v)) for k, v in h.shortfall.items() if value(v)},
    )


def candidate_of(
    data: ModelData, runs: list[Run], *, best: Run, bound: float | None, aggregate: Run | None = None
) -> Candidate:
    """The candidate plan of a strategy's best CP-SAT run, its cost recomputed from the roster's lines."""
    stages = tuple(r.report() for r in runs)
    first = next((r.first for r in runs if r.first is not None and r.name != "aggregate"), None)
    if best.people is not None:  # the greedy's plan, priced at the crew level: only its lines give its cost
        assignment = best.people
        tables = plan_tables(data, assignment)
        expected = tables.total_cents
    else:
        assignment = read_person_solution(best.handles, best.solver.value)
        if aggregate is not None and best.name == "assign":
            assignment = merge(assignment, aggregate)
        tables = plan_tables(data, assignment)
        expected = best.objective
    if best.name == "assign" and aggregate is not None:
        expected += sum(aggregate.component(c) for c in AGGREGATE_ONLY)
    check_cost(tables.total_cents, expected, exact=best.status == "OPTIMAL")
    proven = best.name == "direct" and best.status == "OPTIMAL"
    return Candidate(
        "OPTIMAL" if proven else "FEASIBLE", tables, assignment, bound, stages, first, best.best, best.name, proven
    )


def check_cost(lines: float, objective: float, *, exact: bool = False) -> None:
    """A plan's cost lines (recomputed from its roster) against the model's objective, both in cents.

    Overtime and the agency fee are bounded from below in the model (minimising makes them exact), so a plan
    found before the search settled may carry slack there: the lines are then the lower and true cost (seen
    once on the retailer: 88.94 EUR of slack). Lines above the objective would be a cost the model does not
    see: a bug, as is any difference in a proven optimum (``exact``)."""
    if lines > objective + 0.5 or (exact and abs(lines - objective) > 0.5):
        raise RuntimeError(
            f"cost mismatch: the plan's lines add up to {lines / 100:.2f} but the model's objective "
            f"is {objective / 100:.2f}; this is a bug in the model or in the cost lines"
        )


def no_candidate(runs: list[Run], status: str, bound: float | None) -> Candidate:
    """No plan from a strategy: proven infeasible, none in time, or an invalid model (a bug, named)."""
    message = ""
    if status == "MODEL_INVALID":
        bad = next(r for r in runs if r.status == "MODEL_INVALID")
        message = f"The model is invalid (a bug): {bad.handles.model.validate()}"
    elif status != "INFEASIBLE":
        status = "UNKNOWN"
    bound = None if status in ("INFEASIBLE", "MODEL_INVALID") else bound
    return Candidate(status, None, None, bound, tuple(r.report() for r in runs), None, None, "", message=message)


# -------------------------------------------------------------------------------------------- hints
def add_person_hint(h: Handles, a: Assignment) -> None:
    for u, unit in enumerate(h.units):
        w = unit.workers[0]
        taken = set(a.shifts.get(w, ()))
        for i, var in h.take[u].items():
            h.model.add_hint(var, int(i in taken))
        if unit.hire:
            h.model.add_hint(h.active[u], int(w in a.hired))
    for name, blocks in h.agency.items():
        booked = a.agency.get(name, {})
        for b, var in blocks.items():
            h.model.add_hint(var, booked.get(b, 0))


def add_crew_hint(h: Handles, data: ModelData, a: Assignment) -> None:
    night = night_workers_of(data, a)
    for u, unit in enumerate(h.units):
        members = [w for w in unit.workers if unit.night is None or (w in night) == unit.night]
        counts: dict[int, int] = {}
        for w in members:
            for i in a.shifts.get(w, ()):
                counts[i] = counts.get(i, 0) + 1
        for i, var in h.take[u].items():
            h.model.add_hint(var, counts.get(i, 0))
        if not isinstance(h.active[u], int):
            on_payroll = [w for w in members if not data.workers[w].hire or w in a.hired]
            h.model.add_hint(h.active[u], len(on_payroll))
    for name, blocks in h.agency.items():
        booked = a.agency.get(name, {})
        for b, var in blocks.items():
            h.model.add_hint(var, booked.get(b, 0))
