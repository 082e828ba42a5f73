"""``solve(scenario, params) -> Plan``: the cheapest legal plan, with a proven bound and its gap.

The solve runs in up to three stages, each a CP-SAT model from ``scheduler.model``:

1. **aggregate** (crew level): how many of each crew take each shift, hires per role, agency bookings.
   It is a relaxation of the real problem, so its best bound is a valid bound for the final plan.
2. **assign** (person level, counts fixed): give the aggregate's shifts to named people under every
   per-person rule (rest, weekly rest, night workers...), more hires allowed. Costs other than overtime are
   already fixed. A shift nobody may take is priced, not dropped in silence; the plan is then priced with
   its short slots, completed greedily, and mended in small person-level neighbourhoods around them.
3. **improve** (person level, everything free), hinted with the best plan so far, when the gap is still
   above ``gap_limit`` or the assignment failed; its own bound also counts.

A small problem (few shift variables in all) skips the stages: the person-level model is solved directly,
hinted with the greedy plan, and the crew level's LP relaxation only adds its bound. Otherwise the greedy
plan, when it covers every need, is a plan from the first seconds, priced at the crew level; so are the
greedy's completions of crew plans. The cheapest of these and of the stages' plans is returned. Above
``PRICE_SHIFT_LIMIT`` shift variables no person-level model is built: the greedy gives the crew plan's
shifts to people.

The plan's cost is recomputed from the roster and compared with the solver's objective (never above it).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.engine.colgen import solve_by_columns
from scheduler.model.build import Handles, build_model
from scheduler.model.data import ModelData, compile_model_data
from scheduler.model.extract import (
    Assignment,
    PlanTables,
    night_workers_of,
    plan_tables,
    read_crew_counts,
    read_person_solution,
)
from scheduler.model.greedy import disaggregate, greedy_plan, repair
from scheduler.model.lp import lp_bound, lp_relaxation, rens_model
from scheduler.plan import STAGES, Plan, SolverStats, StageReport
from scheduler.requirements import compute_requirements
from scheduler.scenario import Scenario

Progress = Callable[[str], None]

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


@dataclass(frozen=True)
class SolveParams:
    """Solver settings. ``workers=1`` with a seed gives the same plan on every run."""

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    gap_limit: float = 0.001
    log: bool = False
    subsolvers: tuple[str, ...] | None = None  # None: max_lp first (see configure)
    allow_shortfall: bool | None = None  # None: the scenario's shortfall.allowed
    # "staged" (aggregate, assign, improve), "direct" (person level only), "colgen" (column generation over
    # per-person schedules, scheduler.engine), or "auto": direct for small problems, staged otherwise
    stages: str = "auto"
    explain: bool = True  # name the conflicting rules when no legal plan exists
    explain_time: float = 20.0  # seconds for that, on top of the time limit

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError("time_limit must be > 0")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.stages not in STAGES:
            raise ValueError(f"stages must be one of {', '.join(STAGES)}")


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


class _Watch(cp_model.CpSolverSolutionCallback):
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
class _Run:
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

    def report(self) -> StageReport:
        proto = self.handles.model.proto
        return StageReport(
            name=self.name,
            status=self.status,
            objective=None if self.objective is None else self.objective / 100,
            bound=None if self.bound is None else self.bound / 100,
            wall_time=round(self.wall, 3),
            variables=len(proto.variables),
            constraints=len(proto.constraints),
        )

    def component(self, name: str) -> int:
        terms = self.handles.costs.get(name, [])
        return int(self.solver.value(sum(terms))) if terms else 0


def _run(
    name: str,
    h: Handles,
    params: SolveParams,
    time_limit: float,
    started: float,
    stop: threading.Event | None,
    progress: Progress | None,
    gap_limit: float = 0.0,
    fix_hint: bool = False,
) -> _Run:
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
    watch = _Watch(started, stop)
    t0 = time.perf_counter()
    solved = not (stop is not None and stop.is_set())
    if not solved:
        status = cp_model.UNKNOWN
    else:
        holder = _StopHolder.current
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
    run = _Run(name, status_name, solver, h, objective, bound, wall, watch.first, watch.best)
    if progress:
        progress(_describe(run))
    return run


def _unproven(run: _Run) -> _Run:
    """A run's plan without its bound or proof: for a plan whose bound says nothing about the problem."""
    return replace(run, status="FEASIBLE" if run.objective is not None else "UNKNOWN", bound=None)


def _as_hinted(name: str, h: Handles, params: SolveParams, time_limit: float, started: float, progress) -> _Run:
    """The plan a model is hinted with, priced as it stands (its decisions fixed, so its bound is its cost)."""
    return _unproven(_run(name, h, params, time_limit, started, None, progress, fix_hint=True))


def _describe(run: _Run) -> str:
    parts = [f"[{run.name}] {run.status} in {run.wall:.1f} s"]
    if run.objective is not None:
        parts.append(f"cost {run.objective / 100:,.2f}")
    if run.bound is not None and run.objective is not None:
        gap = _gap(run.objective, run.bound)
        parts.append(f"bound {run.bound / 100:,.2f} (gap {gap:.2%})")
    proto = run.handles.model.proto
    parts.append(f"{len(proto.variables):,} variables, {len(proto.constraints):,} constraints")
    return ", ".join(parts)


