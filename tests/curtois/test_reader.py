"""The reader on the real Instance1 and on broken files, each named by its defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.curtois.reader import parse_instance, read_instance
from scheduler.errors import InputError
from tests.curtois.helpers import instance_text

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "curtois"


def test_instance1_counts_as_in_the_file() -> None:
    inst = read_instance(DATA / "Instance1.txt")
    assert inst.name == "Instance1"
    assert inst.horizon == 14
    assert inst.shift_ids == ("D",)
    assert inst.shift("D").minutes == 480 and inst.shift("D").forbidden_next == frozenset()
    assert inst.employee_ids == tuple("ABCDEFGH")
    a = inst.staff[0]
    assert (a.limit("D"), a.max_minutes, a.min_minutes) == (14, 4320, 3360)
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts, a.min_consecutive_days_off, a.max_weekends) == (
        5,
        2,
        2,
        1,
    )
    assert a.days_off == frozenset({0}) and inst.staff[7].days_off == frozenset({7})
    assert (len(inst.on_requests), len(inst.off_requests), len(inst.cover)) == (21, 5, 14)
    assert inst.cover[1].requirement == 7 and inst.cover[1].weight_under == 100 and inst.cover[1].weight_over == 1
    assert inst.weekends() == [(5, 6), (12, 13)]


def test_instance24_reads_with_its_successor_lists() -> None:
    inst = read_instance(DATA / "Instance24.txt")
    assert (inst.horizon, len(inst.shifts), len(inst.staff)) == (364, 32, 150)
    assert "a1" in inst.shift("a4").forbidden_next and inst.shift("a1").forbidden_next == frozenset()


STAFF = "A,D=3,1440,0,3,1,1,1"
BROKEN = {
    "unknown_section": (instance_text(3, [STAFF]).replace("SECTION_COVER", "SECTION_COVERS"), "line"),
    "horizon_not_a_number": (instance_text(3, [STAFF]).replace("\r\n3\r\n", "\r\nthree\r\n", 1), "SECTION_HORIZON"),
    "cover_day_outside_horizon": (instance_text(3, [STAFF], cover=["3,D,1,100,1"]), "SECTION_COVER day"),
    "cover_unknown_shift": (instance_text(3, [STAFF], cover=["0,N,1,100,1"]), "SECTION_COVER shift"),
    "request_unknown_employee": (instance_text(3, [STAFF], on=["Z,0,D,1"]), "SECTION_SHIFT_ON_REQUESTS employee"),
    "min_minutes_above_max": (instance_text(3, ["A,D=3,480,960,3,1,1,1"]), "MinTotalMinutes"),
    "max_shifts_unknown_shift": (instance_text(3, ["A,N=3,1440,0,3,1,1,1"]), "MaxShifts"),
    "staff_line_too_short": (instance_text(3, ["A,D=3,1440,0,3,1,1"]), "SECTION_STAFF line"),
    "successor_unknown": (instance_text(3, [STAFF], shifts="D,480,N"), "successors"),
    "day_off_outside_horizon": (instance_text(3, [STAFF], days_off=["A,5"]), "SECTION_DAYS_OFF"),
}


@pytest.mark.parametrize("defect", sorted(BROKEN))
def test_broken_files_name_file_section_and_value(defect: str) -> None:
    text, field = BROKEN[defect]
    with pytest.raises(InputError) as info:
        parse_instance(text, name="tiny", file=f"{defect}.txt")
    assert info.value.file == f"{defect}.txt"
    assert field in info.value.field, info.value.message
    assert info.value.allowed


def test_unreadable_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Instance99"):
        read_instance(tmp_path / "Instance99.txt")


def test_replace_revalidates() -> None:
    inst = parse_instance(instance_text(3, [STAFF]))
    with pytest.raises(InputError):
        inst.replace(horizon=0)
