"""Roster rules and wishes on their boundaries, on tiny hand-computed scenarios.

One junior (Ana, sometimes Bea) whose only shift starts at 09:00 for 4 h (short enough for the 44 h average
week taken over a horizon of days), and presence floors 09:00-13:00 on chosen days: a floor nobody covers
costs the presence shortfall price (10 EUR an hour, so 40 EUR a day). Granting a day-off wish on a floor day
therefore costs 40 EUR: a weight just above is granted, just below is not. Hard rules: the plan either
covers every floor or is proven infeasible.
"""

from __future__ import annotations

import pytest

from scheduler.check import check
from tests.conftest import from_text, quick

BASE = """
name: wishes
horizon: {{start: {start}, days: {days}, slot_minutes: 60, holidays: {{country: null}}}}
streams:
  care:
    skill: care
    arrivals: {{profile: {{weekly_items: 0}}}}
    targets: {{day: {{share: 0.9, within_minutes: 60}}}}
presence:
  - {{name: desk, min: {floor}, from: "{open}", to: "13:00", days: {floor_days}}}
shortfall: {{allowed: {shortfall}, price_per_presence_hour: 10}}
roles:
  junior:
    kind: junior
    skills: [care]
    shifts: {{earliest_start: "{first}", latest_start: "{last}", start_step_minutes: 60, lengths_hours: [4]}}
    salary: {{monthly_gross: 2000, employer_charge_rate: 0.4}}
    roster: {role_roster}
    fairness: {fairness}
people: {people}
requests: {requests}
"""

WEEK = "[mon, tue, wed, thu, fri, sat, sun]"


def case(
    *,
    days: int = 1,
    start: str = "2026-03-02",
    people: str = "[{name: Ana, role: junior, count_salary: false}]",
    requests: str = "[]",
    role_roster: str = "{}",
    fairness: str = "null",
    floor: int = 1,
    floor_days: str = WEEK,
    shortfall: bool = True,
    first: str = "09:00",
    last: str = "09:00",
    open_: str = "09:00",
):
    text = BASE.format(
        start=start,
        days=days,
        people=people,
        requests=requests,
        role_roster=role_roster,
        fairness=fairness,
        floor=floor,
        floor_days=floor_days,
        shortfall=str(shortfall).lower(),
        first=first,
        last=last,
        open=open_,
    )
    return from_text(text)


def run(scenario):
    """The person-level model proven optimal (no gap allowed: a wish's cent decides)."""
    return quick(scenario, time_limit=10, stages="direct", gap_limit=0.0)


def solved(scenario):
    plan = run(scenario)
    verdict = check(scenario, plan)
    breaches = [v for v in verdict.violations if v.rule != "presence"]  # priced shortfall is listed as such
    assert not breaches, verdict.summary()
    return plan


def granted(plan) -> list[bool]:
    return [str(g).lower() == "true" for g in plan.wishes["granted"]]


@pytest.mark.parametrize(("weight", "expected"), [(40.01, True), (39.99, False)])
def test_a_day_off_wish_is_granted_when_it_is_worth_more_than_the_shortfall_it_leaves(weight, expected):
    plan = solved(case(requests=f"[{{person: Ana, date: 2026-03-02, kind: day_off, weight: {weight}}}]"))
    assert plan.stats.status == "OPTIMAL"
    assert granted(plan) == [expected]
    refused = plan.costs[plan.costs["component"] == "wishes not granted"]["amount"].sum()
    assert refused == pytest.approx(0 if expected else weight)


@pytest.mark.parametrize(("weight", "expected"), [(40.01, True), (39.99, False)])
def test_a_shift_wish_on_an_empty_day_is_granted_only_above_the_cost_of_the_day_it_makes_short(weight, expected):
    # Two days, a floor on Tuesday only; Ana may not work two days in a row; she wishes Monday's 09:00 shift.
    scenario = case(
        days=2,
        floor_days="[tue]",
        role_roster="{max_consecutive_days: 1}",
        requests=f'[{{person: Ana, date: 2026-03-02, kind: shift_on, shift: "09:00-10:00", weight: {weight}}}]',
    )
    plan = solved(scenario)
    assert granted(plan) == [expected]


@pytest.mark.parametrize(("most", "status"), [(3, "OPTIMAL"), (2, "INFEASIBLE")])
def test_max_consecutive_days_exactly_n_passes_n_plus_one_fails(most, status):
    scenario = case(days=3, shortfall=False, role_roster=f"{{max_consecutive_days: {most}}}")
    assert run(scenario).stats.status == status


@pytest.mark.parametrize(("least", "status"), [(2, "OPTIMAL"), (3, "INFEASIBLE")])
def test_min_consecutive_days_inside_the_horizon(least, status):
    # Floor on Tuesday and Wednesday of five days: a run of two that touches no edge.
    scenario = case(days=5, floor_days="[tue, wed]", shortfall=False, role_roster=f"{{min_consecutive_days: {least}}}")
    plan = run(scenario)
    # With 3, the run must grow to Monday-Wednesday or Tuesday-Thursday: still legal, so OPTIMAL both ways.
    assert plan.stats.status == "OPTIMAL"
    assert check(scenario, plan).ok