def _gap(objective: float, bound: float) -> float:
    if objective <= 0:
        return 0.0 if bound >= objective - 0.5 else 1.0
    return max(0.0, (objective - bound) / objective)


class _StopHolder:
    """The solver currently running, so an interrupt (Ctrl-C) can stop it from the signal handler."""

    current: _StopHolder

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


_StopHolder.current = _StopHolder()


def stop_running_solver() -> None:
    """Ask the running CP-SAT search to stop and return its best plan (used by the CLI on Ctrl-C)."""
    _StopHolder.current.stop()


# --------------------------------------------------------------------------------------------- solve
def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    hint: Plan | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Plan:
    """The cheapest plan found within the time limit, with its status, bound and gap."""
    params = params or SolveParams()
    started = time.perf_counter()
    allow_shortfall = scenario.spec.shortfall.allowed if params.allow_shortfall is None else params.allow_shortfall
    requirements = compute_requirements(scenario)
    data = compile_model_data(scenario, requirements)
    deadline = started + params.time_limit

    def remaining() -> float:
        return deadline - time.perf_counter()

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    runs: list[_Run] = []
    start = _hint_from_plan(data, hint) if hint is not None else None
    unmet = None  # needs the greedy start could not meet (None: the start is a hint's plan)
    if start is None:
        t0 = time.perf_counter()
        start, unmet = greedy_plan(data)
        if progress:
            gaps = f", {unmet} need(s) it could not meet" if unmet else ""
            progress(f"[greedy] starting plan in {time.perf_counter() - t0:.1f} s{gaps}")

    if params.stages == "colgen":
        return _by_columns(scenario, data, params, started, allow_shortfall, start, unmet, progress, stop)
    shift_variables = sum(len(w.shifts) for w in data.workers)
    if params.stages == "direct" or (params.stages == "auto" and shift_variables <= DIRECT_LIMIT):
        lp_value = None
        if params.stages == "auto":  # the crew level's LP bound, often above the person model's own
            relaxation = lp_relaxation(_crew_model(data, allow_shortfall), min(5.0, remaining() * 0.1))
            lp_value = lp_bound(relaxation) if relaxation is not None else None
            if progress and lp_value is not None:
                progress(f"[lp relaxation] {lp_value / 100:,.2f} (a lower bound)")
        full = build_model(data, "person", allow_shortfall=allow_shortfall)
        _add_person_hint(full, start)
        _complete_hint(full, params, min(10.0, remaining() * 0.2))
        run = _run("direct", full, params, remaining(), started, stop, progress, params.gap_limit)
        runs.append(run)
        bound = max((b for b in (run.bound, lp_value) if b is not None), default=None)
        if run.objective is None:
            bound = None if run.status in ("INFEASIBLE", "MODEL_INVALID") else bound
            return _no_plan(scenario, params, runs, started, run.status, bound, data, progress)
        return _finish(scenario, data, params, runs, started, best=run, bound=bound)

    # Stage 1: the crew-level relaxation. Unmet need is priced in it (a relaxation still, so its bound
    # holds), so that the greedy plan is always a starting point and the search never starts empty.
    crew_model = _crew_model(data, allow_shortfall)
    # Person-level plans that cover everything, made on the way by the greedy (its start, its completions of
    # crew plans): the final plan is the cheapest of them and the pipeline's own (measured on ladder M, 60 s:
    # the RENS plan's completion, 128 228 EUR at 27 s, against 139 855 EUR from the later stages).
    complete: list[_Run] = []
    if unmet == 0:  # the greedy start believes it covers everything: a first plan, whatever follows
        greedy_run = _crew_priced(data, crew_model, start, "greedy start", params, started, progress, runs)
        complete += [greedy_run] if greedy_run is not None else []
    lp_value, crew_start = _start_from_lp(crew_model, params, remaining, started, stop, progress, runs)
    complete += [crew_start] if crew_start is not None and crew_start.people is not None else []
    cheapest = min(complete, key=lambda r: r.objective, default=None)  # crew-level prices: comparable
    if cheapest is not None and (crew_start is None or cheapest.objective < crew_start.objective):
        _hint_all(crew_model, cheapest)  # the crew search starts from the cheapest plan in hand
    elif lp_value is None or not crew_model.model.proto.solution_hint.vars:
        _add_crew_hint(crew_model, data, start)
        _complete_hint(crew_model, params, min(10.0, remaining() * 0.1))
    # Above PRICE_SHIFT_LIMIT no person-level model follows: only the greedy's completion, in seconds.
    person_too_big = shift_variables > PRICE_SHIFT_LIMIT  # known before building the person-level model
    share = CREW_SHARE_ALONE if person_too_big else CREW_SHARE
    until = max(1.0, started + share * params.time_limit - time.perf_counter())
    if stopped():  # interrupted before the crew search: keep the plan it was hinted with
        aggregate = _as_hinted("aggregate", crew_model, params, 5.0, started, progress)
    else:
        aggregate = _run("aggregate", crew_model, params, until, started, stop, progress, params.gap_limit)
    runs.append(aggregate)
    if aggregate.objective is None and aggregate.status == "UNKNOWN":
        # The search ran out of time before it took up the plan it was hinted with (seen on the retailer
        # with 4 s for it): that plan, the RENS one or the greedy's priced as it stands, goes on.
        # A plan, not a proof: the RENS bound holds in its narrowed domains only.
        in_hand = [r for r in (crew_start, *complete) if r is not None]
        if in_hand:
            aggregate = _unproven(min(in_hand, key=lambda r: r.objective))
        else:
            aggregate = _as_hinted("aggregate, as hinted", crew_model, params, 10.0, started, progress)
            runs.append(aggregate)
    if aggregate.objective is None:
        # INFEASIBLE is proven for the real problem too (even unmet need could not make it feasible).
        return _no_plan(scenario, params, runs, started, aggregate.status, aggregate.bound, data, progress)
    bound = max(b for b in (aggregate.bound, lp_value, 0) if b is not None)
    filled: _Run | None = None  # the greedy's completion of a crew plan that fell short, if any
    if aggregate.component("shortfall") and not allow_shortfall:
        # First a plan that covers everything (the greedy's completion, a second), then the local repair,
        # which is often cheaper; the cheaper of the two goes on. Measured on ladder M (60 s): the local
        # repairs alone left 47-71 slots short and no plan; the greedy's completion gave one.
        filled = _repaired(data, aggregate, params, started, progress, runs)
        complete += [filled] if filled is not None else []
        short = {t for (_, t), var in aggregate.handles.shortfall.items() if aggregate.solver.value(var)}
        # Measured on ladder M with 40 people: 224 short slots, three neighbourhoods in vain, 18 s lost.
        hopeless = filled is not None and len(short) > LOCAL_REPAIR_SLOTS
        local = None if hopeless else _repaired_locally(data, aggregate, params, started, stop, progress, runs)
        covering = [r for r in (filled, local) if r is not None]  # both return None while need is unmet
        aggregate = min(covering, key=lambda r: r.objective) if covering else aggregate
    if aggregate.component("shortfall") and not allow_shortfall:
        # The best plan so far leaves need uncovered: look for a plan that covers everything, or a proof
        # that none exists.
        strict = build_model(data, "crew", allow_shortfall=False)
        _copy_decisions(aggregate, strict)
        check = _run(
            "aggregate, no shortfall",
            strict,
            params,
            max(1.0, remaining() * 0.6),
            started,
            stop,
            progress,
            params.gap_limit,
        )
        runs.append(check)
        if check.status == "INFEASIBLE":
            return _no_plan(scenario, params, runs, started, check.status, None, data, progress)
        if check.objective is not None:
            aggregate = check
            bound = max(bound, check.bound or 0)
        # Otherwise (no proof either way) the person level mends what the crew level left short.

    # Stage 2: assign the counts to people (more hires allowed if the counts need them).
    counts, hires = read_crew_counts(aggregate.handles, aggregate.solver.value)
    bookings = _bookings(aggregate)
    best: _Run | None = None
    best_total: int | None = None
    full: Handles | None = None
    improvable = shift_variables <= IMPROVE_SHIFT_LIMIT
    if person_too_big:
        # No person-level model at this size gives a plan in time (ladder XL: an assignment of 763 819
        # variables, UNKNOWN after 138 s, 7.4 GiB): the greedy gives the crew plan's shifts to people.
        completed = _repaired(data, aggregate, params, started, progress, runs)
        complete += [completed] if completed is not None else []
    else:
        split = disaggregate(data, counts, hires, bookings)
        # A shift nobody may take is priced above any person's pay, so the assignment starts from the split
        # (whatever it dropped) and drops as few as it can.
        drop_price = 2 * max(w.fixed_cost for w in data.workers) + 1 if data.workers else 1
        assign_model = build_model(data, "person", fixed_counts=counts, min_hires=hires, drop_price=drop_price)
        _add_person_hint(assign_model, split)
        _complete_hint(assign_model, params, min(5.0, max(0.5, remaining() * 0.1)))
        # After an interrupt the assignment still runs (briefly, unstoppable): it turns the counts into a plan.
        # When no person-level improvement can follow (too big a model), the assignment may take more of the
        # rest.
        assign_time = (
            min(10.0, max(3.0, remaining()))
            if stopped()
            else max(3.0, min(ASSIGN_MAX * params.time_limit, remaining() * (0.5 if improvable else 0.8)))
        )
        assign = _run("assign", assign_model, params, assign_time, started, None if stopped() else stop, progress)
        runs.append(assign)
        # The assignment leaves coverage to the counts: it is a plan only when they covered every need.
        covered = allow_shortfall or not aggregate.component("shortfall")
        if assign.objective is not None and not assign.component("dropped shifts") and covered:
            best = assign
            best_total = assign.objective + sum(aggregate.component(c) for c in _AGGREGATE_ONLY)
        elif assign.objective is not None:
            split = _merge(read_person_solution(assign_model, assign.solver.value), aggregate)

    # Some of the aggregate's shifts cannot be given to people (per-person rules the crew level does not
    # see: one shift a day between two rests, leave, weekly rest): price the split plan as it stands; when
    # it falls short, first secure a plan (the greedy's completion of it), then mend the split where it
    # falls short if that is cheaper.
    # With a greedy plan in hand, they start only with time left to build and price the person-level model.
    def no_time() -> bool:
        return bool(complete) and remaining() < FALLBACK_SHARE * params.time_limit

    if best is None and not person_too_big and not no_time():
        # One priced model serves every candidate plan: each is a new hint on the same variables.
        soft = build_model(
            data, "person", allow_shortfall=True, shortfall_weight=1 if allow_shortfall else UNMET_WEIGHT
        )

        def priced(plan: Assignment, label: str) -> _Run | None:
            return _priced(soft, plan, label, params, started, progress, runs, remaining)

        def legal(run: _Run | None) -> bool:
            return run is not None and (allow_shortfall or not run.component("shortfall"))

        def mended(run: _Run | None, have_plan: bool) -> _Run | None:
            if run is None or allow_shortfall:
                return None
            late = 1.0 if have_plan else NO_PLAN_GRACE
            return _repaired_locally(data, run, params, started, None, progress, runs, not stopped(), late)

        chosen = split_run = priced(split, "split")
        if not legal(split_run):
            fill_run = priced(repair(data, counts, hires, bookings)[0], "repair")
            chosen = fill_run if legal(fill_run) else None
            # With a plan in hand (a greedy one), the mending keeps to the time limit.
            if not (stopped() and chosen is not None):
                local = mended(split_run, chosen is not None or bool(complete))
                if local is not None and (chosen is None or local.objective < chosen.objective):
                    chosen = local
            if chosen is None:
                chosen = mended(fill_run, bool(complete))
            # The greedy plan of the very start is the last resort: a plan of its own, whatever the crew did.
            late = time.perf_counter() >= started + NO_PLAN_GRACE * params.time_limit
            if chosen is None and not late and not complete:
                greedy_run = priced(start, "greedy")
                chosen = greedy_run if legal(greedy_run) else mended(greedy_run, False)
        if chosen is not None:
            best, best_total = chosen, chosen.objective
            # The strict person model is the priced one without its shortfall variables: its size is known.
            person_too_big = len(soft.model.proto.variables) - len(soft.shortfall) > PERSON_MODEL_LIMIT
            if not person_too_big:
                full = build_model(data, "person", allow_shortfall=allow_shortfall)
                _copy_decisions(chosen, full)
                _complete_hint(full, params, min(5.0, max(0.5, remaining() * 0.2)))

    # Stage 3: the full person-level model, started from the best plan, while the gap is open.
    gap_open = best_total is None or _gap(best_total, bound) > params.gap_limit
    if not gap_open or remaining() <= 2.0 or stopped() or no_time() or (best is not None and not improvable):
        full = None
    elif full is None and not person_too_big:
        full = build_model(data, "person", allow_shortfall=allow_shortfall)
        if best is not None and len(full.model.proto.variables) > PERSON_MODEL_LIMIT:
            full = None
        elif best is not None:
            _add_person_hint(full, _merge(read_person_solution(assign_model, assign.solver.value), aggregate))
            _complete_hint(full, params, min(10.0, remaining() * 0.3))
        # No plan yet: the LP relaxation of the person-level model and its RENS sub-problem, which see every
        # per-person rule, are the best way to a first plan; the greedy plan is the last resort.
        elif _start_from_lp(full, params, remaining, started, stop, progress, runs)[0] is None or not (
            full.model.proto.solution_hint.vars
        ):
            _add_person_hint(full, start)
            _complete_hint(full, params, min(10.0, remaining() * 0.3))
    if full is not None:
        improve = _run("improve", full, params, remaining(), started, stop, progress, params.gap_limit)
        runs.append(improve)
        if improve.bound is not None:
            bound = max(bound, improve.bound)
        if improve.objective is not None and (best_total is None or improve.objective < best_total):
            best, best_total = improve, improve.objective
        elif improve.status == "INFEASIBLE" and best is None:
            return _no_plan(scenario, params, runs, started, "INFEASIBLE", None, data, progress)
    if complete:
        # The greedy's completions of crew plans are plans too, legal under every per-person rule it checks
        # and covering at the crew level (the only ones when no person-level model gave a plan in time).
        totals = {id(r): plan_tables(data, r.people).total_cents for r in complete}
        cheapest = min(complete, key=lambda r: totals[id(r)])
        if best_total is None or totals[id(cheapest)] < best_total:
            return _finish(scenario, data, params, runs, started, best=cheapest, bound=bound)
    if best is None:
        return _no_plan(scenario, params, runs, started, "UNKNOWN", bound)
    return _finish(scenario, data, params, runs, started, best=best, bound=bound, aggregate=aggregate)


