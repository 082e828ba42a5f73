"""The evaluator on the boundaries of each rule, with the format's edge rules, and a brute-force check that
the CP-SAT model accepts exactly the work patterns the evaluator accepts (window rules hide off-by-ones)."""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from scheduler.curtois.evaluate import evaluate, read_roster_csv, runs, write_roster_csv
from scheduler.curtois.solve import CurtoisModel
from scheduler.errors import InputError
from tests.curtois.helpers import make, pattern

# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts,
# MinConsecutiveDaysOff, MaxWeekends
LOOSE = "A,D=99,99999,0,99,1,1,99"
LOOSE2 = "A,D=99|N=99,99999,0,99,1,1,99"  # two shift types


def broken(inst, days: str) -> tuple[str, ...]:
    return evaluate(inst, {"A": pattern(days)}).violations


def test_runs_split_work_and_rest() -> None:
    assert runs([True, True, False, True]) == [(True, 0, 2), (False, 2, 1), (True, 3, 1)]


def test_max_consecutive_exactly_max_passes_max_plus_one_fails_edges_count_in_full() -> None:
    inst = make(7, ["A,D=99,99999,0,3,1,1,99"])
    assert not broken(inst, ".DDD.DD")
    assert broken(inst, ".DDDD..")
    assert broken(inst, "DDDD...")  # a run touching day 0 counts in full
    assert broken(inst, "...DDDD")  # and one touching day H-1


def test_min_consecutive_shifts_inside_only() -> None:
    inst = make(7, ["A,D=99,99999,0,99,2,1,99"])
    assert not broken(inst, ".DD.DD.")
    assert broken(inst, "..D....")  # exactly min-1 framed by days off
    assert not broken(inst, "D......")  # a run starting on day 0 is exempt
    assert not broken(inst, "......D")  # and one ending on day H-1
    assert not broken(inst, "DDDDDDD")


def test_min_consecutive_days_off_inside_only() -> None:
    inst = make(7, ["A,D=99,99999,0,99,1,2,99"])
    assert not broken(inst, "DD..DDD")
    assert broken(inst, "DD.DDDD")  # one day off framed by work
    assert not broken(inst, ".DDDDDD")  # rest starting on day 0 is exempt
    assert not broken(inst, "DDDDDD.")  # rest ending on day H-1 is exempt
    assert not broken(inst, ".......")


def test_weekends_are_saturday_and_sunday_from_a_monday() -> None:
    inst = make(14, ["A,D=99,99999,0,99,1,1,1"])
    assert not broken(inst, ".....DD.......")  # Sat and Sun of week 0: one weekend
    assert not broken(inst, "DDDDD..DDDDD..")  # Mon-Fri only: no weekend
    assert broken(inst, ".....D.......D")  # Sat of week 0 and Sun of week 1: two weekends
    assert broken(inst, "......DDDDDDD.")  # Sunday 6 and Saturday 12


def test_rotation_inside_the_horizon() -> None:
    inst = make(3, ["A,D=9|N=9,99999,0,99,1,1,99"], shifts="D,480,\r\nN,480,D")
    assert not broken(inst, "DNN")
    assert broken(inst, "ND.")  # D may not follow N


def test_limits_minutes_and_days_off() -> None:
    inst = make(4, ["A,D=2,1440,960,99,1,1,99"], days_off=["A,3"])
    assert not broken(inst, "DD..")
    assert broken(inst, "DDD.")  # 3 shifts D, at most 2 (and 1440 minutes is still allowed)
    assert broken(inst, "D...")  # 480 minutes, at least 960
    assert broken(inst, "D..D")  # works on a fixed day off
    tight = make(4, ["A,D=9,960,0,99,1,1,99"])
    assert not broken(tight, "DD..") and broken(tight, "DDD.")


def test_requests_and_cover_penalties() -> None:
    inst = make(
        2,
        [LOOSE2, LOOSE2.replace("A,", "B,", 1)],
        shifts="D,480,\r\nN,480,",
        on=["A,0,D,5"],
        off=["B,1,N,3"],
        cover=["0,D,2,100,1", "0,N,0,100,1", "1,D,0,100,1", "1,N,1,100,1"],
    )
    granted = evaluate(inst, {"A": ["D", None], "B": ["D", "D"]})
    assert (granted.on_request_penalty, granted.off_request_penalty) == (0, 0)
    assert (granted.under_cover_penalty, granted.over_cover_penalty) == (100, 1)  # day 1: N missing, D extra
    other_shift = evaluate(inst, {"A": ["N", None], "B": [None, "N"]})
    assert other_shift.on_request_penalty == 5  # working another shift does not grant an on-request
    assert other_shift.off_request_penalty == 3  # working exactly the refused shift
    assert other_shift.under_cover_penalty == 200 and other_shift.over_cover_penalty == 1
    assert other_shift.penalty == 209


def test_a_roster_that_does_not_fit_is_an_input_error() -> None:
    inst = make(3, [LOOSE])
    with pytest.raises(InputError):
        evaluate(inst, {"A": ["D", None]})
    with pytest.raises(InputError):
        evaluate(inst, {"A": ["X", None, None]})


def test_roster_csv_round_trip() -> None:
    inst = make(3, [LOOSE2], shifts="D,480,\r\nN,480,")
    roster = {"A": ["D", None, "N"]}
    text = write_roster_csv(inst, roster)
    assert text.splitlines() == ["employee,day,shift", "A,0,D", "A,2,N"]
    assert read_roster_csv(inst, text) == roster
    with pytest.raises(InputError, match="row 2"):
        read_roster_csv(inst, "employee,day,shift\nA,7,D\n")


@pytest.mark.parametrize(
    ("horizon", "staff"),
    [(7, "A,D=99,99999,0,3,2,2,9"), (9, "A,D=99,99999,0,3,2,2,0")],
    ids=["run_rules_one_week", "no_weekend_nine_days"],
)
def test_model_accepts_exactly_the_patterns_the_evaluator_accepts(horizon: int, staff: str) -> None:
    """Every work pattern of a short horizon, under all run rules at once (and no weekend on 9 days)."""
    inst = make(horizon, [staff])
    verdicts = []
    for bits in itertools.product((False, True), repeat=horizon):
        days = ["D" if b else None for b in bits]
        built = CurtoisModel(inst)
        for d, b in enumerate(bits):
            built.model.add(built.work["A", d] == int(b))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        model_ok = solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        assert model_ok == evaluate(inst, {"A": days}).feasible, "".join("D" if b else "." for b in bits)
        verdicts.append(model_ok)
    assert 0 < sum(verdicts) < len(verdicts)
