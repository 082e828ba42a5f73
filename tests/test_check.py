"""The independent checker: solved example plans pass, and each broken rule is caught by name, at its edge.

Rule tests use tiny scenarios from tests/data/check_*.yaml and rosters written here; the solved examples
(one short solve each per session) show that the checker and the model agree on real plans.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from scheduler.check import check
from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.plan import ROSTER_COLUMNS, Plan, SolverStats, load_plan
from scheduler.scenario import load_scenario, parse_scenario
from tests.conftest import quiet_weeks

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = ROOT / "scenarios"
COST_RULES = {"cost line", "total cost"}


# ------------------------------------------------------------------------------------------ helpers
def shift(person: str, role: str, start: str, end: str, brk: str | None = None, minutes: int = 20) -> dict:
    """A roster row as a spreadsheet user would type it (derived columns left rough on purpose)."""
    return {
        "person": person,
        "role": role,
        "hired": " hire " in person,
        "date": start[:10],
        "start": start,
        "end": end,
        "paid_hours": 0,
        "night_hours": 0,
        "sunday": False,
        "holiday": False,
        "break_start": brk or "",
        "break_minutes": minutes if brk else 0,
    }


def day_shift(person: str, role: str, day: str, start: str = "09:00", end: str = "15:00", brk: str = "12:00") -> dict:
    """A shift on one local day of the two-week scenario (Paris summer time, +02:00)."""
    return shift(person, role, f"{day}T{start}+02:00", f"{day}T{end}+02:00", f"{day}T{brk}+02:00")


def make_plan(
    roster: list[dict],
    agency: list[dict] = (),
    costs: list[dict] = (),
    objective: float | None = None,
    hires: dict[str, int] | None = None,
) -> Plan:
    if objective is None:
        objective = round(sum(c["amount"] for c in costs), 2)
    stats = SolverStats("FEASIBLE", objective, None, None, 0.0, None, None, 1.0, 1, 0)
    return Plan(
        scenario="hand-made",
        scenario_hash="",
        variant=None,
        stats=stats,
        hires=hires or {},
        roster=pd.DataFrame(list(roster), columns=list(ROSTER_COLUMNS)),
        agency=pd.DataFrame(list(agency), columns=["agency", "start", "end", "moderators", "hours", "cost"]),
        costs=pd.DataFrame(
            list(costs), columns=["role", "who", "component", "quantity", "unit", "unit_price", "amount"]
        ),
    )


def rules(verdict) -> set[str]:
    """Rules broken, costs aside (hand-written rosters carry no cost lines)."""
    return {v.rule for v in verdict.violations if v.rule not in COST_RULES}


def only(verdict, rule: str):
    found = [v for v in verdict.violations if v.rule == rule]
    assert found, f"no {rule} violation in {verdict.violations}"
    return found


def replace_rows(plan: Plan, roster: pd.DataFrame | None = None, agency: pd.DataFrame | None = None) -> Plan:
    from dataclasses import replace

    return replace(
        plan,
        roster=plan.roster if roster is None else roster.reset_index(drop=True),
        agency=plan.agency if agency is None else agency.reset_index(drop=True),
    )


# -------------------------------------------------------------------- the two-week rules scenario
WEEK1 = ["2026-09-07", "2026-09-08", "2026-09-09", "2026-09-10", "2026-09-11", "2026-09-12"]  # Mon-Sat
WEEK2 = ["2026-09-14", "2026-09-15", "2026-09-16", "2026-09-17"]  # Mon-Thu


@pytest.fixture(scope="module")
def two_weeks():
    return load_scenario(DATA / "check_two_weeks.yaml")


def base_roster() -> list[dict]:
    """A legal fortnight: Ana (senior) works 09:00-15:00 Mon-Sat then Mon-Thu and tutors Tia (trainee, the
    same hours on weekdays); Ben (junior, off on Sundays, on leave on Wed 16 Sep) works 09:00-17:00 on weekdays."""
    rows = []
    for day in WEEK1 + WEEK2:
        rows.append(day_shift("Ana", "senior", day))
        if day != "2026-09-12":
            rows.append(day_shift("Tia", "trainee", day))
    for day in [*WEEK1[:5], "2026-09-14", "2026-09-15", "2026-09-17", "2026-09-18"]:
        rows.append(day_shift("Ben", "junior", day, end="17:00", brk="13:00"))
    return rows


def without(rows: list[dict], person: str, day: str) -> list[dict]:
    return [r for r in rows if not (r["person"] == person and r["date"] == day)]


def test_legal_fortnight_passes(two_weeks):
    verdict = check(two_weeks, make_plan(base_roster()))
    assert rules(verdict) == set(), verdict.violations


def test_daily_rest_exactly_eleven_hours_passes_and_one_minute_or_one_slot_less_fails(two_weeks):
    rows = without(base_roster(), "Ben", "2026-09-08")
    legal = check(two_weeks, make_plan([*rows, day_shift("Ben", "junior", "2026-09-08", "04:00", "12:00", "08:00")]))
    assert rules(legal) == set()
    for start, shown in (("03:59", "10 h 59"), ("03:00", "10.0 h")):
        late = day_shift("Ben", "junior", "2026-09-08", start, "12:00", "08:00")
        verdict = check(two_weeks, make_plan([*rows, late]))
        assert rules(verdict) == {"min_daily_rest_hours"}
        (v,) = only(verdict, "min_daily_rest_hours")
        assert v.subject == "Ben" and v.reference == "L3131-1"
        assert v.message == f"rest {shown} < 11 h"
        assert v.start == "2026-09-07T17:00+02:00" and v.end == f"2026-09-08T{start}+02:00"


def test_one_hour_beyond_48_in_a_week_fails(two_weeks):
    rows = [r for r in base_roster() if not (r["person"] == "Ana" and r["date"] in WEEK1)]
    rows += [day_shift("Ana", "senior", day, end="17:00") for day in WEEK1]  # 6 x 8 h = 48 h
    assert rules(check(two_weeks, make_plan(rows))) == set()
    longer = [*without(rows, "Ana", "2026-09-12"), day_shift("Ana", "senior", "2026-09-12", end="18:00")]
    verdict = check(two_weeks, make_plan(longer))
    assert rules(verdict) == {"max_weekly_hours"}
    (v,) = only(verdict, "max_weekly_hours")
    assert (v.found, v.limit, v.reference) == (49.0, 48, "L3121-20")


def test_average_week_over_the_horizon(two_weeks):
    others = [r for r in base_roster() if r["person"] != "Ana"]
    weeks = [day_shift("Ana", "senior", d, end="17:00") for d in [*WEEK1, *WEEK2, "2026-09-18"]]
    assert rules(check(two_weeks, make_plan(others + weeks))) == set()  # 48 h + 40 h = 88 h = 44 h x 14 / 7
    saturday = day_shift("Ana", "senior", "2026-09-19", end="17:00")
    verdict = check(two_weeks, make_plan([*others, *weeks, saturday]))  # 48 h in each week, 96 h in all
    assert rules(verdict) == {"max_average_weekly_hours"}
    (v,) = only(verdict, "max_average_weekly_hours")
    assert (v.found, v.limit, v.reference) == (96.0, 88.0, "L3121-22")


def test_seventh_working_day_in_a_calendar_week_fails(two_weeks):
    rows = base_roster()
    six = [day_shift("Ana", "senior", d) for d in ("2026-09-18", "2026-09-19")]  # Mon-Sat of week 2
    assert rules(check(two_weeks, make_plan(rows + six))) == set()
    # The Sunday is the 7th day; its weekly rest runs past the horizon's end, which counts as rest.
    verdict = check(two_weeks, make_plan([*rows, *six, day_shift("Ana", "senior", "2026-09-20")]))
    assert rules(verdict) == {"max_working_days_per_week"}
    (v,) = only(verdict, "max_working_days_per_week")
    assert (v.found, v.limit, v.reference) == (7, 6, "L3132-1")


def test_weekly_rest_needs_35_hours_starting_in_the_week(two_weeks):
    rows = without(without(without(base_roster(), "Ana", "2026-09-12"), "Ana", "2026-09-14"), "Tia", "2026-09-14")
    # Ana: Fri 15:00 -> Sat 20:00 is 29 h; after a Saturday night shift ending Sun 04:00, Monday decides.
    night = shift("Ana", "senior", "2026-09-12T20:00+02:00", "2026-09-13T04:00+02:00", "2026-09-13T00:00+02:00")
    for start, ok in (("15:00", True), ("14:00", False)):  # Sun 04:00 -> Mon 15:00 is 35 h; 14:00 is 34 h
        monday = shift("Ana", "senior", f"2026-09-14T{start}+02:00", "2026-09-14T19:00+02:00")
        verdict = check(two_weeks, make_plan([*rows, night, monday]))
        assert (rules(verdict) == set()) is ok, verdict.violations
        if not ok:
            assert rules(verdict) == {"min_weekly_rest_hours"}
            (v,) = only(verdict, "min_weekly_rest_hours")
            assert (v.subject, v.found, v.limit, v.reference) == ("Ana", 34.0, 35, "L3132-2")
            assert v.start == "2026-09-07T00:00+02:00" and v.end == "2026-09-14T00:00+02:00"


STRICT_WEEKS = (
    "name: strict-weekly-rest"
    + quiet_weeks("2026-10-12")
    + """roles:
  senior: {}