# Shares of the time limit: the crew level's search ends by CREW_SHARE (the assignment and its fallbacks need
# the rest); the assignment runs for at most ASSIGN_MAX (measured on the retailer: 3 s of it gave 65.0 k, 20 s
# 63.5 k, 60 s 61.8 k, the same counts given to people).
CREW_SHARE = 0.65
# When no person-level model follows: ladder XL's greedy completion, its pricing and the tables took 18-24 s.
CREW_SHARE_ALONE = 0.9
ASSIGN_MAX = 0.25
_AGGREGATE_ONLY = ("agency hours", "agency fee", "shortfall")  # cost terms the assignment stage leaves out
# With no plan in hand at the limit, the fallbacks may run on up to this multiple of it: a plan a little late
# is worth more to a user than none on time (the report shows the real wall time).
NO_PLAN_GRACE = 1.5
# The LP relaxation gives the bound: it may take 35 % of the time left, up to this (measured with HiGHS:
# ladder L's crew LP takes 39-49 s, which a cap of 30 s cut off, leaving CP-SAT's bound: a 69 % gap).
LP_MAX_SECONDS = 60.0
# With a greedy plan in hand, the person-level stages after the assignment need this share of the time limit
# left (ladder M: 8.7 s to build and hint the priced person model, then 2 s or more per plan priced).
FALLBACK_SHARE = 0.2
# Person models with at most this many shift variables are solved directly, with no crew level. Measured
# (45 s, 2 workers): the small company's recruit variant (1 340) proven optimal in 29 s, where the crew
# level found no plan covering every need; upskill 5.7 % instead of 8.4 %; ladder S (4 365) and the
# tourism week (6 705) did better through the crew level.
DIRECT_LIMIT = 2_500
COLGEN_SHARE = 0.5  # of the time limit for the column generation when the CP-SAT path may follow
UNMET_WEIGHT = 100  # how much dearer unmet need is than its scenario price when the user did not allow it
LOCAL_REPAIR_SLOTS = 24  # short slots above which the local repair is skipped when the greedy covered them
PERSON_MODEL_LIMIT = 40_000  # variables above which the person-level improvement is not worth its presolve
# The same limit in shift variables, known before any model is built: the retailer's 39 528 make a person model
# of 109 080 variables (2.8 each; 5 s to build on a slow day, only to be set aside).
IMPROVE_SHIFT_LIMIT = 14_000
# Shift variables above which no person-level model is built to price or improve a plan. Measured on ladder
# XL (715 425 shift variables, 1 944 983 variables in the priced model): it could not price even a complete
# hint in 34-42 s, three times over, and took the peak memory from 1.1 to 6.7 GiB; ladder L has 128 994.
PRICE_SHIFT_LIMIT = 300_000
EXPLAIN_PERSON_LIMIT = 600  # workers x days above which infeasibility is explained at the crew level


