"""Column generation over per-person schedules (``scheduler.engine``): a bound from the master LP and its
Lagrangian, integer plans from the restricted master MIP and a dive. The driver follows it with the CP-SAT
path, hinted with its plan, unless that plan is already proven within the gap limit."""

from __future__ import annotations

import time

from scheduler.engine.colgen import solve_by_columns
from scheduler.model.extract import plan_tables
from scheduler.plan import StageReport
from scheduler.strategies import Candidate, Incumbent, Problem, euros
from scheduler.strategies.cpsat import UNMET_WEIGHT


def columns(problem: Problem, budget: float, incumbent: Incumbent) -> Candidate:
    t0 = time.perf_counter()
    data, progress = problem.data, problem.progress
    outcome = solve_by_columns(data, problem.allow_shortfall, incumbent.assignment, budget, UNMET_WEIGHT, progress)
    found = [(f.how, f.assignment, f.at) for f in outcome.plans]
    if incumbent.unmet == 0:  # the greedy start covers every need: a plan of its own
        found.append(("greedy start", incumbent.assignment, 0.0))
    priced = [(plan_tables(data, a), how, a, at) for how, a, at in found]
    best = min(priced, key=lambda p: p[0].total_cents, default=None)
    gen = outcome.generation
    report = StageReport(
        name="column generation",
        status=("CONVERGED" if gen.converged else "NOT CONVERGED") if gen.lp_value is not None else "UNKNOWN",
        objective=euros(best[0].total_cents) if best else None,
        bound=euros(outcome.bound),
        wall_time=round(time.perf_counter() - t0, 3),
        variables=outcome.columns,
        constraints=outcome.rows,
    )
    if best is None:
        return Candidate("UNKNOWN", None, None, outcome.bound, (report,), None, None, "column generation")
    tables, how, assignment, at = best
    if progress:
        progress(f"[colgen] the plan from {how}: {tables.total_cents / 100:,.2f}")
    first = min(at for _, _, at in found)
    return Candidate("FEASIBLE", tables, assignment, outcome.bound, (report,), first, at, how)
