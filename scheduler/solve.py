"""``solve(scenario, params) -> Plan``: the cheapest legal plan, with a proven bound and its gap.

A short driver over explicit strategies (``scheduler.strategies``): each takes the problem, a time budget and
the incumbent, and returns a candidate plan with its bound. The driver starts from the greedy plan (or the
hint's), picks the strategies by the problem's size and the user's ``stages``, hands each the best plan so far,
and keeps the cheapest plan with the highest bound (every bound holds for the same problem):

- ``direct`` for small problems (at most ``DIRECT_LIMIT`` shift variables), with the crew LP's bound;
- ``staged`` otherwise: crew level, assignment to people, repairs, improvement; on problems of at most
  ``NEIGHBOURHOOD_SHIFT_LIMIT`` shift variables it takes ``STAGED_SHARE`` of the time, and the person-level
  ``neighbourhoods`` search polishes its plan with the rest;
- ``colgen``: column generation for ``COLGEN_SHARE`` of the time, then the one above with the rest, unless
  the columns' plan is already proven within the gap limit.

The plan's cost is recomputed from the roster and compared with the solver's objective (never above it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import partial

from scheduler.errors import InputError
from scheduler.model.data import ModelData, compile_model_data
from scheduler.model.extract import Assignment, PlanTables
from scheduler.model.greedy import greedy_plan
from scheduler.plan import STAGES, Plan, SolverStats, StageReport
from scheduler.requirements import compute_requirements
from scheduler.scenario import Scenario
from scheduler.strategies import Candidate, Incumbent, Problem, Progress, Strategy, euros, gap_of
from scheduler.strategies.bound import CrewBound
from scheduler.strategies.columns import columns
from scheduler.strategies.cpsat import stop_running_solver
from scheduler.strategies.direct import direct
from scheduler.strategies.neighbourhoods import neighbourhood_search
from scheduler.strategies.staged import staged

__all__ = ["SolveParams", "solve", "stop_running_solver"]

# Person models with at most this many shift variables are solved directly, with no crew level. Measured
# (45 s, 2 workers): the small company's recruit variant (1 340) proven optimal in 29 s, where the crew
# level found no plan covering every need; upskill 5.7 % instead of 8.4 %; ladder S (4 365) and the
# tourism week (6 705) did better through the crew level.
DIRECT_LIMIT = 2_500
COLGEN_SHARE = 0.5  # of the time limit for the column generation when the CP-SAT path may follow
EXPLAIN_PERSON_LIMIT = 600  # workers x days above which infeasibility is explained at the crew level
MIN_BUDGET = 1.0  # seconds: a strategy given less has no time to build its model
# Shift variables up to which the crew MIP's bound runs beside the staged path. Measured (2026-12-06): ladder S
# (4 365) and the tourism week (6 705) gain 3.4 % and 0.7 % of bound over the crew LP, and HiGHS stops within
# 0.1-1.7 s when asked; the retailer (39 528) and ladder M (51 375) took 6-35 s to stop, past the time limit.
CREW_BOUND_SHIFT_LIMIT = 10_000
# Its time: it shares the cores with the CP-SAT workers, so it stops early. Ladder S's bound was 10 834.50 EUR
# after 5 s and 10 909.02 EUR after 30 s: most of it comes in the first seconds.
CREW_BOUND_SHARE = 0.25
CREW_BOUND_MAX = 10.0
# The staged path's share of the time when the person-level neighbourhood search follows it, and the shift
# variables up to which it does. Measured on ladder S (30 s, seeds 0-5): 0.7 gave plans 1.7 % cheaper on average
# than the staged path alone, cheaper on every seed; 0.5 gave dearer ones; the retailer (39 528) lost by it
# (docs/benchmarks.md, "Neighbourhood search").
STAGED_SHARE = 0.7
NEIGHBOURHOOD_SHIFT_LIMIT = 14_000


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
    crew_bound: bool = True  # the crew MIP's bound in HiGHS, in a thread beside the staged path (one more thread)

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError("time_limit must be > 0")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.stages not in STAGES:
            raise ValueError(f"stages must be one of {', '.join(STAGES)}")


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
    if params.stages == "colgen" and scenario.has_roster_rules:
        raise InputError(
            scenario.name,
            "--engine",
            "colgen",
            "auto, direct or staged: column generation does not yet price requests, fairness or per-person "
            "roster rules, which this scenario sets",
        )
    started = time.perf_counter()
    allow_shortfall = scenario.spec.shortfall.allowed if params.allow_shortfall is None else params.allow_shortfall
    data = compile_model_data(scenario, compute_requirements(scenario))
    problem = Problem(scenario, data, params, allow_shortfall, stop, progress)
    incumbent = _incumbent(data, hint, progress)
    tried: list[tuple[float, Candidate]] = []  # each candidate with when its strategy started
    done = ""
    side = _side_bound(problem)
    for name, strategy, share in _strategies(data, params):
        elapsed = time.perf_counter() - started
        left = params.time_limit - elapsed
        best = _cheapest(tried)
        if best is not None and (left < MIN_BUDGET or _settled(best[1], tried, params)):
            break
        budget = max(MIN_BUDGET, min(left, share * params.time_limit - elapsed))
        if tried and progress:
            progress(f"[{name}] after {done}: {tried[-1][1].log()}; {name} takes the last {budget:.0f} s")
        done = name
        candidate = strategy(problem, budget, incumbent)
        tried.append((elapsed, candidate))
        if candidate.status in ("INFEASIBLE", "MODEL_INVALID"):
            break  # proven for the real problem, or a bug: no other strategy changes that
        if candidate.assignment is not None and candidate is _cheapest(tried)[1]:
            incumbent = Incumbent(candidate.assignment, None)
    if side is not None:
        tried.append((0.0, side.finish()))
    return _answer(problem, tried, started)


def _side_bound(problem: Problem) -> CrewBound | None:
    """The crew MIP's bound, in a thread while the strategies run (the staged path on problems of up to
    ``CREW_BOUND_SHIFT_LIMIT`` shift variables); None when it does not apply."""
    params = problem.params
    shift_variables = sum(len(w.shifts) for w in problem.data.workers)
    staged_path = params.stages == "staged" or (params.stages != "direct" and shift_variables > DIRECT_LIMIT)
    if not (params.crew_bound and staged_path and shift_variables <= CREW_BOUND_SHIFT_LIMIT):
        return None
    return CrewBound(problem.data, problem.allow_shortfall, min(CREW_BOUND_SHARE * params.time_limit, CREW_BOUND_MAX))


def _strategies(data: ModelData, params: SolveParams) -> list[tuple[str, Strategy, float]]:
    """The strategies in the order they run, each with the share of the time limit it may use up to."""
    shift_variables = sum(len(w.shifts) for w in data.workers)
    if params.stages == "direct":
        cpsat: tuple[str, Strategy] = ("direct", partial(direct, with_lp_bound=False))
    elif params.stages == "staged" or shift_variables > DIRECT_LIMIT:
        cpsat = ("staged", staged)
    else:
        cpsat = ("direct", direct)
    if params.stages == "colgen":
        return [("columns", columns, COLGEN_SHARE), (*cpsat, 1.0)]
    if params.stages == "auto" and cpsat[0] == "staged" and shift_variables <= NEIGHBOURHOOD_SHIFT_LIMIT:
        return [(*cpsat, STAGED_SHARE), ("neighbourhoods", neighbourhood_search, 1.0)]
    return [(*cpsat, 1.0)]


def _incumbent(data: ModelData, hint: Plan | None, progress: Progress | None) -> Incumbent:
    """The plan the first strategy starts from: the hint's, or the greedy's (with the needs it left unmet)."""
    start = _hint_from_plan(data, hint) if hint is not None else None
    if start is not None:
        return Incumbent(start, None)
    t0 = time.perf_counter()
    start, unmet = greedy_plan(data)
    if progress:
        gaps = f", {unmet} need(s) it could not meet" if unmet else ""
        progress(f"[greedy] starting plan in {time.perf_counter() - t0:.1f} s{gaps}")
    return Incumbent(start, unmet)


def _cheapest(tried: list[tuple[float, Candidate]]) -> tuple[float, Candidate] | None:
    """The cheapest plan so far (the first on a tie)."""
    plans = [(at, c) for at, c in tried if c.tables is not None]
    return min(plans, key=lambda p: p[1].tables.total_cents, default=None)


def _bound(tried: list[tuple[float, Candidate]]) -> float | None:
    return max((c.bound for _, c in tried if c.bound is not None), default=None)


def _settled(best: Candidate, tried: list[tuple[float, Candidate]], params: SolveParams) -> bool:
    """Whether the best plan is proven within the gap limit, by its own solver or by any strategy's bound."""
    bound = _bound(tried)
    return best.proven or (bound is not None and gap_of(best.tables.total_cents, bound) <= params.gap_limit)