def _by_columns(
    scenario: Scenario,
    data: ModelData,
    params: SolveParams,
    started: float,
    allow_shortfall: bool,
    start: Assignment,
    unmet: int | None,
    progress: Progress | None,
    stop: threading.Event | None,
) -> Plan:
    """Two strategies in turn: column generation (``scheduler.engine``) for ``COLGEN_SHARE`` of the time,
    then, unless its plan is proven within the gap limit, the CP-SAT path with the rest, hinted with that
    plan. The cheaper plan goes on with the higher of the two bounds (both hold for the same problem); when
    the columns give no plan, the CP-SAT path decides alone (and proves and explains infeasibility)."""
    t0 = time.perf_counter()
    share = max(1.0, COLGEN_SHARE * params.time_limit - (t0 - started))
    outcome = solve_by_columns(data, allow_shortfall, start, share, UNMET_WEIGHT, progress)
    found = [(f.how, f.assignment, t0 - started + f.at) for f in outcome.plans]
    if unmet == 0:
        found.append(("greedy start", start, t0 - started))
    priced = [(plan_tables(data, a), how, at) for how, a, at in found]
    gen = outcome.generation
    best = min(priced, key=lambda p: p[0].total_cents, default=None)
    report = StageReport(
        name="column generation",
        status=("CONVERGED" if gen.converged else "NOT CONVERGED") if gen.lp_value is not None else "UNKNOWN",
        objective=_euros(best[0].total_cents) if best else None,
        bound=_euros(outcome.bound),
        wall_time=round(time.perf_counter() - t0, 3),
        variables=outcome.columns,
        constraints=outcome.rows,
    )
    plan = None
    if best is not None:
        tables, how, at = best
        if progress:
            progress(f"[colgen] the plan from {how}: {tables.total_cents / 100:,.2f}")
        first = min(at for _, _, at in found)
        plan = _plan(scenario, params, tables, outcome.bound, (report,), first, at, started)
        if plan.stats.gap is not None and plan.stats.gap <= params.gap_limit:
            return plan
    rest = params.time_limit - (time.perf_counter() - started)
    if rest < 1.0 and plan is not None:
        return plan
    if progress:
        progress(f"[colgen] {'no plan' if plan is None else 'gap open'}: the CP-SAT path takes the last {rest:.0f} s")
    other = solve(
        scenario, replace(params, stages="auto", time_limit=max(1.0, rest)), hint=plan, stop=stop, progress=progress
    )
    if plan is None or (other.is_feasible() and other.total_cost < plan.total_cost):
        if not other.is_feasible():
            return other
        tables = PlanTables(
            other.hires,
            other.roster,
            other.agency,
            other.coverage,
            other.costs,
            other.service,
            other.shortfall,
            round(other.total_cost * 100),
        )
        bounds = [b for b in (outcome.bound, _cents(other.stats.best_bound)) if b is not None]
        stages = (report, *other.stats.stages)
        return _plan(
            scenario,
            params,
            tables,
            max(bounds, default=None),
            stages,
            other.stats.time_to_first,
            other.stats.time_to_best,
            started,
            proven=other.status == "OPTIMAL",
        )
    bounds = [b for b in (outcome.bound, _cents(other.stats.best_bound)) if b is not None]
    return _plan(
        scenario,
        params,
        tables,
        max(bounds, default=None),
        (report, *other.stats.stages),
        plan.stats.time_to_first,
        plan.stats.time_to_best,
        started,
    )


