"""The year MIP on synthetic weekly cost curves: no weekly solve, optima computed by hand."""

from __future__ import annotations

import pytest

from scheduler.year.model import Point, Window, YearData, solve_year

MONTHS = tuple(f"2027-{m:02d}" for m in range(1, 13))


def _data(**kw) -> YearData:
    base = dict(
        months=MONTHS,
        roles=("junior",),
        existing=(0,),
        max_team=(3,),
        weeks=tuple({"flat": 4.0} for _ in MONTHS),
        points={"flat": (Point((0,), 1000.0), Point((1,), 100.0), Point((2,), 50.0))},
        salary_month=(2000.0,),
        recruitment=(0.0,),
    )
    base.update(kw)
    return YearData(**base)


def test_flat_demand_keeps_the_same_team_every_month():
    """Agency alone costs 1000 a week; one junior (2000 a month) cuts it to 100; a second saves only 50 a week
    (200 a month) for 2000 of salary. Best: one junior all year: 12 x (2000 + 4 x 100) = 28 800."""
    sol = solve_year(_data())
    assert sol.status == "OPTIMAL"
    assert sol.permanent.tolist() == [[1] * 12]
    assert sol.objective == pytest.approx(28_800)
    assert sol.bound <= sol.objective + 1e-6


def test_one_summer_peak_goes_to_a_seasonal_contract_not_a_permanent_hire():
    """One junior is worth it all year (as above). July alone (4 weeks) runs 3000 a week with one junior and
    500 with two: the second person saves 10 000 in July. Hired for good they cost 11 x 2000 = 22 000 for
    nothing the other months (saving 4 x 50 a month): worse. On a one-month seasonal CDD: 2000 x 1.10
    (L3141-28 paid-leave indemnity, no end indemnity L1243-10) = 2 200, against 2000 x 1.20 on a temporary
    CDD. Optimum: 1 permanent, 1 seasonal in July; 12 x 2000 + 11 x 400 + 2200 + 4 x 500 = 32 600."""
    weeks = tuple({"peak" if m == 6 else "flat": 4.0} for m in range(12))
    points = {
        "flat": (Point((0,), 1000.0), Point((1,), 100.0), Point((2,), 50.0)),
        "peak": (Point((0,), 6000.0), Point((1,), 3000.0), Point((2,), 500.0)),
    }
    july = tuple(m == 6 for m in range(12))
    sol = solve_year(_data(weeks=weeks, points=points, cdd_roles=(0,), seasonal_months=july))
    assert sol.permanent.tolist() == [[1] * 12]
    assert sol.seasonal.tolist() == [[1 if m == 6 else 0 for m in range(12)]]
    assert sol.objective == pytest.approx(32_600)


def test_the_gap_after_a_trainee_window_is_covered():
    """With a 3-month lead time nobody can be hired before April. Two trainees (2 months, no stipend owed
    under L124-6, recruitment 100 each, half a person's capacity each) cover January-February: 1000 -> 100
    a week. March has no trainee and no hire yet: the agency (1000 a week) covers it. From April one junior.
    Total: 200 + 2 x 400 + 4000 + 9 x (2000 + 400) = 26 600."""
    sol = solve_year(
        _data(
            lead_time=3,
            windows=(Window(0, 2, 2),),
            trainee_role=0,
            trainee_share=0.5,
            trainee_recruitment=100.0,
        )
    )
    assert sol.trainees.tolist() == [2]
    assert sol.permanent.tolist() == [[0, 0, 0] + [1] * 9]
    assert sol.team[0][2] == pytest.approx(0)
    assert sol.lines["operating"][2] == pytest.approx(4000)
    assert sol.objective == pytest.approx(26_600)


def test_a_peak_in_the_plans_last_month_goes_to_a_fixed_term_contract_once_a_hire_commits_a_year():
    """December alone (4 weeks) runs 6000 a week with nobody and 0 with one junior; every other month costs
    nothing. Recruitment 1000 for either contract. A permanent hire in December: 1000 + 2000 = 3 000 in the
    plan, cheaper than a one-month temporary CDD at 1000 + 2000 x 1.20 = 3 400; but the post runs on after
    December: committed to 12 months of salary, the hire costs 1000 + 12 x 2000 = 25 000, and the CDD wins."""
    weeks = tuple({"peak" if m == 11 else "flat": 4.0} for m in range(12))
    points = {"flat": (Point((0,), 0.0), Point((1,), 0.0)), "peak": (Point((0,), 6000.0), Point((1,), 0.0))}
    data = dict(weeks=weeks, points=points, cdd_roles=(0,), recruitment=(1000.0,))
    blind = solve_year(_data(**data))
    assert blind.hires.tolist() == [[0] * 11 + [1]]
    assert blind.objective == pytest.approx(3_000)
    committed = solve_year(_data(**data, commitment=12))
    assert committed.hires.sum() == 0
    assert committed.cdd.tolist() == [[0] * 11 + [1]]
    assert committed.objective == pytest.approx(3_400)


def test_a_hire_whose_commitment_fits_in_the_plan_pays_nothing_after_it():
    """As the flat test: one junior all year, hired in January (no lead time): 12 months inside the plan."""
    sol = solve_year(_data(commitment=12))
    assert sol.hires.tolist() == [[1] + [0] * 11]
    assert sol.objective == pytest.approx(28_800)
    assert not sol.lines["salaries_after_the_plan"].any()