def _answer(problem: Problem, tried: list[tuple[float, Candidate]], started: float) -> Plan:
    """The plan of the cheapest candidate with the highest bound of all, or the reason there is none."""
    scenario, params = problem.scenario, problem.params
    stages = tuple(s for _, c in tried for s in c.stages)
    bound = _bound(tried)
    cheapest = _cheapest(tried)
    if cheapest is not None:
        at, best = cheapest
        firsts = [t + c.first for t, c in tried if c.tables is not None and c.first is not None]
        best_time = at + best.best if best.best is not None else None
        return _plan(
            scenario, params, best.tables, bound, stages, min(firsts, default=None), best_time, started, best.proven
        )
    statuses = [c.status for _, c in tried]
    if "MODEL_INVALID" in statuses:
        bad = next(c for _, c in tried if c.status == "MODEL_INVALID")
        return _no_plan(scenario, params, stages, started, "MODEL_INVALID", None, problem.data, invalid=bad.message)
    if "INFEASIBLE" in statuses:
        return _no_plan(scenario, params, stages, started, "INFEASIBLE", None, problem.data, problem.progress)
    return _no_plan(scenario, params, stages, started, "UNKNOWN", bound, problem.data)


def _no_plan(
    scenario: Scenario,
    params: SolveParams,
    stages: tuple[StageReport, ...],
    started: float,
    status: str,
    bound: float | None,
    data: ModelData,
    progress: Progress | None = None,
    invalid: str = "",
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
        message = invalid
    else:
        status = "UNKNOWN"
        message = f"No plan found within the time limit of {params.time_limit:g} s; allow more time."
    stats = SolverStats(
        status,
        None,
        euros(bound),
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
    gap = gap_of(total, bound) if bound is not None else None
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
        best_bound=euros(bound),
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
        wishes=tables.wishes,
        fairness=tables.fairness,
        currency=scenario.spec.costs.currency,
    )


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