def _cents(euros: float | None) -> float | None:
    return None if euros is None else round(euros * 100)


def _crew_model(data: ModelData, allow_shortfall: bool) -> Handles:
    """The crew-level relaxation, unmet need priced in it (dear when the user did not allow it)."""
    return build_model(data, "crew", allow_shortfall=True, shortfall_weight=1 if allow_shortfall else UNMET_WEIGHT)


def _start_from_lp(
    h: Handles, params: SolveParams, remaining, started: float, stop, progress, runs: list[_Run]
) -> tuple[float | None, _Run | None]:
    """Solve the model's LP relaxation, then the RENS sub-problem around it; hint the model with the plan
    found. Returns the LP bound (valid for the real problem, None when the LP was not solved) and the run
    whose plan the hint is, if any (its values are the model's: the sub-problem only narrows its domains)."""
    t0 = time.perf_counter()
    relaxation = lp_relaxation(h, min(LP_MAX_SECONDS, remaining() * 0.35))
    wall = time.perf_counter() - t0
    if relaxation is None:
        if progress:
            progress(f"[lp relaxation] not solved in {wall:.1f} s; starting from the greedy plan")
        return None, None
    bound = lp_bound(relaxation)
    if progress:
        progress(f"[lp relaxation] {bound / 100:,.2f} in {wall:.1f} s (a lower bound)")
    sub = dataclasses.replace(h, model=rens_model(h, relaxation))
    rens = _run("rens", sub, params, min(15.0, remaining() * 0.2), started, stop, progress, params.gap_limit)
    runs.append(rens)
    if rens.objective is None:
        return bound, None
    # The greedy completes the plan in the model itself: the sub-problem's narrowed domains may exclude it.
    whole = dataclasses.replace(rens, handles=h)
    best = _repaired(h.data, whole, params, started, progress, runs) if rens.component("shortfall") else None
    _hint_all(h, best or rens)
    return bound, best or whole


