"""The refinement rounds: which teams are solved around the year plan's capacities."""

from types import SimpleNamespace

import numpy as np
import pytest

from scheduler.year import _bracketing, _either_side


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
