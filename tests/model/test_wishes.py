"""People's wishes: a day off, or a day or shift at work, each with what granting it is worth.

The week: messages Monday to Friday 09:00-16:00; Ana, a junior already on the payroll, can work 09:00-16:00
each day; an agency covers any day for 7 h x 30 EUR = 210.00 EUR. Ana's salary is paid anyway, so without
wishes she works all five days and the agency is not booked.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scheduler.check import check
from tests.conftest import from_text, quick

WEEK = """
name: wishes
horizon: {start: 2026-06-01, days: 7, holidays: {country: null}}
costs: {paid_leave_provision: false}
streams:
  care:
    skill: care
    handle_minutes: 5
    arrivals:
      profile:
        weekly_items: 35
        daily_curve: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        weekday_factors: [1, 1, 1, 1, 1, 0, 0]
    targets: {day: {share: 0.8, within_minutes: 60}}
roles:
  junior:
    skills: [care]
    salary: {monthly_gross: 2000, employer_charge_rate: 0.30}
    shifts: {earliest_start: "09:00", latest_start: "09:00", lengths_hours: [7]}
  agency:
    skills: [care]
    rates_per_hour: {day: 30, night: 30, weekend: 30}
    min_block_hours: 2
    max_concurrent: 1
    monthly_fee: 0
people:
  - name: Ana
    role: junior
