"""The refinement rounds: which teams are solved around the year plan's capacities."""

from types import SimpleNamespace

import numpy as np
import pytest

from scheduler.year import _bracketing, _either_side, _floors
from scheduler.year.costs import grid_teams


@pytest.mark.parametrize(
    ("capacity", "limit", "step", "expected"),
    [
        (2.4, 10, 1, [2, 3]),
        (3.0, 10, 1, [3]),  # on the grid: one team
        (3.0000001, 10, 1, [3]),  # solver noise is not a fraction of a person
        (2.9999999, 10, 1, [3]),
        (3.0, 10, 2, [2, 4]),
        (9.5, 9, 1, [9]),  # never above the limit
        (0.0, 4, 1, [0]),
    ],
)
def test_either_side(capacity, limit, step, expected):
    assert _either_side(capacity, limit, step) == expected


def test_bracketing_takes_each_months_corners_for_the_groups_it_has_weeks_of():
    # two roles, two months: month 0 at (1.5, 4) has weeks of "low" only; month 1 at (2, 4.25) of both
    solution = SimpleNamespace(team=np.array([[1.5, 2.0], [4.0, 4.25]]))
    data = SimpleNamespace(months=("m0", "m1"), weeks=({"low": 4.3, "peak": 0.0}, {"low": 2.0, "peak": 2.4}))
    groups = [SimpleNamespace(name="low"), SimpleNamespace(name="peak")]
    wanted = _bracketing(solution, data, groups, limits=(3, 8), step=1)
    assert wanted["low"] == [(1, 4), (2, 4), (2, 5)]
    assert wanted["peak"] == [(2, 4), (2, 5)]


def test_the_first_refinement_also_looks_one_step_around_each_corner():
    solution = SimpleNamespace(team=np.array([[1.0], [4.0]]))
    data = SimpleNamespace(months=("m0",), weeks=({"low": 4.3},))
    groups = [SimpleNamespace(name="low")]
    wanted = _bracketing(solution, data, groups, limits=(1, 8), step=1, look_around=True)
    # the corner (1, 4), one step either way along each role, never above a role's limit (1 senior)
    assert wanted["low"] == [(0, 4), (1, 3), (1, 4), (1, 5)]


def test_the_look_around_never_goes_below_the_floors():
    solution = SimpleNamespace(team=np.array([[1.0], [4.0]]))
    data = SimpleNamespace(months=("m0",), weeks=({"low": 4.3},))
    groups = [SimpleNamespace(name="low")]
    wanted = _bracketing(solution, data, groups, limits=(1, 8), step=1, floors=(1, 4), look_around=True)
    assert wanted["low"] == [(1, 4), (1, 5)]


@pytest.mark.parametrize(
    ("base", "leave", "expected"),
    [
        ((3, 4), [0.04, 0.34], (1, 2)),  # 3 x 0.66 = 1.98: one senior is sure to be at work, not two
        ((3, 4), [0.0, 0.0], (3, 4)),  # no leave: the staff in place
        ((2, 5), [0.2], (1, 4)),  # 1.6 and exactly 4.0
        ((1, 1), [0.34], (0, 0)),
    ],
)
def test_floors_are_the_staff_in_place_less_the_most_leave_of_a_month(base, leave, expected):
    assert _floors(base, leave) == expected


def test_the_first_grid_spans_the_floors_to_the_limits():
    assert grid_teams((4, 10), 1, floors=(1, 2)) == [(s, j) for s in (1, 3, 4) for j in (2, 6, 10)]
    # without floors, from nobody
    assert grid_teams((2, 5), 1) == [(s, j) for s in (0, 1, 2) for j in (0, 2, 5)]
    # a floor at the limit: one size on that axis
    assert grid_teams((3, 10), 1, floors=(3, 0)) == [(3, 0), (3, 5), (3, 10)]
