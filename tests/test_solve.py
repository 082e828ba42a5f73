"""Solver options, status mapping, and every example scenario solving within a short limit."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.plan import FEASIBLE_STATUSES, SolverStats
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams, solve
from scheduler.strategies.cpsat import FULL_SUBSOLVERS, configure
from tests.conftest import SCENARIOS, quick, scenario


def test_options_go_through_solver_parameters() -> None:
    solver = cp_model.CpSolver()
    configure(solver, SolveParams(time_limit=12.5, workers=2, seed=7, log=False), 12.5)
    p = solver.parameters
    assert p.max_time_in_seconds == 12.5
    assert p.num_workers == 2
    assert p.random_seed == 7
    assert list(p.subsolvers) == list(FULL_SUBSOLVERS)
    one = cp_model.CpSolver()
    configure(one, SolveParams(workers=1, seed=3), 5)
    assert one.parameters.num_workers == 1 and one.parameters.linearization_level == 2


@pytest.mark.parametrize("bad", [dict(time_limit=0), dict(workers=0), dict(stages="fast")])
def test_bad_parameters_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        SolveParams(**bad)


def test_no_sentinel_numbers_ever() -> None:
    with pytest.raises(ValueError):
        SolverStats("INFEASIBLE", -1.0, None, None, 0.1, None, None, 10, 1, 0)
    with pytest.raises(ValueError):
        SolverStats("FEASIBLE", None, None, None, 0.1, None, None, 10, 1, 0)
    with pytest.raises(ValueError):
        SolverStats("DONE", None, None, None, 0.1, None, None, 10, 1, 0)


def test_every_solve_reports_status_objective_bound_gap_and_time() -> None:
    plan = quick(scenario("cm_beats_agency"))
    stats = plan.stats
    assert stats.status == "OPTIMAL"
    assert stats.objective == pytest.approx(plan.total_cost)
    assert stats.best_bound is not None and stats.gap is not None
    assert stats.wall_time > 0 and stats.stages


def test_same_seed_and_one_worker_give_the_same_plan() -> None:
    first = quick(scenario("agency_beats_cm"), workers=1, seed=5)
    second = quick(scenario("agency_beats_cm"), workers=1, seed=5)
    assert first.roster.equals(second.roster)
    assert first.agency.equals(second.agency)
    assert first.costs.equals(second.costs)


def test_the_four_week_retailer_solves_and_passes_the_checker() -> None:
    """The largest example (tourism and small_company are solved and checked in tests/test_check.py)."""
    scenario = load_scenario(SCENARIOS / "retailer.yaml")
    stages: list[str] = []
    plan = solve(scenario, SolveParams(time_limit=45), progress=stages.append)
    assert plan.status in FEASIBLE_STATUSES, "\n".join([plan.stats.message, *stages])
    verdict = check(scenario, plan)
    assert verdict.ok, [v.message for v in verdict.violations][:5]
    assert plan.total_cost > 0
    assert plan.stats.gap is not None and 0 <= plan.stats.gap < 1
    assert not plan.roster.empty


def test_auto_solves_a_small_problem_directly_and_a_large_one_in_stages() -> None:
    small = quick(scenario("cm_beats_agency"))
    assert [s.name for s in small.stats.stages] == ["direct"]
    staged = quick(scenario("cm_beats_agency"), stages="staged")
    assert "aggregate" in [s.name for s in staged.stats.stages]
    assert staged.total_cost == pytest.approx(small.total_cost, abs=0.005)


@pytest.mark.parametrize("lp", ["solved", "not solved"])
def test_a_crew_search_that_runs_out_of_time_keeps_the_plan_it_was_hinted_with(monkeypatch, lp: str) -> None:
    """Seen on the retailer with 4 s for the crew level: its search returned no plan, not even the one it was
    hinted with, and the solve ended with none. The RENS plan (or, without an LP, the greedy's priced as it
    stands) goes on instead."""
    import dataclasses

    import scheduler.strategies.staged as staged_module

    real_run = staged_module.run_model

    def overstated(run):
        """The stand-in with a bound far above any plan: the solve must not take it up."""
        return run and dataclasses.replace(run, bound=10 * run.objective)

    def crew_search_without_a_plan(name, *args, **kwargs):
        run = real_run(name, *args, **kwargs)
        if name == "aggregate":
            return dataclasses.replace(run, status="UNKNOWN", objective=None, bound=None)
        return overstated(run) if name == "aggregate, as hinted" else run

    real_start = staged_module._start_from_lp

    def start_from_lp(*args, **kwargs):
        bound, stand_in = real_start(*args, **kwargs)
        return bound, overstated(stand_in)

    real_finish = staged_module.candidate_of
    bounds = []

    def finish(*args, **kwargs):
        bounds.append(kwargs["bound"])  # in cents, before it is capped at the plan's cost
        return real_finish(*args, **kwargs)

    monkeypatch.setattr(staged_module, "run_model", crew_search_without_a_plan)
    monkeypatch.setattr(staged_module, "_start_from_lp", start_from_lp)
    monkeypatch.setattr(staged_module, "candidate_of", finish)
    if lp == "not solved":
        monkeypatch.setattr(staged_module, "lp_relaxation", lambda h, time_limit: None)
        # A greedy start that misses a need is no plan of its own: only the crew search's hint is in hand.
        import scheduler.solve as solve_module

        real_greedy = solve_module.greedy_plan
        monkeypatch.setattr(solve_module, "greedy_plan", lambda data: (real_greedy(data)[0], 1))
    tiny = scenario("cm_beats_agency")
    plan = quick(tiny, stages="staged", workers=1)
    assert plan.status in FEASIBLE_STATUSES, plan.stats.message
    names = [s.name for s in plan.stats.stages]
    assert ("aggregate, as hinted" in names) == (lp == "not solved"), names
    assert check(tiny, plan).ok
    optimum = quick(tiny).total_cost
    assert plan.total_cost >= optimum - 0.005
    # The stand-in plan proves nothing: its bound (a narrowed sub-problem's, or a fixed plan's own cost)
    # must not become the solve's.
    assert bounds and all(b is None or b <= optimum * 100 + 1 for b in bounds), (bounds, optimum)


def test_a_greedy_start_that_covers_everything_is_the_first_plan_and_the_last_resort(monkeypatch) -> None:
    """Ladder XL's models are too big for any CP-SAT stage to give a plan in time; its greedy start covers
    every need. Priced at the crew level it is a plan from the first seconds, and the one returned when no
    later stage gives one (here none does: every solver run after it comes back empty)."""
    import dataclasses

    import scheduler.strategies.staged as staged_module

    real_run = staged_module.run_model

    def nothing_after_the_greedy(name, *args, **kwargs):
        run = real_run(name, *args, **kwargs)
        if name == "greedy start":
            return run
        return dataclasses.replace(run, status="UNKNOWN", objective=None, bound=None)

    tiny = scenario("cm_beats_agency")
    optimum = quick(tiny).total_cost
    monkeypatch.setattr(staged_module, "run_model", nothing_after_the_greedy)
    monkeypatch.setattr(staged_module, "lp_relaxation", lambda h, time_limit: None)
    plan = quick(tiny, stages="staged", workers=1)
    assert plan.status == "FEASIBLE", plan.stats.message
    assert plan.stats.stages[0].name == "greedy start" and plan.stats.stages[0].status == "OPTIMAL"
    # Its stage shows the plan's real cost (its roster's lines), not the crew level's lower price of it.
    assert plan.stats.stages[0].objective == pytest.approx(plan.total_cost, abs=0.005)
    assert plan.stats.stages[0].bound is None
    assert plan.stats.time_to_first is not None
    assert check(tiny, plan).ok
    assert plan.total_cost >= optimum - 0.005


def test_the_greedy_completion_is_a_plan_of_its_own_and_passes_the_checker() -> None:
    """The last resort when no person-level model gives a plan in time (as on ladder M with 40 people, whose
    models reach 556 k variables): the greedy's completion of a crew plan, priced from its own lines."""
    import time

    import scheduler.strategies.staged as staged_module
    from scheduler.model.data import compile_model_data
    from scheduler.model.greedy import greedy_plan
    from scheduler.requirements import compute_requirements
    from scheduler.solve import _plan
    from scheduler.strategies.cpsat import add_crew_hint, candidate_of, crew_model

    tourism = load_scenario(SCENARIOS / "tourism.yaml")
    data = compile_model_data(tourism, compute_requirements(tourism))
    params = SolveParams(time_limit=20, workers=1)
    crew = crew_model(data, allow_shortfall=False)
    add_crew_hint(crew, data, greedy_plan(data)[0])
    started = time.perf_counter()
    aggregate = staged_module.run_model("aggregate", crew, params, 5, started, None, None, fix_hint=True)
    filled = staged_module._repaired(data, aggregate, params, started, None, [])
    assert filled is not None and filled.people is not None
    found = candidate_of(data, [aggregate, filled], best=filled, bound=10_000_00)
    plan = _plan(tourism, params, found.tables, found.bound, found.stages, found.first, found.best, started)
    assert plan.status == "FEASIBLE" and plan.stats.gap > 0
    verdict = check(tourism, plan)
    assert verdict.ok, verdict.violations[:5]


