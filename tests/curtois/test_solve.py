"""Known answers: a hand-solved tiny instance solved to its optimum, and the solver's parameters read back."""

from __future__ import annotations

from scheduler.curtois.evaluate import evaluate
from scheduler.curtois.solve import CurtoisModel, greedy_roster, solve
from tests.curtois.helpers import make


def two_staff_three_days():
    """Two employees, three days, one 8-hour shift D; optimum 100 by hand.

    Cover wants 1, 2, 1 people on days 0, 1, 2 (100 per person missing, 1 per extra). B has day 1 off, so
    day 1 has at most A: every roster pays at least 100, and 100 needs A on day 1 and nothing else paid.
    A refuses D on day 0 (weight 3), so A is off on day 0; A wants D on day 2 (weight 5), so A works day 2
    (two in a row, A's maximum). Day 0 then needs B, and B must stay off on day 2 (an extra costs 1).
    The unique optimum: A = off, D, D and B = D, off, off, penalty 100. The nearest others: B on days 0
    and 2 as well (101), A on day 1 only with B on days 0 and 2 (105), A on days 0-1 (108 and more).
    """
    return make(
        3,
        ["A,D=3,1440,480,2,1,1,0", "B,D=3,960,0,3,1,1,0"],
        days_off=["A", "B,1"],
        on=["A,2,D,5"],
        off=["A,0,D,3"],
        cover=["0,D,1,100,1", "1,D,2,100,1", "2,D,1,100,1"],
    )


def test_tiny_instance_solved_to_its_hand_computed_optimum() -> None:
    inst = two_staff_three_days()
    result = solve(inst, time_limit=5, workers=1)
    assert result.status == "OPTIMAL"
    assert result.objective == 100 and result.best_bound == 100
    assert result.roster == {"A": [None, "D", "D"], "B": ["D", None, None]}
    assert evaluate(inst, result.roster).penalty == 100
    assert result.gap == 0.0 and result.time_to_first is not None


def test_workers_are_capped_at_two_and_read_back() -> None:
    result = solve(two_staff_three_days(), time_limit=2, workers=8, seed=3)
    assert (result.workers, result.seed) == (2, 3)


def test_model_size_of_the_tiny_instance_is_pinned() -> None:
    """6 shift booleans minus B's day off = 5; 6 work booleans; a blow-up shows here first."""
    built = CurtoisModel(two_staff_three_days())
    assert len(built.x) == 5
    assert len(built.work) == 6
    assert len(built.model.proto.variables) == 14  # + 3 missing-cover counts
    # one shift a day (5) + B's day off (1) + minutes (2) + A's 3-day window (1) + cover max equalities (3)
    assert len(built.model.proto.constraints) == 12


def test_greedy_respects_the_per_day_rules() -> None:
    inst = two_staff_three_days()
    roster = greedy_roster(inst)
    assert roster["B"][1] is None
    assert not any("in a row" in v for v in evaluate(inst, roster).violations)
