"""The rule boundary cases again, solved by column generation: a legal schedule at the limit must be priced,
one slot past it never (the infeasible cases then go to CP-SAT for the proof, so a plan there means the
pricing let an illegal schedule through)."""

from __future__ import annotations

import pytest

import tests.model.test_rule_boundaries as boundaries
from tests.conftest import quick
from tests.model.test_rule_boundaries import *  # noqa: F403 (the same cases, collected here again)


def _by_columns_only(scenario, time_limit: float = 20.0, **params):
    plan = quick(scenario, time_limit, stages="colgen", **params)
    if plan.is_feasible():  # the plan came from the columns, not from the person-level model's proof path
        assert plan.stats.stages[0].name == "column generation"
    return plan


@pytest.fixture(autouse=True)
def _by_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundaries, "quick", _by_columns_only)
