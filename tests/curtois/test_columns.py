"""Column generation on tiny instances: a valid bound, legal columns, the hand-computed optimum."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import scheduler.curtois.columns as columns
from scheduler.curtois.columns import _Generation, generate
from scheduler.curtois.evaluate import evaluate
from scheduler.curtois.labeling import employee_rules, price
from scheduler.curtois.reader import parse_instance
from scheduler.curtois.solve import solve
from tests.curtois.conftest import TWO_PERSON_WEEK, instance_text

TINY = TWO_PERSON_WEEK  # the instance of test_solve: optimum 300, computed there by hand


def test_bound_is_below_the_optimum_and_the_roster_reaches_it() -> None:
    inst = parse_instance(TINY)
    result = generate(inst, time_limit=10)
    assert result.converged and result.bound <= 300 + 1e-6
    assert result.roster is not None and result.objective == evaluate(inst, result.roster).penalty == 300


def test_columns_path_proves_the_optimum() -> None:
    """The LP bound of this instance is 300 (4 shifts cover 4 days at most, requests all grantable), so the
    column path proves the optimum without CP-SAT."""
    result = solve(parse_instance(TINY), time_limit=10, workers=1, method="columns")
    assert (result.status, result.objective, result.bound) == ("OPTIMAL", 300, 300)
    assert "column generation" in result.log


@pytest.mark.parametrize("weight", [1, 40])
def test_two_person_cover_is_split_by_the_requests(weight: int) -> None:
    """Cover 2 on day 0 (under 100), nothing else. A and B may each work 1 shift; B asked day 0 off with
    ``weight``: both work day 0 and the penalty is the request's weight (cheaper than 100 under)."""
    inst = parse_instance(
        instance_text(
            staff="A,D=1,3360,0,3,1,1,1\nB,D=1,3360,0,3,1,1,1",
            days_off="A\nB",
            off=f"B,0,D,{weight}",
            cover="0,D,2,100,1",
        )
    )
    result = solve(inst, time_limit=10, workers=1)
    assert result.objective == weight and result.status == "OPTIMAL"
    assert result.roster["A"][0] == result.roster["B"][0] == "D"


def test_columns_give_way_when_the_first_pricing_overruns() -> None:
    """A time too short for the first columns: no roster, no bound, and the caller's CP-SAT gets the time."""
    result = generate(parse_instance(TINY), time_limit=1e-9)
    assert result.roster is None and result.bound == float("-inf") and result.iterations == 0
    answer = solve(parse_instance(TINY), time_limit=5, workers=1)
    assert answer.objective == 300


def test_a_dive_gives_each_employee_one_schedule_and_its_release_frees_every_column() -> None:
    """While an employee is fixed, their other columns are held at 0 (out of the simplex's way); after the
    dives every schedule column is back to [0, inf), so the restricted MIP may choose any of them."""
    inst = parse_instance(TINY)
    run = _Generation(inst, [employee_rules(inst, e) for e in inst.employees], 3, 1000, 100_000, math.inf)
    run.converge(time.perf_counter() + 10, prove=True)
    roster, objective = run.dive(time.perf_counter() + 10)
    assert roster is not None and evaluate(inst, roster).penalty == round(objective) >= 300
    assert sorted(run.fixed) == list(range(len(inst.employees)))
    assert run.master.penalty(list(run.fixed.values())) == evaluate(inst, roster).penalty  # as the MIP's roster
    lp = run.master.h.getLp()
    for e, column in run.fixed.items():
        for j in run.master.of_employee[e]:
            bounds = (lp.col_lower_[run.master.n_base + j], lp.col_upper_[run.master.n_base + j])
            assert bounds == ((1.0, 1.0) if j == column else (0.0, 0.0))
    run.release()
    lp = run.master.h.getLp()
    schedule_columns = range(run.master.n_base, run.master.h.getNumCol())
    assert all(lp.col_lower_[c] == 0.0 and lp.col_upper_[c] == math.inf for c in schedule_columns)


def test_columns_give_way_when_the_beam_finds_no_schedule_for_an_employee(monkeypatch) -> None:
    """A beam may cut every label that would have lived (Instance 22 at 50 000 labels): no traceback, the
    column path gives way and CP-SAT still solves the instance to its hand-computed optimum."""

    def losing_a(rules, duals, n_best=1, max_labels=200_000):
        schedules, costs, exact = price(rules, duals, n_best, max_labels)
        return (schedules[:0], costs[:0], False) if rules.employee == "A" else (schedules, costs, exact)

    monkeypatch.setattr(columns, "price", losing_a)
    result = generate(parse_instance(TINY), time_limit=10)
    assert result.roster is None and result.bound == float("-inf")
    solved = solve(parse_instance(TINY), time_limit=10, workers=1, method="columns")
    assert solved.status == "OPTIMAL" and solved.objective == 300


def test_generation_gives_way_when_its_root_stays_at_the_starting_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """A root LP that has not come 1 % below the roster that seeded it gives no roster of its own (the best
    responses keep the time); 3 % below, the dives go on. The root's value is stubbed, its work is real."""
    inst = parse_instance(TINY)
    start = [np.array([-1, -1, 0, -1, -1, -1, 0]), np.array([-1, 0, -1, -1, 0, -1, -1])]  # legal, worth 300
    converge = _Generation.converge

    def root_at(value: float):
        def stub(self, *args, **kwargs):
            converge(self, *args, **kwargs)
            self.converged = False
            return value

        return stub

    monkeypatch.setattr(_Generation, "converge", root_at(300.0))
    result = generate(inst, time_limit=10, start=start)
    assert result.roster is None and result.lp_value == 300.0
    monkeypatch.setattr(_Generation, "converge", root_at(290.0))
    assert generate(inst, time_limit=10, start=start).roster is not None


def test_a_dive_with_free_employees_leaves_them_to_cpsat() -> None:
    """``dive(free=2)`` on two employees fixes none and gives no roster; the endgame's CP-SAT reaches the
    hand-computed optimum (300), scored as the evaluator scores it. With ``free=1`` the LP is already whole
    for both employees, so the dive fixes both: a roster of its own, nothing left for CP-SAT."""
    inst = parse_instance(TINY)
    run = _Generation(inst, [employee_rules(inst, e) for e in inst.employees], 3, 1000, 100_000, math.inf)
    run.converge(time.perf_counter() + 10, prove=True)
    assert run.dive(time.perf_counter() + 10, free=2) == (None, None) and not run.fixed
    roster, objective = run.endgame(time.perf_counter() + 10, workers=1)
    verdict = evaluate(inst, roster)
    assert not verdict.violations and verdict.penalty == objective == 300
    roster, objective = run.dive(time.perf_counter() + 10, free=1)
    assert len(run.fixed) == 2 and evaluate(inst, roster).penalty == objective == 300
