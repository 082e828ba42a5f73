"""Tiny scenarios whose optimum was computed by hand (see each file's comment)."""

from __future__ import annotations

import pytest

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
@pytest.mark.parametrize("stages", ["auto", "staged"])  # tiny problems go direct under "auto"
def test_hand_computed_optimum(name: str, cost: float, hires: dict[str, int], stages: str) -> None:
    plan = quick(scenario(name), stages=stages)
    assert plan.status == "OPTIMAL"
    assert plan.total_cost == pytest.approx(cost, abs=0.005)
    assert plan.stats.best_bound == pytest.approx(cost, abs=0.005)
    assert plan.stats.gap == 0
    assert plan.hires == hires


def test_agency_only_day_is_covered_hour_by_hour() -> None:
    plan = quick(scenario("one_day_agency_only"))
    assert plan.hours_by_role() == {"agency": 24.0}
    coverage = plan.coverage
    assert (coverage["on_duty_agency"] >= coverage["need"]).all()


@pytest.mark.parametrize("stages", ["auto", "staged"])
def test_trainee_without_tutor_is_infeasible(stages: str) -> None:
    plan = quick(scenario("trainee_without_tutor"), stages=stages)
    assert plan.status == "INFEASIBLE"
    assert plan.total_cost is None
    assert plan.stats.objective is None
    assert plan.roster.empty


def test_tutor_is_on_duty_in_every_trainee_hour_and_trainee_adds_no_coverage() -> None:
    plan = quick(scenario("trainee_with_tutor"))
    roster = plan.roster
    trainee = roster[roster["role"] == "trainee"]
    senior = roster[roster["role"] == "senior"]
    assert trainee["paid_hours"].sum() == 35
    for shift in trainee.itertuples():
        assert any(s.start <= shift.start and shift.end <= s.end for s in senior.itertuples())
    # The senior covers the messages; the trainee's capacity is extra and is reported apart.
    coverage = plan.coverage
    assert (coverage["staffed_senior"] >= coverage["need"]).all()
    costs = plan.cost_by_component().set_index(["role", "component"])["amount"]
    assert costs[("trainee", "stipend")] == pytest.approx(35 * 4.50)