def _bookings(run: _Run) -> dict[str, dict[int, int]]:
    """Agency moderators booked per block in a run's solution."""
    value = run.solver.value
    return {
        name: {b: int(value(v)) for b, v in blocks.items() if value(v)} for name, blocks in run.handles.agency.items()
    }


def _repaired_locally(
    data: ModelData,
    run: _Run,
    params: SolveParams,
    started: float,
    stop,
    progress,
    runs: list[_Run],
    improve: bool = True,
    late: float = 1.0,
) -> _Run | None:
    """A plan that leaves a few slots short, mended where it falls short: every decision stays as it is
    except the shifts and agency blocks near the short slots, which a model of the same level (crew or
    person) may change. Unmet need stays allowed and dear in it, so the search starts from the plan in
    hand and only improves it; the neighbourhood widens from a day to a week until nothing is short, and
    while time is left (a wider one often finds a cheaper way than the one that first closed the gap)."""
    short = sorted({t for (_, t), var in run.handles.shortfall.items() if run.solver.value(var)})
    limit = min(8.0, max(2.0, 0.1 * params.time_limit))
    for hours in (24, 72, 168):
        left = started + params.time_limit - time.perf_counter()
        if not run.component("shortfall") and (not improve or left < 2 * limit):
            break
        if hours > 24 and time.perf_counter() > started + late * params.time_limit:
            break  # past the limit (or its grace when there is no plan yet): stop widening
        value = run.solver.value
        reach = data.scenario.grid.slots(hours)
        near = [(max(0, t - reach), t + reach) for t in short]

        def touches(item, near=near) -> bool:
            """Whether a shift or agency block overlaps the neighbourhood."""
            return any(item.start < hi and item.end > lo for lo, hi in near)

        free = [{i for i in take if touches(run.handles.shifts_of(u)[i])} for u, take in enumerate(run.handles.take)]
        # Only the shifts in use and those near the short slots get variables: a model of seconds, not minutes.
        support = {
            u: [i for i, var in take.items() if value(var) or i in free[u]] for u, take in enumerate(run.handles.take)
        }
        local = build_model(
            data,
            run.handles.level,
            allow_shortfall=True,
            shortfall_weight=run.handles.shortfall_weight,
            support=support,
        )
        m = local.model
        for u, take in enumerate(local.take):
            for i, var in take.items():
                current = int(value(run.handles.take[u][i]))
                m.add_hint(var, current)
                if i not in free[u]:
                    m.add(var == current)
            if not isinstance(local.active[u], int):
                m.add_hint(local.active[u], int(value(run.handles.active[u])))
        for name, blocks in local.agency.items():
            for b, var in blocks.items():
                current = int(value(run.handles.agency[name][b]))
                m.add_hint(var, current)
                if not touches(data.agency[name].blocks[b]):
                    m.add(var == current)
        _complete_hint(local, params, limit / 2)
        label = f"repair ({hours} h around {len(short)} short slot(s))"
        mended = _run(label, local, params, limit, started, stop, progress)
        runs.append(mended)
        if mended.objective is not None and mended.objective <= run.objective:
            run = mended
    return run if not run.component("shortfall") else None


def _priced(
    soft: Handles,
    person_plan: Assignment,
    label: str,
    params: SolveParams,
    started: float,
    progress,
    runs: list[_Run],
    remaining,
) -> _Run | None:
    """A person-level plan priced as it stands in ``soft``, a person model where unmet need is allowed."""
    soft.model.clear_hints()
    _add_person_hint(soft, person_plan)
    run = _run(label, soft, params, min(20.0, max(2.0, remaining())), started, None, progress, fix_hint=True)
    runs.append(run)
    return run if run.objective is not None else None


