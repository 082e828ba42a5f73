"""Infeasible scenarios explained in words: the smallest set of conflicting rules and slot needs."""

from __future__ import annotations

from scheduler.explain import explain
from scheduler.model.data import compile_model_data
from scheduler.requirements import compute_requirements
from tests.conftest import quick, scenario
from tests.model.test_rule_boundaries import every, solve_case


def test_a_slot_the_allowed_roles_cannot_cover_is_named_with_who_could_work() -> None:
    plan = quick(scenario("sunday_night_beyond_the_agency"))
    assert plan.status == "INFEASIBLE"
    assert len(plan.explanation) == 1
    reason = plan.explanation[0]
    assert reason.startswith("Sun 07 Jun 03:00-04:00: care needs 4 people on duty")
    assert "the agency (at most 1 at a time)" in reason
    assert "junior (no Sunday work)" in reason


def test_a_trainee_without_tutor_is_explained_by_her_agreement_and_the_tutor_rule() -> None:
    plan = quick(scenario("trainee_without_tutor"))
    reasons = " ".join(plan.explanation)
    assert "Lea (week 1): 35 h of presence a week agreed" in reasons
    assert "R124-13" in reasons
    assert plan.explanation[0] in plan.stats.message


def test_rest_conflict_names_the_rule_the_person_and_the_two_slots() -> None:
    times = [*every("2026-06-02 14:00", "2026-06-02 19:00", 15), "2026-06-03 05:45"]
    plan = solve_case(times, start="2026-06-02", days=2, slot=15, lengths=(5,))
    assert plan.explanation == (
        "Tue 02 Jun 18:45-19:00: care needs 1 person on duty (response target); able to work then: junior"
        " (1 on the payroll, up to 0 to hire).",
        "Wed 03 Jun 05:45-06:00: care needs 1 person on duty (response target); able to work then: junior"
        " (1 on the payroll, up to 0 to hire).",
        "Ana: at least 11 consecutive hours of rest between two shifts (L3131-1).",
    )


def test_a_feasible_scenario_has_nothing_to_explain() -> None:
    s = scenario("cm_beats_agency")
    assert explain(compile_model_data(s, compute_requirements(s)), 10) is None
