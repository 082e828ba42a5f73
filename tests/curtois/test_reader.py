"""The reader on the real Instance1 and on broken text."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.curtois.reader import parse_instance, read_instance
from scheduler.errors import InputError
from tests.curtois.conftest import instance_text

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "curtois"


def test_instance1_counts_match_the_file() -> None:
    inst = read_instance(DATA / "Instance1.txt")
    assert (inst.days, len(inst.employees), inst.shift_names) == (14, 8, ("D",))
    assert len(inst.cover) == 14 and len(inst.on_requests) == 21 and len(inst.off_requests) == 5
    a = inst.employees[0]
    assert (a.name, a.max_shifts, a.max_minutes, a.min_minutes) == ("A", {"D": 14}, 4320, 3360)
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends, a.days_off) == (
        5,
        2,
        2,
        1,
        frozenset({0}),
    )


def test_all_24_instances_parse() -> None:
    for n in range(1, 25):
        assert read_instance(DATA / f"Instance{n}.txt").days % 7 == 0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"days": 10}, "SECTION_HORIZON"),
        ({"cover": "0,N,1,100,1"}, "SECTION_COVER, line"),
        ({"on": "A,7,D,1"}, "SECTION_SHIFT_ON_REQUESTS, line"),
        ({"off": "Z,1,D,1"}, "SECTION_SHIFT_OFF_REQUESTS, line"),
        ({"staff": "A,D=7,100,200,3,2,2,0"}, "SECTION_STAFF, line"),
        ({"shifts": "D,480,N"}, "SECTION_SHIFTS, line"),
    ],
)
def test_bad_text_names_file_section_and_line(change: dict, where: str) -> None:
    with pytest.raises(InputError) as info:
        parse_instance(instance_text(**change), file="bad.txt")
    assert info.value.file == "bad.txt" and info.value.field.startswith(where)
