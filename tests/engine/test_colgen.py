"""Tiny scenarios whose optimum was computed by hand, solved by column generation: the plan is the optimum
and the Lagrangian bound proves it."""

from __future__ import annotations

import pytest

from scheduler.solve import SolveParams, solve
from tests.conftest import quick, scenario


@pytest.mark.parametrize(
    ("name", "cost", "hires"),
    [
        ("one_day_agency_only", 810.00, {}),
        ("cm_beats_agency", 597.95, {"junior": 1}),
        ("agency_beats_cm", 450.00, {"junior": 0}),
        ("trainee_with_tutor", 1512.42, {}),
    ],
)
def test_hand_computed_optimum_is_proven_by_the_columns(name: str, cost: float, hires: dict[str, int]) -> None:
    plan = quick(scenario(name), stages="colgen")
    assert plan.stats.stages[0].name == "column generation"
    assert plan.stats.stages[0].status == "CONVERGED"
    assert plan.status == "OPTIMAL"
    assert plan.total_cost == pytest.approx(cost, abs=0.005)
    assert plan.stats.best_bound == pytest.approx(cost, abs=0.005)
    assert plan.stats.gap == 0
    assert plan.hires == hires


def test_no_plan_from_the_columns_is_proven_infeasible_by_the_person_model() -> None:
    plan = quick(scenario("trainee_without_tutor"), stages="colgen")
    assert plan.status == "INFEASIBLE"
    assert plan.total_cost is None
    assert plan.explanation  # CP-SAT names the conflicting rules


def test_the_same_scenario_gives_the_same_plan() -> None:
    first = quick(scenario("check_two_weeks"), time_limit=10, stages="colgen")
    second = quick(scenario("check_two_weeks"), time_limit=10, stages="colgen")
    assert first.is_feasible()
    assert first.total_cost == second.total_cost
    assert first.roster.equals(second.roster)


def test_a_master_lp_that_never_finishes_still_gives_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the first master LP stops before its optimum (once beside the crew bound's HiGHS thread), the
    generation has no LP value: the strategy says so and the CP-SAT path that follows gives the plan."""
    import scheduler.engine.colgen as colgen

    monkeypatch.setattr(colgen, "generate", lambda *args, **kwargs: colgen.Generation())
    lines: list[str] = []
    plan = solve(scenario("cm_beats_agency"), SolveParams(time_limit=20, stages="colgen"), progress=lines.append)
    assert any("LP none, no bound yet" in line for line in lines)
    assert plan.status == "OPTIMAL" and plan.total_cost == pytest.approx(597.95, abs=0.005)


def test_an_exact_try_cut_short_does_not_stop_the_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A periodic exact pricing cut by its time budget (small_company's recruit variant: every one of them)
    finds nothing; the heuristic must go on, to the same LP as a generation whose exact tries finish."""
    import time

    import scheduler.engine.colgen as colgen
    from scheduler.engine.master import build_master
    from scheduler.model.data import compile_model_data
    from scheduler.requirements import compute_requirements

    def lp_after_generation():
        tiny = scenario("cm_beats_agency")
        data = compile_model_data(tiny, compute_requirements(tiny))
        master = build_master(data, 10**6)
        pricer = colgen.Pricer(master)
        colgen.seed_columns(master, pricer, None)
        return colgen.generate(master, pricer, time.perf_counter() + 10)

    finished = lp_after_generation()
    monkeypatch.setattr(colgen, "EXACT_EVERY", 1)  # an exact try every round...
    monkeypatch.setattr(colgen, "EXACT_BUDGET", 0)  # ...each cut before it prices anything
    cut = lp_after_generation()
    assert cut.exact_rounds == 0 and cut.rounds > 2
    assert cut.lp_value == pytest.approx(finished.lp_value, abs=0.5)
