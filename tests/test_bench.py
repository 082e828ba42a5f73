"""The benchmark ladder as a test: the S rung with a short limit gives a plan the independent checker accepts.
Timing targets are measured by ``scheduler bench`` (a script), never asserted here."""

from __future__ import annotations

from scheduler.bench import SIZES, ladder_raw, ladder_scenario
from scheduler.check import check
from scheduler.solve import SolveParams, solve


def test_ladder_s_gives_a_feasible_checker_clean_plan() -> None:
    scenario = ladder_scenario("S")
    assert scenario.grid.days == SIZES["S"].days
    assert {"senior", "junior", "trainee", "agency"} <= set(scenario.spec.roles)
    # 30 s: under the strict weekly rest the default search ended without a plan in 1 run of 6 at 20 s (2
    # workers; always with 1 worker); 4 runs of 4 at 30 s had one (2026-12-06). The column generation, at
    # 20 s, missed one in 4 as well.
    plan = solve(scenario, SolveParams(time_limit=30, workers=2))
    assert plan.status in ("OPTIMAL", "FEASIBLE"), plan.stats.message
    assert plan.stats.best_bound is not None and plan.stats.best_bound <= plan.stats.objective + 0.01
    verdict = check(scenario, plan)
    assert verdict.ok, [v.message for v in verdict.violations][:5]


def test_ladder_instances_are_deterministic() -> None:
    a, b = ladder_scenario("M"), ladder_scenario("M")
    assert a.hash == b.hash
    assert ladder_scenario("M", seed=8).hash != a.hash


def test_no_rung_asks_more_of_its_team_than_m() -> None:
    """XL has fewer hire slots per existing person than M: its volumes follow the team that can carry them
    (at 45 h of care per existing person its crew LP is infeasible, so no plan exists)."""

    def care_hours_per_team_member(name: str) -> float:
        size = SIZES[name]
        care = ladder_raw(size)["streams"]["care"]
        hours = care["arrivals"]["profile"]["weekly_items"] * care["handle_minutes"] / 60
        return hours / (size.existing + size.hire_slots)

    reference = care_hours_per_team_member("M")
    for name in SIZES:
        assert care_hours_per_team_member(name) <= reference * 1.01, name
