"""When a hire pays for itself against the agency: a year small enough to compute by hand."""

from __future__ import annotations

import pytest

from scheduler.year import _payback
from scheduler.year.model import Point, YearData, solve_year
from scheduler.year.plan import hires_text

MONTHS = tuple(f"2027-{m:02d}" for m in range(1, 13))


def test_a_hire_pays_back_in_the_month_its_savings_cover_its_recruitment():
    """One junior (2000 a month, recruitment 2000) against the agency alone, 4 weeks a month.

    Busy weeks (January, April to December): the agency alone costs 1000 a week, 100 with the junior; the
    junior saves 4 x 900 - 2000 = 1600 a month. Quiet weeks (February, March): 500 against 100, so the junior
    costs 4 x 400 - 2000 = -400 a month more than the agency.
    Hired in January (year 12 x 2000 + 2000 + 12 x 400 = 30 800) beats hiring in February (32 400), in April
    (31 600) and nobody (10 x 4000 + 2 x 2000 = 44 000). Month by month, the agency's year less the plan's:
    January 4000 - 4400 = -400, February -400 (sum -800), March -400 (sum -1200), April +1600 (sum +400):
    paid back in April, the fourth month. Averaging the year's saving over the months in place instead
    ((13 200 + 2000) / 12 = 1266.67 a month) would say 2000 / 1266.67 = 1.6 months: February, wrong.
    """
    busy = {"busy": 4.0}
    quiet = {"quiet": 4.0}
    data = YearData(
        months=MONTHS,
        roles=("junior",),
        existing=(0,),
        max_team=(1,),
        weeks=(busy, quiet, quiet) + (busy,) * 9,
        points={
            "busy": (Point((0,), 1000.0), Point((1,), 100.0)),
            "quiet": (Point((0,), 500.0), Point((1,), 100.0)),
        },
        salary_month=(2000.0,),
        recruitment=(2000.0,),
    )
    sol = solve_year(data)
    assert sol.objective == pytest.approx(30_800)
    assert sol.hires.tolist() == [[1] + [0] * 11]
    table = _payback(sol, data, list(data.roles), MONTHS, 30.0)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["role"], row["month"], row["hires"]) == ("junior", "2027-01", 1)
    assert row["recruitment_cost"] == pytest.approx(2000)
    assert row["year_saving"] == pytest.approx(44_000 - 30_800)
    assert row["saving_per_month"] == pytest.approx((13_200 + 2000) / 12)
    assert row["pays_back_in"] == "2027-04"
    assert row["payback_months"] == 4


def test_no_hire_when_the_agency_is_cheaper_and_a_hire_for_one_month_pays_back_in_it():
    """One person in place is not enough in December only: the agency costs 10 000 a week there (0 with a
    second person); the other months a second person saves nothing. Recruitment 50 000: hiring for December
    (2000 + 50 000) loses to the agency (4 x 10 000 = 40 000), so no hire and no pay-back row. Recruitment
    1000: the hire starts in December (any earlier month only adds 2000 of salary) and pays back in it:
    40 000 - 2000 - 1000 = 37 000 >= 0, one month."""
    weeks = tuple({"dec" if m == 11 else "rest": 4.0} for m in range(12))
    data = YearData(
        months=MONTHS,
        roles=("junior",),
        existing=(1,),
        max_team=(2,),
        weeks=weeks,
        points={
            "rest": (Point((1,), 0.0), Point((2,), 0.0)),
            "dec": (Point((1,), 10_000.0), Point((2,), 0.0)),
        },
        salary_month=(2000.0,),
        recruitment=(50_000.0,),
    )
    sol = solve_year(data)
    assert sol.hires.sum() == 0
    assert _payback(sol, data, list(data.roles), MONTHS, 30.0).empty
    cheap = YearData(**{**data.__dict__, "recruitment": (1000.0,)})
    sol = solve_year(cheap)
    assert sol.hires.tolist() == [[0] * 11 + [1]]
    row = _payback(sol, cheap, list(cheap.roles), MONTHS, 30.0).iloc[0]
    assert (row["month"], row["pays_back_in"], row["payback_months"]) == ("2027-12", "2027-12", 1)
    assert row["year_saving"] == pytest.approx(37_000)


def test_hires_read_as_text():
    hires = {"senior": {"2027-03": 2, "2027-06": 1}, "junior": {}}
    payback = [
        {"role": "senior", "month": "2027-03", "pays_back_in": "2027-05"},
        {"role": "senior", "month": "2027-06", "pays_back_in": None},
    ]
    assert hires_text(hires, payback) == (
        "senior: 2 in Mar 2027 (pays back in May 2027), 1 in Jun 2027 (does not pay back within the plan)"
    )
    assert hires_text({"senior": {}, "junior": {}}) == "none"
