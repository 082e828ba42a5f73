"""Evaluator rules on their boundaries, horizon edges as the format's notes define them."""

from __future__ import annotations

from scheduler.curtois.evaluate import evaluate, roster_from_csv, roster_to_csv
from scheduler.curtois.reader import parse_instance
from tests.curtois.conftest import instance_text


def _roster(pattern: str) -> dict:
    """'DD-D---' -> one employee A, D worked where the letter is."""
    return {"A": tuple(None if c == "-" else c for c in pattern)}


def _ok(pattern: str, **kw) -> bool:
    return evaluate(parse_instance(instance_text(**kw)), _roster(pattern)).feasible


# staff fields: ID, MaxShifts, MaxMin, MinMin, MaxCons, MinCons, MinDaysOff, MaxWeekends
LOOSE = "A,D=7,3360,0,{maxc},{minc},{minoff},{we}"


def test_max_consecutive_exactly_max_passes_max_plus_one_fails_even_at_the_edge() -> None:
    staff = LOOSE.format(maxc=3, minc=1, minoff=1, we=1)
    assert _ok("DDD----", staff=staff)
    assert not _ok("DDDD---", staff=staff)
    assert _ok("----DDD", staff=staff)
    assert not _ok("---DDDD", staff=staff)


def test_min_consecutive_shifts_exempt_only_at_the_horizon_edges() -> None:
    staff = LOOSE.format(maxc=7, minc=2, minoff=1, we=1)
    assert _ok("D------", staff=staff)
    assert _ok("------D", staff=staff)
    assert not _ok("--D----", staff=staff)
    assert _ok("--DD---", staff=staff)


def test_min_days_off_exempt_only_at_the_horizon_edges() -> None:
    staff = LOOSE.format(maxc=7, minc=1, minoff=2, we=1)
    assert _ok("-DDDDDD", staff=staff)
    assert _ok("DDDDDD-", staff=staff)
    assert not _ok("DDD-DDD", staff=staff)
    assert _ok("DD--DDD", staff=staff)


def test_weekend_is_saturday_or_sunday_with_day_0_a_monday() -> None:
    staff = LOOSE.format(maxc=7, minc=1, minoff=1, we=0)
    assert _ok("DDDDD--", staff=staff)
    assert not _ok("-----D-", staff=staff)
    assert not _ok("------D", staff=staff)
    two = LOOSE.format(maxc=7, minc=1, minoff=1, we=1).replace("D=7", "D=14").replace("3360", "9999")
    assert _ok("-----DD-------", staff=two, days=14)
    assert not _ok("-----D-------D", staff=two, days=14)


def test_days_off_rotation_and_totals() -> None:
    staff = LOOSE.format(maxc=7, minc=1, minoff=1, we=1)
    assert not _ok("D------", staff=staff, days_off="A,0")
    two = "D,480,N\nN,480,"
    both = "A,D=7|N=7,3360,0,7,1,1,1"
    assert _ok("ND-----", staff=both, shifts=two)
    assert not _ok("DN-----", staff=both, shifts=two)
    assert not _ok("DD-----", staff="A,D=1,3360,0,7,1,1,1")
    assert not _ok("D------", staff="A,D=7,3360,960,7,1,1,1")
    assert not _ok("DDDDDD-", staff="A,D=7,2000,0,7,1,1,1")


def test_requests_and_cover_under_over() -> None:
    staff = LOOSE.format(maxc=7, minc=1, minoff=1, we=1) + "\nB,D=7,3360,0,7,1,1,1"
    inst = parse_instance(
        instance_text(
            staff=staff,
            days_off="A\nB",
            on="A,0,D,3\nB,1,D,5",
            off="A,1,D,7",
            cover="0,D,1,100,1\n1,D,0,100,1\n2,D,2,100,1",
        )
    )
    roster = {"A": ("D", "D") + (None,) * 5, "B": (None, None, "D") + (None,) * 4}
    result = evaluate(inst, roster)
    assert (result.on_request, result.off_request, result.cover_under, result.cover_over) == (5, 7, 100, 1)
    assert result.penalty == 113 and result.feasible
    assert roster_from_csv(inst, roster_to_csv(inst, roster)) == roster
