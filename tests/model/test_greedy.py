"""The greedy plan's rule checks: the starting plan must obey the same per-person rules as the model."""

from __future__ import annotations

import dataclasses

from scheduler.model.data import compile_model_data
from scheduler.model.greedy import Greedy
from scheduler.requirements import compute_requirements
from tests.conftest import from_text, quiet_weeks

TWO_QUIET_WEEKS = quiet_weeks("2026-09-07")

ONE_SENIOR = (
    """name: greedy-weekly-rest"""
    + TWO_QUIET_WEEKS
    + """roles:
  senior: {shifts: {earliest_start: "00:00", latest_start: "23:00", lengths_hours: [8]}}
people:
  - {name: Ana, role: senior}
"""
)
# The weekly rest read as a window that only has to start in the week (the rule set's other reading): the
# tests on the window running into next week and on the 48 h pace use six 8 h days a week.
STARTING_IN_WEEK = "rule_overrides: {weekly_rest_reading: starting_in_week}\n"


def _greedy(text: str = ONE_SENIOR + STARTING_IN_WEEK) -> tuple[Greedy, dict[int, int]]:
    scenario = from_text(text)
    g = Greedy(compile_model_data(scenario, compute_requirements(scenario)))
    index = {s.start: i for i, s in enumerate(g.data.shifts["senior"])}  # start slot -> shift (8 h each)
    return g, index


def test_a_shift_early_next_week_cannot_take_this_weeks_only_rest_window() -> None:
    """Monday to Saturday 09:00-17:00 leave week 1 one 35 h window, from Saturday 17:00 into week 2's Monday
    04:00. A Monday shift from 03:00 would cut it to 34 h (L3132-2); from 06:00 it leaves 37 h."""
    g, index = _greedy()
    ana = g.people[0]
    for day in range(6):
        g.take(ana, index[24 * day + 9])
    assert not g.can_take(ana, index[24 * 7 + 3])
    assert g.can_take(ana, index[24 * 7 + 6])


def test_the_default_reading_keeps_35_hours_of_rest_inside_the_calendar_week() -> None:
    """Monday to Friday 09:00-17:00, the default reading (35 h inside each calendar week, L3132-2 read with
    the six-day rule): a Saturday shift ending 13:00 leaves 35 h to Sunday midnight, one ending 14:00 34 h."""
    g, index = _greedy(ONE_SENIOR)
    ana = g.people[0]
    for day in range(5):
        g.take(ana, index[24 * day + 9])
    assert g.can_take(ana, index[24 * 5 + 5])
    assert not g.can_take(ana, index[24 * 5 + 6])


def _plain_scan(g: Greedy, t: int, skill, roles, floors_only: bool):
    """The best shift by looking at every candidate in roster order: what the bound-ordered search must match."""
    best, best_score = None, 0.0
    for p, i in g._staff_candidates(t, skill, roles):
        s = g.data.shifts[p.worker.role][i]
        shape = g._shape(p.worker.role, i, p.worker.productivity)
        gain = g._gain(p.worker.skills, p.worker.role, s.start, s.end, *shape, floors_only)
        score = gain / g._cost(p, i)
        if score > best_score:
            best, best_score = ("staff", p, i), score
    return best, best_score


def test_the_bound_ordered_choice_is_the_plain_scans_and_refusals_stand(monkeypatch) -> None:
    """Every choice of a whole greedy plan (ladder S: 2 streams, floors, hires, a trainee) is the one a scan
    of every candidate makes, and a shift the rules refused someone is still refused at the end."""
    from scheduler.bench import ladder_scenario

    scenario = ladder_scenario("S")
    data = compile_model_data(scenario, compute_requirements(scenario))
    fast = Greedy._best_staff
    calls = []

    def compared(self, t, skill, roles, floors_only):
        chosen = fast(self, t, skill, roles, floors_only)
        assert chosen == _plain_scan(self, t, skill, roles, floors_only)
        calls.append(chosen[0])
        return chosen

    monkeypatch.setattr(Greedy, "_best_staff", compared)
    g = Greedy(data)
    g.fill()
    assert sum(c is not None for c in calls) > 20  # the comparison saw real choices
    refused = [(p, i) for p in g.people for i in p.refused]
    assert refused and not any(g._allowed(p, i) for p, i in refused)


MID_WEEK = (
    """name: internship-ends-mid-week"""
    + TWO_QUIET_WEEKS
    + """roles:
  senior: {}
  trainee: {}
people:
  - {name: Ana, role: senior}
  - {name: Tia, role: trainee, internship: {start: 2026-09-07, end: 2026-09-16}, min_weekly_hours: 21}
"""
)


def test_agreed_hours_apply_to_the_same_weeks_in_the_greedy_as_in_the_model() -> None:
    """An internship ending on a Wednesday has agreed hours in its one whole week only (as the model and
    the checker say); the greedy used to count the second week as a need it could not meet (the retailer's
    one unmet need, which left every completion of a crew plan short)."""
    from scheduler.model.data import agreed_weeks

    scenario = from_text(MID_WEEK)
    g = Greedy(compile_model_data(scenario, compute_requirements(scenario)))
    tia = next(p for p in g.people if p.worker.is_trainee)
    assert agreed_weeks(g.data, tia.worker) == [0]
    assert g.agreed_presence() == 0
    assert tia.week_slots[0] >= tia.worker.min_weekly_slots and tia.week_slots[1] == 0