def _hint_all(h: Handles, run: _Run) -> None:
    """Hint every variable of a model with a run's values (same model, or a clone with the same variables)."""
    h.model.clear_hints()
    for i in range(len(h.model.proto.variables)):
        var = h.model.get_int_var_from_proto_index(i)
        h.model.add_hint(var, run.solver.value(var))


def _repaired(
    data: ModelData, run: _Run, params: SolveParams, started: float, progress, runs: list[_Run]
) -> _Run | None:
    """A crew-level plan that leaves need uncovered, made whole by the greedy (its shifts given to people,
    its bookings kept, the rest covered), then priced by the crew model with those decisions fixed."""
    counts, hires = read_crew_counts(run.handles, run.solver.value)
    plan, unmet = repair(data, counts, hires, _bookings(run))
    if unmet:
        return None
    return _crew_priced(data, run.handles, plan, "repair", params, started, progress, runs)


def _crew_priced(
    data: ModelData, h: Handles, plan: Assignment, label: str, params: SolveParams, started: float, progress, runs
) -> _Run | None:
    """A greedy person-level plan (legal under every per-person rule it checks) priced by the crew model
    with its decisions fixed, which checks its coverage; None when it leaves need uncovered. A fraction of a
    second where pricing it at the person level takes seconds (ladder M: 0.2 s against 2 s and more)."""
    h = dataclasses.replace(h, model=h.model.clone())
    h.model.clear_hints()
    _add_crew_hint(h, data, plan)
    fixed = _run(label, h, params, 10.0, started, None, progress, fix_hint=True)
    runs.append(fixed)
    if fixed.objective is None or fixed.component("shortfall"):
        return None
    return replace(fixed, people=plan)


def _complete_hint(h: Handles, params: SolveParams, time_limit: float) -> bool:
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


def _copy_decisions(source: _Run, target: Handles) -> None:
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


def _merge(person: Assignment, aggregate: _Run) -> Assignment:
    """Person-level shifts from the assignment stage with the aggregate's agency and allocation."""
    h = aggregate.handles
    value = aggregate.solver.value
    return replace(
        person,
        agency={name: {b: int(value(v)) for b, v in blocks.items() if value(v)} for name, blocks in h.agency.items()},
        alloc_capacity={k: int(value(v)) for k, v in h.alloc_capacity.items() if value(v)},
        shortfall={k: int(value(v)) for k, v in h.shortfall.items() if value(v)},
    )


def _no_plan(
    scenario: Scenario,
    params: SolveParams,
    runs: list[_Run],
    started: float,
    status: str,
    bound,
    data: ModelData | None = None,
    progress: Progress | None = None,
    stages: tuple[StageReport, ...] = (),
) -> Plan:
    """A Plan without a roster: proven infeasible (then explained), no plan in time, or an invalid model."""
    explanation: tuple[str, ...] = ()
    if status == "INFEASIBLE" and data is not None and params.explain:
        explanation = _explain(data, params, progress)
    wall = time.perf_counter() - started
    if status == "INFEASIBLE":
        message = "No legal plan exists: the scenario's rules and needs conflict."
        if explanation:
            message += f" {len(explanation)} reason(s) conflict, e.g. {explanation[0]}"
        elif params.explain:
            message += (
                f" The conflict was not narrowed down to named rules within {params.explain_time:g} s (the"
                " search for a minimal set of conflicting rules could not prove it); try a shorter horizon or"
                " fewer people to find it."
            )
    elif status == "MODEL_INVALID":
        bad = next(r for r in runs if r.status == "MODEL_INVALID")
        message = f"The model is invalid (a bug): {bad.handles.model.validate()}"
    else:
        status = "UNKNOWN"
        message = f"No plan found within the time limit of {params.time_limit:g} s; allow more time."
    stages = tuple(r.report() for r in runs) + stages
    stats = SolverStats(
        status,
        None,
        _euros(bound),
        None,
        wall,
        None,
        None,
        params.time_limit,
        params.workers,
        params.seed,
        stages,
        message,
    )
    return Plan(
        scenario.name,
        scenario.hash,
        scenario.variant,
        stats,
        explanation=explanation,
        currency=scenario.spec.costs.currency,
    )


def _explain(data: ModelData, params: SolveParams, progress: Progress | None) -> tuple[str, ...]:
    """Name the conflicting rules and needs (person level when the model is small enough)."""
    from scheduler.explain import explain

    t0 = time.perf_counter()
    level = "person" if len(data.workers) * data.scenario.grid.days <= EXPLAIN_PERSON_LIMIT else "crew"
    result = explain(data, params.explain_time, level)
    if progress:
        done = "minimal" if result and result.minimal else "not proven minimal in time"
        progress(
            f"[explain] {len(result.reasons) if result else 0} reason(s), {done}, {time.perf_counter() - t0:.1f} s"
        )
    return result.reasons if result else ()


