"""Erlang C by hand, at large loads, and the staff it asks for."""

from __future__ import annotations

import math

import pytest

from scheduler.requirements import (
    average_wait,
    compute_requirements,
    erlang_b,
    erlang_c,
    erlang_staff,
    rostered_staff,
    service_level,
)
from tests.conftest import scenario


def test_erlang_c_by_hand() -> None:
    # A = 2 Erlangs, N = 3: P(wait) = (8/6 * 3) / (1 + 2 + 2 + 8/6 * 3) = 4 / 9.
    assert erlang_c(2, 3) == pytest.approx(4 / 9)
    assert erlang_b(2, 3) == pytest.approx((8 / 6) / (1 + 2 + 2 + 8 / 6))


def test_erlang_c_is_stable_at_hundreds_of_erlangs() -> None:
    value = erlang_c(800, 830)
    assert 0 < value < 1 and math.isfinite(value)
    staff = erlang_staff(800, 5, 0.9, 0.5, 0.95)
    assert 800 < staff < 900
    assert service_level(800, staff, 5, 0.5) >= 0.9 and 800 / staff <= 0.95
    assert 800 / (staff - 1) > 0.95  # here the occupancy cap binds, not the service level


def test_staff_meets_target_and_occupancy_and_is_smallest() -> None:
    load, handle = 10.0, 6.0
    n = erlang_staff(load, handle, 0.9, 1.0, 0.85)
    assert service_level(load, n, handle, 1.0) >= 0.9 and load / n <= 0.85
    assert service_level(load, n - 1, handle, 1.0) < 0.9 or load / (n - 1) > 0.85


def test_no_load_needs_nobody_and_unstable_queue_waits_forever() -> None:
    assert erlang_staff(0, 5, 0.9, 1, 0.85) == 0
    assert average_wait(3, 3, 5) == math.inf
    assert service_level(3, 2, 5, 60) == 0


def test_shrinkage_rounds_up() -> None:
    assert rostered_staff(3, 0.25) == 4
    assert rostered_staff(0, 0.5) == 0


def test_requirements_of_a_scenario() -> None:
    needs = compute_requirements(scenario("one_day_agency_only"))
    assert needs.staff["moderation"].tolist() == [1] * 24
    table = needs.table
    assert list(table["stream"].unique()) == ["moderation"]
    assert table["items"].sum() == pytest.approx(24)