def test_min_consecutive_days_off_between_worked_days_on_its_boundary_and_free_at_the_edges():
    # Work Monday and Thursday, Tuesday a fixed day off: at most two days off between them.
    def status(days: int, floors: str, least: int) -> str:
        rules = f"{{days_off: [tue], min_consecutive_days_off: {least}}}"
        return run(case(days=days, floor_days=floors, shortfall=False, role_roster=rules)).stats.status

    assert status(4, "[mon, thu]", 2) == "OPTIMAL"
    assert status(4, "[mon, thu]", 3) == "INFEASIBLE"
    # A run of days off that touches the horizon's edge may go on outside it: Tuesday off, then Wednesday
    # worked, is one day off at the start of a horizon that begins on Tuesday.
    assert (
        run(
            case(
                start="2026-03-03",
                days=2,
                floor_days="[wed]",
                shortfall=False,
                role_roster="{days_off: [tue], min_consecutive_days_off: 5}",
            )
        ).stats.status
        == "OPTIMAL"
    )


@pytest.mark.parametrize(("most", "status"), [(2, "OPTIMAL"), (1, "INFEASIBLE")])
def test_max_weekends(most, status):
    # Saturday 7 March to Sunday 15 March: two weekends with a Sunday floor each.
    scenario = case(
        start="2026-03-07", days=9, floor_days="[sun]", shortfall=False, role_roster=f"{{max_weekends: {most}}}"
    )
    assert run(scenario).stats.status == status


@pytest.mark.parametrize(("low", "high", "status"), [(8, 8, "OPTIMAL"), (12, 20, "INFEASIBLE"), (0, 7, "INFEASIBLE")])
def test_min_and_max_hours(low, high, status):
    # Floors on two days of three and at most two days in a row: exactly 8 h. 12 h needs all three days
    # (forbidden); 7 h cannot cover both floors.
    scenario = case(
        days=3,
        floor_days="[mon, tue]",
        shortfall=False,
        role_roster=f"{{min_hours: {low}, max_hours: {high}, max_consecutive_days: 2}}",
    )
    plan = run(scenario)
    assert plan.stats.status == status


@pytest.mark.parametrize("start", ["2026-03-02", "2026-03-08"])  # Monday-Tuesday, and Sunday-Monday (week edge)
def test_a_forbidden_succession_across_midnight_and_across_a_week_edge(start):
    # Shifts start at 08:00 or 09:00; only 09:00 starts cover the floor (09:00-13:00) on both days.
    def status(first: str, then: str) -> str:
        rules = f'{{no_succession: [{{first: "{first}", then: "{then}"}}]}}'
        scenario = case(start=start, days=2, shortfall=False, role_roster=rules, first="08:00")
        return run(scenario).stats.status

    assert status("09:00-10:00", "09:00-10:00") == "INFEASIBLE"
    assert status("09:00-10:00", "08:00-09:00") == "OPTIMAL"
    assert status("22:00-10:00", "06:00-09:00") == "OPTIMAL"  # a window across midnight names 08:00 and 09:00
    assert status("22:00-10:00", "22:00-10:00") == "INFEASIBLE"


def test_fixed_days_off_by_weekday_and_date():
    scenario = case(days=2, role_roster="{days_off: [mon]}")
    plan = solved(scenario)
    assert set(plan.roster["date"]) == {"2026-03-03"}
    person = case(days=2, people="[{name: Ana, role: junior, roster: {days_off: [2026-03-03]}}]")
    assert set(solved(person).roster["date"]) == {"2026-03-02"}


@pytest.mark.parametrize(("limit", "people"), [(1, {1, 2}), (0, {2})])
def test_fairness_max_difference_of_sundays(limit, people):
    # One Sunday, a floor of one person, two juniors: a spread of 1 passes a limit of 1; a limit of 0 makes
    # both work it (free here: no salary counted, no Sunday premium).
    scenario = case(
        start="2026-03-08",
        days=1,
        shortfall=False,
        people="[{name: Ana, role: junior, count_salary: false}, {name: Bea, role: junior, count_salary: false}]",
        fairness=f"{{sundays: {{max_difference: {limit}}}}}",
    )
    plan = solved(scenario)
    assert len(plan.roster) in people
    assert plan.fairness.iloc[0]["spread"] <= limit


def test_colgen_refuses_roster_rules():
    from scheduler.errors import InputError

    with pytest.raises(InputError, match="column generation"):
        quick(case(role_roster="{max_weekends: 1}"), time_limit=5, stages="colgen")


def test_the_greedy_start_keeps_the_hard_roster_rules_or_reports_a_gap():
    from scheduler.model.data import compile_model_data
    from scheduler.model.greedy import greedy_plan
    from scheduler.requirements import compute_requirements

    def greedy(scenario):
        data = compile_model_data(scenario, compute_requirements(scenario))
        assignment, unmet = greedy_plan(data)
        days = sorted(data.shifts["junior"][i].day for i in assignment.shifts.get(0, ()))
        return days, unmet

    # Five floor days, at most two in a row: the greedy leaves gaps rather than a third day in a row.
    days, unmet = greedy(case(days=5, shortfall=False, role_roster="{max_consecutive_days: 2, max_weekends: 0}"))
    assert all(not (d + 1 in days and d + 2 in days) for d in days)
    assert unmet > 0
    # Fewest consecutive days cannot be kept while building: a roster that breaks it counts as unmet.
    days, unmet = greedy(case(days=5, floor_days="[wed]", shortfall=False, role_roster="{min_consecutive_days: 3}"))
    assert days == [2] and unmet > 0
