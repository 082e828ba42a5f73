"""The greedy plan's rule checks: the starting plan must obey the same per-person rules as the model."""

from __future__ import annotations

from scheduler.model.data import compile_model_data
from scheduler.model.greedy import Greedy
from scheduler.requirements import compute_requirements
from tests.conftest import from_text

ONE_SENIOR = """
name: greedy-weekly-rest
horizon: {start: 2026-09-07, days: 14, slot_minutes: 60, timezone: Europe/Paris}
streams:
  moderation:
    skill: moderation
    arrivals: {profile: {weekly_items: 0}}
    targets: {day: {share: 0.9, within_minutes: 60}}
roles:
  senior: {shifts: {earliest_start: "00:00", latest_start: "23:00", lengths_hours: [8]}}
people:
  - {name: Ana, role: senior}
"""


def _greedy() -> tuple[Greedy, dict[int, int]]:
    scenario = from_text(ONE_SENIOR)
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