people:
  - {name: Ana, role: senior}
"""
)


def strict_weeks(reading: str | None = None):
    """Two calendar weeks under the default reading of the weekly rest (or ``reading``); the second week
    (19-25 Oct 2026) ends with the autumn clock change, so its Sunday lasts 25 hours."""
    text = STRICT_WEEKS if reading is None else STRICT_WEEKS + f"rule_overrides: {{weekly_rest_reading: {reading}}}\n"
    return parse_scenario(text, source="strict.yaml")


def six_days(monday: str, saturday_end: str, offset: str = "+02:00") -> list[dict]:
    """Ana works 09:00-15:00 Monday to Friday, then a Saturday shift of 08:00 to ``saturday_end``."""
    first = datetime.fromisoformat(monday).date()
    rows = [day_shift("Ana", "senior", str(first + timedelta(days=d))) for d in range(5)]
    saturday = str(first + timedelta(days=5))
    rows.append(
        shift(
            "Ana",
            "senior",
            f"{saturday}T08:00{offset}",
            f"{saturday}T{saturday_end}{offset}",
            f"{saturday}T11:00{offset}",
        )
    )
    return rows


def test_strict_weekly_rest_is_the_default_and_must_lie_inside_the_week():
    """L3132-2 read strictly: Saturday 13:00 to Sunday 24:00 is exactly 35 h and passes; one minute more of
    Saturday work leaves 34 h 59 inside the week and fails, though the rest runs on to Monday 09:00."""
    assert strict_weeks().rules["weekly_rest_reading"] == "within_week"
    assert rules(check(strict_weeks(), make_plan(six_days("2026-10-12", "13:00")))) == set()
    late = make_plan(six_days("2026-10-12", "13:01"))
    verdict = check(strict_weeks(), late)
    assert rules(verdict) == {"min_weekly_rest_hours"}
    (v,) = only(verdict, "min_weekly_rest_hours")
    assert (v.subject, v.reference, v.limit) == ("Ana", "L3132-2", 35)
    assert v.found == pytest.approx(34 + 59 / 60)
    assert "inside" in v.message
    assert v.start == "2026-10-12T00:00+02:00" and v.end == "2026-10-19T00:00+02:00"
    # Today's other reading: the window only starts in the week (Saturday 13:01 to Monday 00:00 and on).
    assert rules(check(strict_weeks("starting_in_week"), late)) == set()


def test_strict_weekly_rest_in_the_week_of_the_autumn_clock_change():
    """The week of 19-25 Oct 2026 has a 25-hour Sunday: Saturday 14:00 to Sunday 24:00 is 35 real hours and
    passes there; 14:01 fails. The same Saturday end fails in an ordinary week (34 h)."""
    assert rules(check(strict_weeks(), make_plan(six_days("2026-10-19", "14:00")))) == set()
    assert rules(check(strict_weeks(), make_plan(six_days("2026-10-19", "14:01")))) == {"min_weekly_rest_hours"}
    assert rules(check(strict_weeks(), make_plan(six_days("2026-10-12", "14:00")))) == {"min_weekly_rest_hours"}


def test_strict_weekly_rest_counts_the_part_of_a_week_beyond_the_horizon_as_rest():
    """A horizon ending on a Thursday: the week it cuts is measured over its full bounds, and Friday to Sunday
    outside the horizon is free unless the roster puts a shift there."""
    short = parse_scenario(STRICT_WEEKS.replace("days: 14", "days: 11"), source="strict.yaml")
    rows = [day_shift("Ana", "senior", d) for d in ("2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22")]
    assert rules(check(short, make_plan(rows))) == set()


def test_sunday_shift_for_a_role_without_sunday_work_fails(two_weeks):
    sunday = day_shift("Ben", "junior", "2026-09-13", end="17:00", brk="13:00")
    verdict = check(two_weeks, make_plan([*base_roster(), sunday]))
    assert rules(verdict) == {"sunday_work"}
    (v,) = only(verdict, "sunday_work")
    assert v.reference == "roles.junior.sunday_work" and v.found == 8.0


def test_trainee_hour_without_tutor_fails(two_weeks):
    rows = without(base_roster(), "Ana", "2026-09-07")
    rows.append(day_shift("Ana", "senior", "2026-09-07", "09:00", "14:00", "11:00"))  # Tia works until 15:00
    verdict = check(two_weeks, make_plan(rows))
    assert rules(verdict) == {"supervision"}
    (v,) = only(verdict, "supervision")
    assert v.subject == "trainee" and v.reference == "R124-13 Code de l'éducation"
    assert (v.start, v.end) == ("2026-09-07T14:00+02:00", "2026-09-07T15:00+02:00")


def test_tutor_ratio(two_weeks):
    spec = two_weeks.with_overrides(
        {
            "people": [
                {"name": "Ana", "role": "senior"},
                *({"name": f"T{i}", "role": "trainee"} for i in range(4)),
            ]
        }
    )
    tutor = [day_shift("Ana", "senior", "2026-09-07")]
    three = [day_shift(f"T{i}", "trainee", "2026-09-07") for i in range(3)]
    assert rules(check(spec, make_plan(tutor + three))) == set()
    four = [*three, day_shift("T3", "trainee", "2026-09-07", "10:00", "15:00", "12:00")]
    (v,) = only(check(spec, make_plan(tutor + four)), "supervision")
    assert (v.found, v.limit) == (4, 3) and v.start == "2026-09-07T10:00+02:00"


def test_same_day_supervision(two_weeks):
    supervised = two_weeks.with_overrides(
        {"roles": {"junior": {"supervision": {"by": ["senior"], "mode": "same_day", "max_per_supervisor": 1}}}}
    )
    verdict = check(supervised, make_plan(base_roster()))  # Ana does not work on Friday 18 Sep, Ben does
    assert rules(verdict) == {"supervision"}
    (v,) = only(verdict, "supervision")
    assert (v.subject, v.reference, v.found, v.limit) == ("junior", "roles.junior.supervision", 1, 0)
    assert v.start == "2026-09-18T09:00+02:00"


def test_trainee_rules(two_weeks):
    rows = without(base_roster(), "Tia", "2026-09-07")
    night = shift("Tia", "trainee", "2026-09-07T15:00+02:00", "2026-09-07T22:00+02:00", "2026-09-07T18:00+02:00")
    (v,) = only(check(two_weeks, make_plan([*rows, night])), "trainee_night_work")
    assert v.found == 1.0 and v.reference == "L124-14 Code de l'éducation"
    after = day_shift("Tia", "trainee", "2026-09-19")  # the internship ended on Friday 18
    assert "internship" in rules(check(two_weeks, make_plan([*base_roster(), after])))
    # 35 h a week at most: 5 x 7 h passes, one more hour fails (Ana on duty throughout).
    rows = [r for r in base_roster() if not (r["person"] in ("Ana", "Tia") and r["date"] in WEEK1)]
    rows += [day_shift("Ana", "senior", d, "09:00", "17:00") for d in WEEK1]
    rows += [day_shift("Tia", "trainee", d, "09:00", "16:00") for d in WEEK1[:5]]
    assert rules(check(two_weeks, make_plan(rows))) == set()
    rows = [*without(rows, "Tia", "2026-09-11"), day_shift("Tia", "trainee", "2026-09-11", "09:00", "17:00")]
    verdict = check(two_weeks, make_plan(rows))
    assert rules(verdict) == {"trainee_max_weekly_hours"}
    (v,) = only(verdict, "trainee_max_weekly_hours")
    assert (v.found, v.limit) == (36.0, 35)


def test_agreed_weekly_presence_in_full_weeks_of_the_internship(two_weeks):
    people = [p.model_dump(by_alias=True, exclude_defaults=True, mode="json") for p in two_weeks.spec.people]
    people[2]["min_weekly_hours"] = 30  # Tia; week 2 ends after her internship, so only week 1 counts
    agreed = two_weeks.with_overrides({"people": people})
    assert rules(check(agreed, make_plan(base_roster()))) == set()  # 5 x 6 h in week 1
    without_tia = [r for r in base_roster() if r["person"] != "Tia"]
    (v,) = only(check(agreed, make_plan(without_tia)), "agreed presence")
    assert (v.subject, v.found, v.limit, v.reference) == ("Tia", 0.0, 30, "people[2].min_weekly_hours")


def test_break_leave_and_one_shift_per_date(two_weeks):
    rows = without(base_roster(), "Ben", "2026-09-07")
    no_break = shift("Ben", "junior", "2026-09-07T09:00+02:00", "2026-09-07T17:00+02:00")
    assert rules(check(two_weeks, make_plan([*rows, no_break]))) == {"break"}
    short = shift("Ben", "junior", "2026-09-07T09:00+02:00", "2026-09-07T17:00+02:00", "2026-09-07T13:00+02:00", 15)
    (v,) = only(check(two_weeks, make_plan([*rows, short])), "break")
    assert v.message == "break 15 min < 20 min" and v.reference == "L3121-16"
    five = shift("Ben", "junior", "2026-09-07T09:00+02:00", "2026-09-07T14:00+02:00")  # under 6 h: no break due
    assert rules(check(two_weeks, make_plan([*rows, five]))) == set()
    leave = day_shift("Ben", "junior", "2026-09-16", end="17:00", brk="13:00")
    assert rules(check(two_weeks, make_plan([*base_roster(), leave]))) == {"leave"}
    twice = [*rows, five, shift("Ben", "junior", "2026-09-07T20:00+02:00", "2026-09-07T22:00+02:00")]
    assert rules(check(two_weeks, make_plan(twice))) == {"one shift per date", "min_daily_rest_hours"}


def test_night_worker_limits(two_weeks):
    rows = base_roster()
    eight = [
        shift("Ana", "senior", f"2026-09-{d}T20:00+02:00", f"2026-09-{d + 1}T04:00+02:00", f"2026-09-{d}T23:59+02:00")
        for d in (18, 19)
    ]
    assert rules(check(two_weeks, make_plan(rows + eight))) == set()  # night worker, 8 h shifts: fine
    ten = [
        shift("Ana", "senior", f"2026-09-{d}T20:00+02:00", f"2026-09-{d + 1}T06:00+02:00", f"2026-09-{d}T23:59+02:00")
        for d in (18, 19)
    ]
    verdict = check(two_weeks, make_plan(rows + ten))
    assert rules(verdict) == {"night_worker_max_daily_hours"}
    assert len(only(verdict, "night_worker_max_daily_hours")) == 2
    one = check(two_weeks, make_plan(rows + ten[:1]))  # one night shift a week: not a night worker
    assert rules(one) == set()


def test_hires_and_names(two_weeks):
    hire = day_shift("junior hire 1", "junior", "2026-09-07", end="17:00", brk="13:00")
    verdict = check(two_weeks, make_plan([*base_roster(), hire]))
    assert rules(verdict) == set()
    assert any(line.who == "junior hire 1" and line.component == "recruitment" for line in verdict.costs.lines)
    second = {**hire, "person": "junior hire 2"}
    (v,) = only(check(two_weeks, make_plan([*base_roster(), second])), "hire max")
    assert v.reference == "hire.junior.max"
    must_hire = two_weeks.with_overrides({"hire": {"junior": {"min": 1}}})
    (v,) = only(check(must_hire, make_plan(base_roster())), "hire min")
    assert (v.found, v.limit) == (0, 1)
    assert rules(check(must_hire, make_plan(base_roster(), hires={"junior": 1}))) == set()  # hired, no shifts
    for person, role, field in (
        ("Zoe", "junior", "column person"),
        ("Ben", "trainee", "column role"),
        ("Ben", "manager", "column role"),
        ("senior hire 1x", "senior", "column person"),
    ):
        bad = {**hire, "person": person, "role": role}
        with pytest.raises(InputError) as error:
            check(two_weeks, make_plan([*base_roster(), bad]))
        assert field in error.value.field and error.value.file == "roster.csv"


# ------------------------------------------------------------------------- time: DST, weeks, months
@pytest.fixture(scope="module")
def one_senior():
    return load_scenario(DATA / "check_one_senior.yaml")


def test_rest_across_the_spring_clock_change_is_real_time(one_senior):
    """Sat 22:00 to Sun 09:00 across 28 March 2027 reads 11 h on the clock but is 10 h of real rest."""
    evening = shift("Ana", "senior", "2027-03-27T14:00+01:00", "2027-03-27T22:00+01:00", "2027-03-27T18:00+01:00")
    for start, ok in (("09:00", False), ("10:00", True)):
        morning = shift(
            "Ana", "senior", f"2027-03-28T{start}+02:00", "2027-03-28T17:00+02:00", "2027-03-28T13:00+02:00"
        )
        verdict = check(one_senior, make_plan([evening, morning]))
        assert (rules(verdict) == set()) is ok
        if not ok:
            (v,) = only(verdict, "min_daily_rest_hours")
            assert v.message == "rest 10.0 h < 11 h"
    # The same times typed without an offset are local times of the scenario: still 10 h.
    local = [
        shift("Ana", "senior", "2027-03-27T14:00", "2027-03-27T22:00", "2027-03-27T18:00"),
        shift("Ana", "senior", "2027-03-28T09:00", "2027-03-28T17:00", "2027-03-28T13:00"),
    ]
    assert rules(check(one_senior, make_plan(local))) == {"min_daily_rest_hours"}
    gap = shift("Ana", "senior", "2027-03-28T02:30", "2027-03-28T08:00")
    with pytest.raises(InputError, match="exists in Europe/Paris"):
        check(one_senior, make_plan([gap]))


def test_rest_across_the_autumn_clock_change_is_real_time(one_senior):
    """Sat 22:00 to Sun 08:00 on 25 October 2026 reads 10 h on the clock but is 11 h of real rest."""
    autumn = one_senior.with_overrides({"horizon": {"start": "2026-10-23"}})
    evening = shift("Ana", "senior", "2026-10-24T14:00+02:00", "2026-10-24T22:00+02:00", "2026-10-24T18:00+02:00")
    for start, ok in (("08:00", True), ("07:00", False)):
        morning = shift(
            "Ana", "senior", f"2026-10-25T{start}+01:00", "2026-10-25T15:00+01:00", "2026-10-25T11:00+01:00"
        )
        assert (rules(check(autumn, make_plan([evening, morning]))) == set()) is ok
    ambiguous = shift("Ana", "senior", "2026-10-25T02:30", "2026-10-25T08:00")
    with pytest.raises(InputError, match="unambiguous"):
        check(autumn, make_plan([ambiguous]))


def test_a_shift_across_sunday_midnight_splits_between_calendar_weeks(two_weeks):
    rows = [r for r in base_roster() if r["person"] == "Ana" and r["date"] not in WEEK1]
    rows = [r for r in rows if r["date"] != "2026-09-14"]
    weekdays = [day_shift("Ana", "senior", d, "09:00", "18:00", "13:00") for d in WEEK1[:5]]  # 45 h
    for start, end, ok in (("21:00", "05:00", True), ("20:00", "04:00", False)):
        night = shift("Ana", "senior", f"2026-09-13T{start}+02:00", f"2026-09-14T{end}+02:00", "2026-09-14T00:00+02:00")
        verdict = check(two_weeks, make_plan([*weekdays, night, *rows]))
        assert (rules(verdict) == set()) is ok, verdict.violations
        if not ok:
            (v,) = only(verdict, "max_weekly_hours")
            assert v.found == 49.0 and v.start == "2026-09-07T00:00+02:00"


def test_month_end_and_a_week_cut_by_the_horizon(one_senior):
    autumn = one_senior.with_overrides({"horizon": {"start": "2026-09-28", "days": 7}})
    late = shift("Ana", "senior", "2026-09-30T20:00+02:00", "2026-10-01T04:00+02:00", "2026-10-01T00:00+02:00")
    for start, ok in (("15:00", True), ("14:00", False)):
        next_day = shift(
            "Ana", "senior", f"2026-10-01T{start}+02:00", "2026-10-01T21:00+02:00", "2026-10-01T18:00+02:00"
        )
        assert (rules(check(autumn, make_plan([late, next_day]))) == set()) is ok
    # A horizon from Thursday: the days before it count as rest, so four working days in a row pass.
    cut = one_senior.with_overrides({"horizon": {"start": "2026-10-01", "days": 4}})
    days = [day_shift("Ana", "senior", f"2026-10-0{d}") for d in (1, 2, 3, 4)]
    assert rules(check(cut, make_plan(days))) == set()
    outside = shift("Ana", "senior", "2026-10-04T20:00+02:00", "2026-10-05T02:00+02:00", "2026-10-04T23:00+02:00")
    assert rules(check(cut, make_plan([*days[:3], outside]))) == {"horizon"}


# ----------------------------------------------------------------------------- coverage and costs
AGENCY_DAY = [("00:00", "04:00"), ("04:00", "08:00"), ("08:00", "12:00"), ("12:00", "16:00"), ("16:00", "20:00")]


def agency_rows(blocks, day: str = "2026-09-09") -> list[dict]:
    rows = [
        {"agency": "agency", "start": f"{day}T{a}+02:00", "end": f"{day}T{b}+02:00", "moderators": 1} for a, b in blocks
    ]
    rows.append({"agency": "agency", "start": f"{day}T20:00+02:00", "end": "2026-09-10T00:00+02:00", "moderators": 1})
    return [{**r, "hours": 4.0, "cost": 0.0} for r in rows]


AGENCY_COSTS = [  # worked by hand from the scenario (see its header)
    {"role": "agency", "who": "agency", "component": "agency hours (day)", "quantity": 15, "unit": "slot of 60 min",
     "unit_price": 30.0, "amount": 450.0},
    {"role": "agency", "who": "agency", "component": "agency hours (night)", "quantity": 9, "unit": "slot of 60 min",
     "unit_price": 40.0, "amount": 360.0},
    {"role": "agency", "who": "agency", "component": "agency fee", "quantity": 1, "unit": "horizon",
     "unit_price": 10.0, "amount": 10.0},
]  # fmt: skip


@pytest.fixture(scope="module")
def agency_day():
    return load_scenario(DATA / "check_agency_day.yaml")


def test_agency_day_known_costs_pass(agency_day):
    verdict = check(agency_day, make_plan([], agency_rows(AGENCY_DAY), AGENCY_COSTS, objective=820.0))
    assert verdict.ok, verdict.violations
    assert verdict.costs.recomputed_cents == 82000 and verdict.costs.matches


def test_dropping_an_agency_block_fails_coverage_and_presence(agency_day):
    blocks = [b for b in AGENCY_DAY if b != ("08:00", "12:00")]
    verdict = check(agency_day, make_plan([], agency_rows(blocks), AGENCY_COSTS, objective=820.0))
    people, capacity = sorted(only(verdict, "coverage"), key=lambda v: "capacity" in v.message)
    for need in (people, capacity):
        assert need.subject == "moderation" and need.reference == "streams.moderation.targets"
        assert (need.start, need.end) == ("2026-09-09T08:00+02:00", "2026-09-09T12:00+02:00")
    assert (people.found, people.limit) == (0, 1)
    assert (capacity.found, capacity.limit) == (0, 0.04)  # 4.17 items x 0.4 min / 60 min / 0.85, rounded up
    (floor,) = only(verdict, "presence")
    assert (floor.start, floor.end) == (need.start, need.end)
    # ... and the costs.csv of the full booking no longer matches what is booked.
    assert {v.subject for v in only(verdict, "cost line")} == {"agency / agency hours (day)"}


def test_changed_rate_or_edited_cost_is_a_cost_mismatch(agency_day):
    dearer = agency_day.with_overrides({"roles": {"agency": {"rates_per_hour": {"night": 41}}}})
    verdict = check(dearer, make_plan([], agency_rows(AGENCY_DAY), AGENCY_COSTS, objective=820.0))
    assert rules(verdict) == set()
    (line,) = only(verdict, "cost line")
    assert line.subject == "agency / agency hours (night)" and (line.found, line.limit) == (360.0, 369.0)
    (total,) = only(verdict, "total cost")
    assert (total.found, total.limit) == (820.0, 829.0)
    edited = [dict(c) for c in AGENCY_COSTS]
    edited[0]["amount"] = 450.01
    verdict = check(agency_day, make_plan([], agency_rows(AGENCY_DAY), edited, objective=820.0))
    assert {v.rule for v in verdict.violations} == {"cost line"}  # the listed total no longer matches either
    assert not verdict.costs.matches


def test_agency_booking_rules(agency_day):
    blocks = [*AGENCY_DAY[:2], ("08:00", "10:00"), ("10:00", "12:00"), *AGENCY_DAY[3:]]
    verdict = check(agency_day, make_plan([], agency_rows(blocks), AGENCY_COSTS, objective=820.0))
    assert [v.reference for v in only(verdict, "agency block")] == ["roles.agency.min_block_hours"] * 2
    triple = [*agency_rows(AGENCY_DAY), {**agency_rows([("08:00", "12:00")])[0], "moderators": 2}]
    (v,) = only(check(agency_day, make_plan([], triple, AGENCY_COSTS, objective=820.0)), "agency concurrency")
    assert (v.found, v.limit) == (3, 2)


def test_backlog_deadlines(tmp_path):
    scenario = load_scenario(DATA / "check_backlog_day.yaml")
    full = agency_rows(AGENCY_DAY)
    assert rules(check(scenario, make_plan([], full))) == set()
    verdict = check(scenario, make_plan([], [r for r in full if not r["start"].startswith("2026-09-09T08:00")]))
    (v,) = only(verdict, "coverage")
    assert v.subject == "care" and v.reference == "streams.care.targets"
    assert v.found == pytest.approx(2.0)  # four hours of half a person-hour of work each
    assert (v.start, v.end) == ("2026-09-09T08:00+02:00", "2026-09-09T12:00+02:00")
    # With a four-hour target, the same gap is absorbed after 12:00 by the spare half of each hour.
    patient = scenario.with_overrides({"streams": {"care": {"targets": {"day": {"within_minutes": 480}}}}})
    assert (
        rules(check(patient, make_plan([], [r for r in full if not r["start"].startswith("2026-09-09T08:00")])))
        == set()
    )


# ---------------------------------------------------------------------------- solved example plans
def _solve(name: str, overrides: dict | None = None):
    from scheduler.solve import SolveParams, solve

    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    if overrides:
        scenario = scenario.with_overrides(overrides)
    plan = solve(scenario, SolveParams(time_limit=20))
    return scenario, plan


@pytest.fixture(scope="session")
def solved(tmp_path_factory):
    """One short solve per example, on demand: {name: (scenario, plan folder)} (None: no plan in time)."""
    cache: dict[str, tuple | None] = {}

    def get(name: str):
        if name not in cache:
            # The retailer's first week: its four weeks are solved and checked in tests/test_solve.py.
            overrides = {"horizon": {"days": 7}} if name == "retailer" else None
            scenario, plan = _solve(name, overrides)
            if not plan.is_feasible():
                cache[name] = None
            else:
                folder = tmp_path_factory.mktemp(name) / "plan"
                plan.save(folder)
                cache[name] = (scenario, folder)
        if cache[name] is None:
            pytest.fail(f"{name}: the solver found no plan within 20 s")
        return cache[name]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tourism", "retailer", "small_company"])
def test_solved_example_plans_pass(solved, name):
    scenario, folder = solved(name)
    verdict = check(scenario, load_plan(folder), folder=folder)
    assert verdict.ok, [v.message for v in verdict.violations]
    assert verdict.costs.matches and verdict.costs.objective_cents == verdict.costs.recomputed_cents
    assert verdict.checked["slots"] == scenario.grid.n_slots


@pytest.mark.slow
def test_hand_edited_times_without_seconds_or_in_another_offset_pass(solved, tmp_path):
    scenario, folder = solved("tourism")
    plan = load_plan(folder)
    roster = plan.roster.copy()

    def retype(value, utc: bool) -> str:
        if not isinstance(value, str) or not value:
            return value
        moment = datetime.fromisoformat(value)
        if utc:
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        return moment.isoformat(timespec="minutes")

    for column in ("start", "end", "break_start"):
        roster[column] = [retype(v, i % 2 == 0) for i, v in enumerate(roster[column].fillna(""))]
    assert not roster["start"].str.contains(r":\d\d:\d\d").any()
    edited = tmp_path / "edited"
    replace_rows(plan, roster=roster).save(edited)
    verdict = check(scenario, load_plan(edited), folder=edited)
    assert verdict.ok, verdict.violations


@pytest.mark.slow
def test_dropping_a_booked_agency_block_from_the_tourism_plan_fails_coverage(solved):
    scenario, folder = solved("tourism")
    plan = load_plan(folder)
    if plan.agency.empty:
        pytest.skip("this tourism plan books no agency")
    broke = 0
    for i in range(len(plan.agency)):
        if broke:
            break
        verdict = check(scenario, replace_rows(plan, agency=plan.agency.drop(index=i)))
        need = {v.rule for v in verdict.violations} - COST_RULES
        assert need <= {"coverage", "presence"}, verdict.violations
        if need:
            broke += 1
            block = plan.agency.iloc[i]
            lo, hi = datetime.fromisoformat(block["start"]), datetime.fromisoformat(block["end"])
            for v in verdict.violations:
                if v.rule in ("coverage", "presence"):
                    assert lo <= datetime.fromisoformat(v.start) and datetime.fromisoformat(v.end) <= hi
        assert any(v.rule == "total cost" for v in verdict.violations)
    assert broke, "no booked block was needed: the plan paid for idle agency time"


@pytest.mark.slow
def test_tourism_salary_change_is_a_cost_mismatch(solved):
    scenario, folder = solved("tourism")
    dearer = scenario.with_overrides({"roles": {"senior": {"salary": {"monthly_gross": 3700}}}})
    verdict = check(dearer, load_plan(folder))
    assert {v.rule for v in verdict.violations} == COST_RULES
    assert "Camille / salary" in {v.subject for v in verdict.violations}


@pytest.mark.slow
def test_small_company_without_marie_in_week_one_misses_the_publishing_hours(solved):
    scenario, folder = solved("small_company")
    plan = load_plan(folder)
    week_one = plan.roster["date"] < "2027-03-15"
    assert (plan.roster.loc[week_one, "person"] == "Marie").any()
    verdict = check(scenario, replace_rows(plan, roster=plan.roster[~week_one]))
    found = [v for v in verdict.violations if v.rule == "coverage"]
    assert found and {v.subject for v in found} == {"publishing"}
    assert found[0].reference == "streams.publishing.workload" and found[0].start.startswith("2027-03-08")


@pytest.mark.slow
def test_retailer_trainee_without_a_senior_on_duty(solved):
    scenario, folder = solved("retailer")
    plan = load_plan(folder)
    roster = plan.roster
    jade = roster[roster["person"] == "Jade"]
    assert not jade.empty  # she owes 35 h in the first (full) week of her internship
    first = jade.iloc[0]
    overlaps = (roster["role"] == "senior") & (roster["start"] < first["end"]) & (roster["end"] > first["start"])
    verdict = check(scenario, replace_rows(plan, roster=roster[~overlaps]))
    assert "supervision" in rules(verdict)
    assert any(v.rule == "supervision" and v.subject == "trainee" for v in verdict.violations)


# ---------------------------------------------------------------------------------------- the CLI
def write_agency_plan(folder: Path, blocks=AGENCY_DAY, costs=AGENCY_COSTS) -> Path:
    make_plan([], agency_rows(blocks), costs, objective=820.0).save(folder)
    return folder


def test_cli_ok_is_one_line(tmp_path):
    folder = write_agency_plan(tmp_path / "plan")
    result = CliRunner().invoke(main, ["check", str(DATA / "check_agency_day.yaml"), str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().count("\n") == 0 and result.stdout.startswith("OK: check-agency-day")


def test_cli_violations_table_and_json(tmp_path):
    folder = write_agency_plan(tmp_path / "plan", blocks=AGENCY_DAY[:2] + AGENCY_DAY[3:])
    result = CliRunner().invoke(main, ["check", str(DATA / "check_agency_day.yaml"), str(folder)])
    assert result.exit_code == 1
    assert "coverage" in result.stdout and "presence[0]" in result.stdout and "FAIL" in result.stdout
    result = CliRunner().invoke(main, ["check", str(DATA / "check_agency_day.yaml"), str(folder), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["violations_by_rule"]["coverage"] == 2  # people and capacity
    assert {"rule", "reference", "subject", "start", "end", "found", "limit", "message"} <= set(data["violations"][0])


@pytest.mark.parametrize(
    "defect, field",
    [
        ("missing roster", "file"),
        ("missing column", "columns"),
        ("bad time", "row 2, column start"),
        ("unknown person", "row 2, column person"),
        ("unknown agency", "row 2, column agency"),
    ],
)
def test_cli_bad_input_exits_2_naming_file_field_and_value(tmp_path, defect, field):
    folder = write_agency_plan(tmp_path / "plan")
    roster = pd.DataFrame([shift("Ana", "senior", "2026-09-09T09:00+02:00", "2026-09-09T13:00+02:00")])
    if defect == "missing roster":
        (folder / "roster.csv").unlink()
        file = "roster.csv"
    elif defect == "missing column":
        pd.read_csv(folder / "agency.csv").drop(columns="moderators").to_csv(folder / "agency.csv", index=False)
        file = "agency.csv"
    elif defect == "bad time":
        agency = pd.read_csv(folder / "agency.csv")
        agency.loc[0, "start"] = "9 Sept 2026, 9 am"
        agency.to_csv(folder / "agency.csv", index=False)
        file = "agency.csv"
    elif defect == "unknown person":
        roster.to_csv(folder / "roster.csv", index=False)
        file = "roster.csv"
    else:
        agency = pd.read_csv(folder / "agency.csv")
        agency.loc[0, "agency"] = "Acme"
        agency.to_csv(folder / "agency.csv", index=False)
        file = "agency.csv"
    result = CliRunner().invoke(main, ["check", str(DATA / "check_agency_day.yaml"), str(folder), "--format", "json"])
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)
    assert error["file"].endswith(file) and error["field"] == field
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------- independence
FORBIDDEN = ("scheduler.model", "scheduler.solve", "ortools")


def test_checker_never_imports_the_model_or_the_solver():
    """scheduler.check and everything it imports stay clear of the model, the solver and OR-Tools.

    The package's __init__ re-exports ``solve`` (so ``import scheduler.<anything>`` loads OR-Tools); the
    subprocess replaces it by an empty package to see what the checker itself pulls in."""
    code = (
        "import sys, types\n"
        "package = types.ModuleType('scheduler')\n"
        f"package.__path__ = [{str(ROOT / 'scheduler')!r}]\n"
        "sys.modules['scheduler'] = package\n"
        "import scheduler.check\n"
        "assert 'scheduler.requirements' in sys.modules and 'scipy' not in sys.modules\n"
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def test_checker_sources_name_no_model_module():
    """No import statement in the checker or its command, even a late one inside a function."""
    import ast

    for path in (ROOT / "scheduler" / "check.py", ROOT / "scheduler" / "commands" / "check.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.startswith(FORBIDDEN)], (path.name, names)


# ------------------------------------------------------------------ roster rules, wishes and fairness
def _roster_plan(**kw):
    """Ana works 09:00-13:00 on every day of the tiny wishes scenario (a floor each day), no rule set."""
    from tests.model.test_wishes import case, run

    plan = run(case(shortfall=False, **kw))
    assert plan.stats.status == "OPTIMAL"
    return plan


def _rules_of(verdict, *rules):
    return [v for v in verdict.violations if v.rule in rules]


@pytest.mark.parametrize(
    ("roster", "rule", "breaks"),
    [
        ("{max_consecutive_days: 3}", "consecutive days", False),
        ("{max_consecutive_days: 2}", "consecutive days", True),
        ("{min_hours: 12, max_hours: 12}", "contract hours", False),
        ("{max_hours: 11}", "contract hours", True),
        ("{min_hours: 13}", "contract hours", True),
        ("{days_off: [tue]}", "days off", True),
        ('{no_succession: [{first: "09:00-10:00", then: "09:00-10:00"}]}', "succession", True),
        ('{no_succession: [{first: "09:00-10:00", then: "10:00-11:00"}]}', "succession", False),
    ],
)
def test_checker_recomputes_roster_rules_on_their_boundaries(roster, rule, breaks):
    from tests.model.test_wishes import case

    plan = _roster_plan(days=3, last="10:00")
    verdict = check(case(days=3, shortfall=False, role_roster=roster, last="10:00"), plan)
    assert bool(_rules_of(verdict, rule)) == breaks, verdict.summary()


def test_checker_min_days_off_and_weekends_from_a_hand_edited_roster():
    from tests.model.test_wishes import case

    # Saturday 7 to Sunday 15 March, floors on weekends and Wednesday to Friday; keep those days only.
    plan = _roster_plan(start="2026-03-07", days=9, floor_days="[wed, thu, fri, sat, sun]")
    worked = ["2026-03-07", "2026-03-08", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"]
    roster = plan.roster[plan.roster["date"].isin(worked)]  # Monday and Tuesday off
    edited = replace(plan, roster=roster.reset_index(drop=True))
    for rules, rule, breaks in [
        ("{min_consecutive_days_off: 2}", "days off in a row", False),
        ("{min_consecutive_days_off: 3}", "days off in a row", True),
        ("{max_weekends: 2}", "weekends", False),
        ("{max_weekends: 1}", "weekends", True),
        ("{min_consecutive_days: 7}", "consecutive days", False),  # both runs touch an edge of the horizon
    ]:
        verdict = check(case(start="2026-03-07", days=9, shortfall=False, role_roster=rules), edited)
        assert bool(_rules_of(verdict, rule)) == breaks, (rules, verdict.summary())


def test_checker_recomputes_the_wishes_table_from_a_hand_edited_roster():
    from tests.model.test_wishes import case

    wish = "[{person: Ana, date: 2026-03-03, kind: day_off, weight: 100}]"
    scenario = case(days=2, floor_days="[mon]", shortfall=False, requests=wish)
    plan = _roster_plan(days=2, floor_days="[mon]", requests=wish)
    assert list(plan.wishes["granted"]) == [True]
    assert not check(scenario, plan).violations
    # Give Ana Tuesday's shift by hand: the wish is no longer granted; the table and the costs disagree.
    monday = plan.roster.iloc[[0]].copy()
    tuesday = monday.replace({"2026-03-02": "2026-03-03"}, regex=True)
    edited = replace(plan, roster=pd.concat([monday, tuesday], ignore_index=True))
    verdict = check(scenario, edited)
    assert _rules_of(verdict, "wishes table")
    assert any(v.subject == "Ana / wishes not granted" for v in _rules_of(verdict, "cost line"))


@pytest.mark.parametrize(("limit", "breaks"), [(1, False), (0, True)])
def test_checker_fairness_limit_on_its_boundary(limit, breaks):
    from tests.model.test_wishes import case

    people = "[{name: Ana, role: junior, count_salary: false}, {name: Bea, role: junior, count_salary: false}]"
    plan = _roster_plan(start="2026-03-08", people=people, fairness="{sundays: {max_difference: 1}}")
    one = replace(plan, roster=plan.roster.iloc[:1].reset_index(drop=True))  # a single Sunday worker
    scenario = case(
        start="2026-03-08", shortfall=False, people=people, fairness=f"{{sundays: {{max_difference: {limit}}}}}"
    )
    assert bool(_rules_of(check(scenario, one), "fairness")) == breaks