# ------------------------------------------------------------------------------------------ the driver
def _fake_strategies(monkeypatch, *answers):
    """Replace the driver's strategies by stand-ins and record which of them ran. An answer is a status
    without a plan, or (price factor, bound factor or None, proven): the greedy start's plan with its cost
    lines scaled by the first factor, and a bound at the second factor of its real cost."""
    import dataclasses

    import scheduler.solve as solve_module
    from scheduler.model.extract import plan_tables
    from scheduler.strategies import Candidate

    ran: list[str] = []

    def stand_in(name, answer):
        def strategy(problem, budget, incumbent):
            ran.append(name)
            if isinstance(answer, str):
                return Candidate(answer, None, None, None, (), None, None, name)
            price, bound, proven = answer
            tables = plan_tables(problem.data, incumbent.assignment)
            real = tables.total_cents
            costs = tables.costs.assign(amount=tables.costs["amount"] * price)
            tables = dataclasses.replace(tables, costs=costs, total_cents=round(real * price))
            bound = None if bound is None else bound * real
            return Candidate("FEASIBLE", tables, incumbent.assignment, bound, (), 0.1, 0.2, name, proven)

        return strategy

    choices = [(f"s{i}", stand_in(f"s{i}", a), 1.0) for i, a in enumerate(answers)]
    monkeypatch.setattr(solve_module, "_strategies", lambda data, params: choices)
    return ran


