"""Representative weeks: how weeks of like demand are grouped."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from scheduler.year.calendar import group_weeks, level_bounds


@pytest.mark.parametrize(
    ("values", "levels", "expected"),
    [
        # by hand: {1,1,1} {2,2} {10} has squared distance 0; any other three groups more
        ([1, 1, 1, 2, 2, 10], 3, [(1, 1), (2, 2), (10, 10)]),
        # two groups: {1,2,3} {10,11} costs 2 + 0.5; {1,2} {3,10,11} costs 0.5 + 38
        ([3, 1, 11, 2, 10], 2, [(1, 3), (10, 11)]),
        # fewer distinct values than levels: one group each
        ([5, 5, 5, 5], 3, [(5, 5)]),
        ([4, 7], 1, [(4, 7)]),
    ],
)
def test_level_bounds_known_answers(values, levels, expected):
    assert level_bounds(np.array(values, dtype=float), levels) == expected


def _scales(totals: list[float]) -> pd.DataFrame:
    monday = date(2027, 1, 4)
    return pd.DataFrame(
        [
            {"week_start": monday + timedelta(weeks=i), "stream": "care", "scale": v, "holiday": False}
            for i, v in enumerate(totals)
        ]
    )


def test_equal_weeks_share_a_group_and_the_peak_stands_alone():
    # eight ordinary weeks, two a little busier, one peak: rank quantiles would split the equal weeks and
    # put the peak beside them
    totals = [1.0] * 8 + [1.2, 1.2, 3.0]
    groups = group_weeks(_scales(totals), 3)
    sizes = sorted(len(g.weeks) for g in groups)
    assert sizes == [1, 2, 8]
    peak = max(groups, key=lambda g: g.scale["care"])
    assert peak.scale["care"] == pytest.approx(3.0)
    assert peak.spread == 0.0
    assert sum(len(g.weeks) for g in groups) == len(totals)
