"""The person-level CP-SAT model solved as a whole, hinted with the incumbent: for small problems, where it
proves optima the staged path cannot (the small company's recruit variant: proven in 29 s, where the crew
level found no plan covering every need)."""

from __future__ import annotations

import time
from dataclasses import replace

from scheduler.model.build import build_model
from scheduler.model.lp import lp_bound, lp_relaxation
from scheduler.strategies import Candidate, Incumbent, Problem
from scheduler.strategies.cpsat import add_person_hint, candidate_of, complete_hint, crew_model, no_candidate, run_model


def direct(problem: Problem, budget: float, incumbent: Incumbent, *, with_lp_bound: bool = True) -> Candidate:
    """``with_lp_bound``: also solve the crew level's LP relaxation, whose bound is often above the person
    model's own (5 s at most)."""
    started = time.perf_counter()
    params = replace(problem.params, time_limit=budget)

    def remaining() -> float:
        return started + budget - time.perf_counter()

    lp_value = None
    if with_lp_bound:
        relaxation = lp_relaxation(crew_model(problem.data, problem.allow_shortfall), min(5.0, remaining() * 0.1))
        lp_value = lp_bound(relaxation) if relaxation is not None else None
        if problem.progress and lp_value is not None:
            problem.progress(f"[lp relaxation] {lp_value / 100:,.2f} (a lower bound)")
    full = build_model(problem.data, "person", allow_shortfall=problem.allow_shortfall)
    add_person_hint(full, incumbent.assignment)
    complete_hint(full, params, min(10.0, remaining() * 0.2))
    run = run_model("direct", full, params, remaining(), started, problem.stop, problem.progress, params.gap_limit)
    bound = max((b for b in (run.bound, lp_value) if b is not None), default=None)
    if run.objective is None:
        return no_candidate([run], run.status, bound)
    return candidate_of(problem.data, [run], best=run, bound=bound)