SENIOR_ON_LEAVE = (
    """name: greedy-supervision"""
    + TWO_QUIET_WEEKS
    + """roles:
  senior: {shifts: {earliest_start: "09:00", latest_start: "09:00", lengths_hours: [8]}}
  junior:
    shifts: {earliest_start: "09:00", latest_start: "09:00", lengths_hours: [8]}
    supervision: {by: [senior], mode: same_day, max_per_supervisor: 1}
people:
  - {name: Ana, role: senior, leave: [{start: 2026-09-08, end: 2026-09-08}]}
  - {name: Bo, role: junior}
  - {name: Cy, role: junior}
"""
)


def test_supervised_shifts_go_when_no_supervisor_can_come() -> None:
    """Two juniors on Tuesday with the only senior on leave, and two on Wednesday with her at work (one
    junior per senior): no senior can come on Tuesday, so both Tuesday shifts go; on Wednesday one goes.
    The model forbids unsupervised juniors, while unmet need is only priced: a plan with them would not
    even be a starting point."""
    scenario = from_text(SENIOR_ON_LEAVE)
    g = Greedy(compile_model_data(scenario, compute_requirements(scenario)))
    ana, bo, cy = g.people
    at_nine = {g.data.shifts["junior"][i].day: i for i in bo.worker.shifts}
    for day in (1, 2):
        g.take(bo, at_nine[day])
        g.take(cy, at_nine[day])
    assert g.supervise() == 3  # Tuesday's two shifts and one of Wednesday's
    plan = g.result()
    juniors = [g.data.shifts["junior"][i].day for p in (bo, cy) for i in plan.shifts.get(p.index, ())]
    seniors = [g.data.shifts["senior"][i].day for i in plan.shifts.get(ana.index, ())]
    assert juniors == [2] and seniors == [2]
    assert g.can_take(g.people[cy.index], at_nine[1])  # what the rules refused before the drop is asked again


def test_a_plan_built_from_nothing_keeps_hours_for_the_last_weeks() -> None:
    """Three weeks give Ana 132 h (the 44 h average, L3121-22) and weeks of at most 48 h (L3121-20). Built
    from nothing, the greedy keeps her within the budget's pace plus the most a week may exceed the average
    (4 h): 48 h in week 1, then 44 h more by the end of week 2 (92 h), not 48. Completing a crew plan, it
    does not pace (the crew level shared the hours out)."""
    scenario = from_text(
        ONE_SENIOR.replace("days: 14", "days: 21").replace('latest_start: "23:00"', 'latest_start: "09:00"')
        + STARTING_IN_WEEK
    )
    data = compile_model_data(scenario, compute_requirements(scenario))
    at_nine = {data.shifts["senior"][i].day: i for i in data.workers[0].shifts}
    for budget_hours, sixth_shift_of_week_2 in ((True, False), (False, True)):
        g = Greedy(data, budget_hours=budget_hours)
        ana = g.people[0]
        for day in [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]:  # six days of 8 h, then five
            assert g.can_take(ana, at_nine[day]), day
            g.take(ana, at_nine[day])
        assert g.can_take(ana, at_nine[12]) == sixth_shift_of_week_2
        assert g.can_take(ana, at_nine[14])  # week 3 has its own share


def test_a_plan_short_of_shifts_is_completed_with_every_persons_shifts_kept() -> None:
    """An assignment that dropped shifts nobody could take is a plan again once the greedy covers what they
    left; the shifts people had stay theirs, and the checker passes the result."""
    from scheduler.check import check
    from scheduler.model.extract import plan_tables
    from scheduler.model.greedy import complete_people, greedy_plan
    from scheduler.plan import Plan, SolverStats
    from tests.conftest import scenario

    tiny = scenario("trainee_with_tutor")
    data = compile_model_data(tiny, compute_requirements(tiny))
    full, unmet = greedy_plan(data)
    assert unmet == 0
    person, shifts = max(full.shifts.items(), key=lambda item: len(item[1]))
    kept = shifts[: len(shifts) // 2]  # half of one person's shifts dropped
    short = dataclasses.replace(full, shifts={**full.shifts, person: kept})
    whole, left = complete_people(data, short, short.agency)
    assert left == 0
    assert set(kept) <= set(whole.shifts[person])
    for w, taken in short.shifts.items():
        assert set(taken) <= set(whole.shifts.get(w, ()))
    tables = plan_tables(data, whole)
    stats = SolverStats("FEASIBLE", tables.total_cents / 100, None, None, 0.1, None, None, 10, 1, 0)
    plan = Plan(
        tiny.name,
        tiny.hash,
        tiny.variant,
        stats,
        tables.hires,
        tables.roster,
        tables.agency,
        tables.coverage,
        tables.costs,
        tables.service,
        tables.shortfall,
        currency=tiny.spec.costs.currency,
    )
    assert check(tiny, plan).ok
