"""The person-level neighbourhood search: from a poor legal plan, or one that leaves needs unmet, it reaches the
hand-computed optimum of tiny scenarios, and its plans pass the independent checker."""

from __future__ import annotations

import pytest

from scheduler.check import check
from scheduler.model.data import compile_model_data
from scheduler.model.extract import Assignment, plan_tables
from scheduler.model.greedy import greedy_plan
from scheduler.requirements import compute_requirements
from scheduler.solve import SolveParams, _plan
from scheduler.strategies import Incumbent, Problem
from scheduler.strategies.neighbourhoods import neighbourhood_search
from tests.conftest import scenario


def _problem(name: str) -> Problem:
    sc = scenario(name)
    data = compile_model_data(sc, compute_requirements(sc))
    return Problem(sc, data, SolveParams(time_limit=10, workers=1), sc.spec.shortfall.allowed)


@pytest.mark.parametrize(
    ("name", "cost"), [("cm_beats_agency", 597.95), ("agency_beats_cm", 450.00), ("one_day_agency_only", 810.00)]
)
def test_from_the_greedy_start_it_reaches_the_hand_computed_optimum(name: str, cost: float) -> None:
    problem = _problem(name)
    start, _ = greedy_plan(problem.data)
    assert plan_tables(problem.data, start).total_cents / 100 > cost + 1  # the search has something to do
    found = neighbourhood_search(problem, 8.0, Incumbent(start, None))
    assert found.status == "FEASIBLE"
    assert found.bound is None  # a neighbourhood proves nothing about the whole problem
    assert found.cost / 100 == pytest.approx(cost, abs=0.005)
    plan = _plan(problem.scenario, problem.params, found.tables, None, found.stages, 0.0, 0.0, 0.0)
    assert check(problem.scenario, plan).ok


def test_a_start_with_nobody_at_work_is_covered_and_never_made_dearer() -> None:
    problem = _problem("cm_beats_agency")
    nobody = Assignment({}, frozenset(), {})
    found = neighbourhood_search(problem, 8.0, Incumbent(nobody, None))
    assert found.tables is not None and found.tables.shortfall.empty
    assert found.cost / 100 == pytest.approx(597.95, abs=0.005)
    # started from its own answer it keeps it
    again = neighbourhood_search(problem, 3.0, Incumbent(found.assignment, None))
    assert again.cost == found.cost
    assert plan_tables(problem.data, again.assignment).total_cents == found.cost