def _finish(
    scenario: Scenario,
    data: ModelData,
    params: SolveParams,
    runs: list[_Run],
    started: float,
    *,
    best: _Run,
    bound: float | None,
    aggregate: _Run | None = None,
) -> Plan:
    stages = tuple(r.report() for r in runs)
    first = next((r.first for r in runs if r.first is not None and r.name != "aggregate"), None)
    if best.people is not None:  # the greedy's plan, priced at the crew level: only its lines give its cost
        assignment = best.people
        tables = plan_tables(data, assignment)
        expected = tables.total_cents
    else:
        assignment = read_person_solution(best.handles, best.solver.value)
        if aggregate is not None and best.name == "assign":
            assignment = _merge(assignment, aggregate)
        tables = plan_tables(data, assignment)
        expected = best.objective
    if best.name == "assign" and aggregate is not None:
        expected += sum(aggregate.component(c) for c in _AGGREGATE_ONLY)
    # Overtime and the agency fee are bounded from below in the model (minimising makes them exact), so a
    # plan found before the search settled may carry slack there: the lines, recomputed from the roster, are
    # then the lower and true cost (seen once on the retailer: 88.94 EUR of slack). Lines above the
    # objective would be a cost the model does not see: a bug, as is any difference in a proven optimum.
    if tables.total_cents > expected or (best.status == "OPTIMAL" and tables.total_cents != expected):
        raise RuntimeError(
            f"cost mismatch: the plan's lines add up to {tables.total_cents / 100:.2f} but the model's objective "
            f"is {expected / 100:.2f}; this is a bug in the model or in the cost lines"
        )
    proven = best.name == "direct" and best.status == "OPTIMAL"
    return _plan(scenario, params, tables, bound, stages, first, best.best, started, proven)


def _plan(
    scenario: Scenario,
    params: SolveParams,
    tables: PlanTables,
    bound: float | None,
    stages: tuple[StageReport, ...],
    first: float | None,
    best_time: float | None,
    started: float,
    proven: bool = False,
) -> Plan:
    """The plan of a roster's tables, with its bound (cents; None when none is known) and gap. ``proven``:
    the solver proved the roster optimal (its own bound, which may be tighter than ``bound``)."""
    wall = time.perf_counter() - started
    total = tables.total_cents
    bound = min(bound, total) if bound is not None else None
    gap = _gap(total, bound) if bound is not None else None
    status = "OPTIMAL" if bound is not None and total - bound < 0.5 else "FEASIBLE"
    if proven:
        status, gap = "OPTIMAL", 0.0
    if status == "OPTIMAL":
        message = "Proven optimal."
    elif gap is None:
        message = "Best plan found; no bound is known, so how far it is from the optimum is not known."
    else:
        message = f"Best plan found; at most {gap:.2%} above the optimum."
    if tables.shortfall.shape[0]:
        message += f" It leaves {tables.shortfall.shape[0]} slot(s) short of their need (priced shortfall)."
    stats = SolverStats(
        status=status,
        objective=total / 100,
        best_bound=_euros(bound),
        gap=round(gap, 6) if gap is not None else None,
        wall_time=wall,
        time_to_first=first,
        time_to_best=best_time,
        time_limit=params.time_limit,
        workers=params.workers,
        seed=params.seed,
        stages=stages,
        message=message,
    )
    return Plan(
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        variant=scenario.variant,
        stats=stats,
        hires=tables.hires,
        roster=tables.roster,
        agency=tables.agency,
        coverage=tables.coverage,
        costs=tables.costs,
        service=tables.service,
        shortfall=tables.shortfall,
        currency=scenario.spec.costs.currency,
    )


def _euros(cents_value: float | None) -> float | None:
    return None if cents_value is None else round(cents_value / 100, 2)


# -------------------------------------------------------------------------------------------- hints
def _add_person_hint(h: Handles, a: Assignment) -> None:
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


def _add_crew_hint(h: Handles, data: ModelData, a: Assignment) -> None:
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


def _hint_from_plan(data: ModelData, plan: Plan) -> Assignment | None:
    """Map a previous plan's roster and agency bookings onto this scenario's shifts and blocks (for
    sweeps and variants: a neighbouring plan is a good start). Rows that do not fit are skipped."""
    if not plan.is_feasible():
        return None
    grid = data.scenario.grid
    slot_of = {t.isoformat(): i for i, t in enumerate(grid.local_starts)}
    slot_of[grid.instant(grid.n_slots).isoformat()] = grid.n_slots
    worker_of = {w.id: i for i, w in enumerate(data.workers)}
    shifts: dict[int, list[int]] = {}
    hired = set()
    for row in plan.roster.itertuples(index=False):
        w = worker_of.get(row.person)
        start, end = slot_of.get(str(row.start)), slot_of.get(str(row.end))
        if w is None or start is None or end is None:
            continue
        worker = data.workers[w]
        index = {(s.start, s.end): i for i, s in enumerate(data.shifts[worker.role])}.get((start, end))
        if index is not None and index in worker.price_of:
            shifts.setdefault(w, []).append(index)
            if worker.hire:
                hired.add(w)
    agency: dict[str, dict[int, int]] = {}
    for row in plan.agency.itertuples(index=False):
        info = data.agency.get(row.agency)
        start, end = slot_of.get(str(row.start)), slot_of.get(str(row.end))
        if info is None or start is None or end is None:
            continue
        for b, block in enumerate(info.blocks):
            if (block.start, block.end) == (start, end):
                agency.setdefault(row.agency, {})[b] = agency.get(row.agency, {}).get(b, 0) + int(row.moderators)
    return Assignment({w: tuple(sorted(v)) for w, v in shifts.items()}, frozenset(hired), agency)