def test_the_driver_keeps_the_cheapest_plan_with_the_highest_bound(monkeypatch) -> None:
    """The first strategy finds the cheaper plan, the second only a dearer plan with a higher bound: the
    answer is the first plan, proven by the second's bound (both hold for the same problem)."""
    ran = _fake_strategies(monkeypatch, (1.0, 0.8, False), (1.1, 0.95, False))
    plan = quick(scenario("cm_beats_agency"))
    assert ran == ["s0", "s1"]
    cheaper = plan.total_cost
    assert plan.stats.best_bound == pytest.approx(0.95 * cheaper, abs=0.01)
    assert plan.stats.gap == pytest.approx(0.05, abs=1e-4)


def test_the_driver_stops_once_a_plan_is_proven(monkeypatch) -> None:
    ran = _fake_strategies(monkeypatch, (1.0, 1.0, False), (0.9, 0.9, False))
    plan = quick(scenario("cm_beats_agency"))
    assert ran == ["s0"] and plan.status == "OPTIMAL"


def test_a_proven_infeasibility_ends_the_solve_without_a_cost(monkeypatch) -> None:
    ran = _fake_strategies(monkeypatch, "INFEASIBLE", (1.0, None, False))
    plan = solve(scenario("cm_beats_agency"), SolveParams(time_limit=5, explain=False))
    assert ran == ["s0"]
    assert plan.status == "INFEASIBLE" and plan.stats.objective is None and plan.stats.best_bound is None


def test_no_plan_from_the_first_strategy_leaves_the_rest_of_the_time_to_the_next(monkeypatch) -> None:
    ran = _fake_strategies(monkeypatch, "UNKNOWN", (1.0, None, False))
    plan = quick(scenario("cm_beats_agency"))
    assert ran == ["s0", "s1"] and plan.status == "FEASIBLE" and plan.stats.gap is None