"""


def _with_requests(requests: str):
    return from_text(WEEK + f"    requests: {requests}\n")


def _base_cost() -> float:
    return quick(from_text(WEEK), workers=1).total_cost


@pytest.mark.parametrize(("weight", "granted"), [(209, False), (211, True)])
def test_a_day_off_is_granted_when_it_is_worth_more_than_the_agency_day(weight: int, granted: bool) -> None:
    """Wednesday off costs the agency's 210.00 EUR: a wish worth 211 EUR is granted (cost + 210), one worth
    209 EUR is not (cost + 209, a line of its own)."""
    scenario = _with_requests(f'[{{date: 2026-06-03, kind: "off", weight: {weight}}}]')
    plan = quick(scenario, workers=1)
    assert plan.status == "OPTIMAL"
    base = _base_cost()
    assert plan.total_cost == pytest.approx(base + (210 if granted else weight), abs=0.01)
    assert plan.wishes.to_dict("records") == [
        {"person": "Ana", "date": "2026-06-03", "kind": "off", "shift": "", "weight": float(weight), "granted": granted}
    ]
    wednesday = plan.roster[plan.roster["date"].astype(str) == "2026-06-03"]
    assert wednesday.empty == granted
    lines = plan.costs[plan.costs["component"].str.startswith("wish not granted")]
    assert list(lines["amount"]) == ([] if granted else [float(weight)])
    assert check(scenario, plan).ok


def test_a_wish_about_another_shift_leaves_the_day_as_it_is() -> None:
    """Not wanting the 10:00 shift says nothing of the 09:00 one Ana works: granted, at no cost."""
    scenario = from_text(
        WEEK.replace('latest_start: "09:00"', 'latest_start: "10:00"')
        + '    requests: [{date: 2026-06-03, kind: "off", shift: "10:00", weight: 50}]\n'
    )
    plan = quick(scenario, workers=1)
    assert plan.wishes["granted"].tolist() == [True]
    assert check(scenario, plan).ok


@pytest.mark.parametrize(("weight", "granted"), [(1, False), (1000, True)])
def test_a_day_at_work_is_granted_when_it_is_worth_its_overtime(weight: int, granted: bool) -> None:
    """Saturday has no messages: a sixth 7 h day is overtime (42 h against 35 h), about 150 EUR. A wish worth
    1 EUR is not granted, one worth 1 000 EUR is."""
    scenario = _with_requests(f'[{{date: 2026-06-06, kind: "work", weight: {weight}}}]')
    plan = quick(scenario, workers=1)
    assert plan.status == "OPTIMAL"
    saturday = plan.roster[plan.roster["date"].astype(str) == "2026-06-06"]
    assert saturday.empty != granted
    assert plan.wishes["granted"].tolist() == [granted]
    base = _base_cost()
    if not granted:
        assert plan.total_cost == pytest.approx(base + weight, abs=0.01)
    else:
        assert base < plan.total_cost < base + weight
    assert check(scenario, plan).ok


def test_the_checker_prices_a_hand_edited_roster_that_breaks_a_granted_wish() -> None:
    """A manager moves Ana back onto her Wednesday off by hand: the checker finds the plan's cost lines wrong
    (the wish's weight is now due), from the roster alone."""
    scenario = _with_requests('[{date: 2026-06-03, kind: "off", weight: 500}]')
    plan = quick(scenario, workers=1)
    assert plan.wishes["granted"].tolist() == [True]
    tuesday = plan.roster[plan.roster["date"].astype(str) == "2026-06-02"].iloc[0].copy()
    for column in ("date", "start", "end", "break_start"):
        if isinstance(tuesday[column], str):
            tuesday[column] = tuesday[column].replace("2026-06-02", "2026-06-03")
    edited = pd.concat([plan.roster, tuesday.to_frame().T], ignore_index=True)
    import dataclasses

    verdict = check(scenario, dataclasses.replace(plan, roster=edited))
    assert not verdict.ok
    subjects = [v.subject for v in verdict.violations]
    assert "Ana / wish not granted: off 2026-06-03" in subjects, subjects


@pytest.mark.parametrize(
    ("request_text", "field", "value"),
    [
        ("[{date: 2026-06-09, weight: 10}]", "people[0].requests[0].date", "2026-06-09"),
        ("[{date: 2026-06-03, weight: -1}]", "people[0].requests[0].weight", "-1"),
        ('[{date: 2026-06-03, kind: "maybe", weight: 1}]', "people[0].requests[0].kind", "maybe"),
        ('[{date: 2026-06-03, shift: "11:00", weight: 1}]', "people[0].requests[0].shift", "11:00"),
    ],
)
def test_a_bad_wish_is_refused_naming_its_field(request_text: str, field: str, value: str) -> None:
    from scheduler.errors import InputError

    with pytest.raises(InputError) as caught:
        _with_requests(request_text)
    assert field in str(caught.value) and value in str(caught.value)


@pytest.mark.parametrize("engine", ["staged", "colgen"])
def test_every_engine_prices_wishes_alike(engine: str) -> None:
    """Wishes live in the shifts' prices, so the crew level, the assignment and the column generation's
    pricing see them as the person-level model does: the same optimum, checker-clean. With Wednesday off
    (the agency's 210 EUR against 211), a Saturday shift is no longer overtime and costs nothing: the 1 EUR
    wish to work it is granted too."""
    scenario = _with_requests(
        '[{date: 2026-06-03, kind: "off", weight: 211}, {date: 2026-06-06, kind: "work", weight: 1}]'
    )
    direct = quick(scenario, workers=1)
    other = quick(scenario, workers=1, stages=engine)
    assert other.total_cost == pytest.approx(direct.total_cost, abs=0.01)
    assert other.wishes["granted"].tolist() == direct.wishes["granted"].tolist() == [True, True]
    assert check(scenario, other).ok


def test_wishes_are_saved_shown_and_read_back(tmp_path) -> None:
    """wishes.csv beside the other tables, read back by load_plan; a section in the report and the table."""
    from rich.console import Console

    from scheduler.plan import load_plan
    from scheduler.report.html import plan_report
    from scheduler.report.table import print_plan

    scenario = _with_requests(
        '[{date: 2026-06-03, kind: "off", weight: 211}, {date: 2026-06-04, kind: "off", weight: 5}]'
    )
    plan = quick(scenario, workers=1)
    plan.save(tmp_path / "plan")
    again = load_plan(tmp_path / "plan")
    assert again.wishes["granted"].astype(bool).tolist() == plan.wishes["granted"].tolist() == [True, False]
    assert check(scenario, again).ok
    assert "1 of 2 wish(es) granted" in plan_report(scenario, plan)
    console = Console(record=True, width=120)
    print_plan(plan, console)
    assert "Wishes" in console.export_text()


# --------------------------------------------------------------------------- a person's own hard limits
def _person(limit: str, *, days: int = 7, weekends: bool = False):
    text = WEEK.replace("days: 7,", f"days: {days},")
    if weekends:
        text = text.replace("weekday_factors: [1, 1, 1, 1, 1, 0, 0]", "weekday_factors: [1, 1, 1, 1, 1, 1, 1]")
    return from_text(text + f"    {limit}\n")


def _runs(plan) -> list[int]:
    days = sorted({d.toordinal() for d in pd.to_datetime(plan.roster["date"]).dt.date})
    runs, run = [], 0
    for k, d in enumerate(days):
        run = run + 1 if k and d == days[k - 1] + 1 else 1
        runs.append(run)
    return runs


@pytest.mark.parametrize("limit", [4, 5])
def test_at_most_n_days_in_a_row_in_the_model(limit: int) -> None:
    """Monday to Friday need Ana or the agency: with at most 4 days in a row one weekday goes to the agency
    (210 EUR more); with 5 she works all five."""
    scenario = _person(f"max_consecutive_days: {limit}")
    plan = quick(scenario, workers=1)
    assert plan.status == "OPTIMAL"
    assert max(_runs(plan)) == limit
    assert plan.total_cost == pytest.approx(_base_cost() + (210 if limit == 4 else 0), abs=0.01)
    assert check(scenario, plan).ok


@pytest.mark.parametrize(("limit", "ok"), [(5, True), (4, False)])
def test_the_checker_counts_days_in_a_row_on_the_boundary(limit: int, ok: bool) -> None:
    """Ana's five weekdays in a row pass a limit of 5 and break a limit of 4."""
    plan = quick(from_text(WEEK), workers=1)
    assert max(_runs(plan)) == 5
    verdict = check(_person(f"max_consecutive_days: {limit}"), plan)
    rules = [v.rule for v in verdict.violations]
    assert ("max_consecutive_days" in rules) != ok, rules


@pytest.mark.parametrize(("limit", "ok"), [(2, True), (1, False)])
def test_weekends_worked_on_the_boundary(limit: int, ok: bool) -> None:
    """Two weeks with messages every day; Ana wishes (1 000 EUR each) to work both Saturdays, so the plan has
    her on two weekends: the checker passes it for at most 2 weekends and not for 1. Solved with at most 1,
    she works one weekend at most, whatever the wishes."""
    saturdays = '[{date: 2026-06-06, kind: "work", weight: 1000}, {date: 2026-06-13, kind: "work", weight: 1000}]'
    both = quick(_person(f"requests: {saturdays}", days=14, weekends=True), workers=1)
    worked = pd.to_datetime(both.roster["date"])
    assert worked[worked.dt.dayofweek >= 5].dt.isocalendar().week.nunique() == 2
    verdict = check(_person(f"requests: {saturdays}\n    max_weekends: {limit}", days=14, weekends=True), both)
    assert ("max_weekends" in [v.rule for v in verdict.violations]) != ok
    one = _person(f"requests: {saturdays}\n    max_weekends: 1", days=14, weekends=True)
    plan = quick(one, workers=1)
    worked = pd.to_datetime(plan.roster["date"])
    assert worked[worked.dt.dayofweek >= 5].dt.isocalendar().week.nunique() == 1
    assert plan.wishes["granted"].tolist().count(True) == 1
    assert check(one, plan).ok


def test_the_greedy_start_keeps_to_a_persons_limits() -> None:
    """The greedy start is a plan of its own when it covers every need: it must never break a hard rule."""
    from scheduler.model.data import compile_model_data
    from scheduler.model.greedy import Greedy
    from scheduler.requirements import compute_requirements

    scenario = _person("max_consecutive_days: 2\n    max_weekends: 0", days=14, weekends=True)
    g = Greedy(compile_model_data(scenario, compute_requirements(scenario)))
    ana = g.people[0]
    by_day = {s.day: i for i, s in enumerate(g.data.shifts["junior"])}
    g.take(ana, by_day[0])
    g.take(ana, by_day[1])
    assert not g.can_take(ana, by_day[2])  # a third day in a row
    assert g.can_take(ana, by_day[3])
    assert not g.can_take(ana, by_day[5])  # Saturday: no weekend at all


def test_column_generation_leaves_personal_limits_to_the_cp_sat_path() -> None:
    """The labeling does not carry a person's own limits yet: the columns step aside (a stage says so) and
    the CP-SAT path gives the plan, which keeps to the limit."""
    scenario = _person("max_consecutive_days: 4")
    plan = quick(scenario, workers=1, stages="colgen")
    first = plan.stats.stages[0]
    assert (first.name, first.status) == ("column generation", "SKIPPED")
    assert max(_runs(plan)) == 4 and check(scenario, plan).ok


@pytest.mark.parametrize(
    ("limit", "field"), [("max_consecutive_days: 0", "max_consecutive_days"), ("max_weekends: -1", "max_weekends")]
)
def test_a_bad_personal_limit_is_refused_naming_its_field(limit: str, field: str) -> None:
    from scheduler.errors import InputError

    with pytest.raises(InputError) as caught:
        _person(limit)
    assert f"people[0].{field}" in str(caught.value)
