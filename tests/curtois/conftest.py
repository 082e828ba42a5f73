"""Tiny instances written as Curtois-Qu text, so tests exercise the real parser."""

from __future__ import annotations


def instance_text(
    staff: str = "A,D=7,3360,0,3,2,2,0",
    shifts: str = "D,480,",
    days_off: str = "A",
    on: str = "",
    off: str = "",
    cover: str = "",
    days: int = 7,
) -> str:
    return (
        f"SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\n{shifts}\n\nSECTION_STAFF\n{staff}\n\n"
        f"SECTION_DAYS_OFF\n{days_off}\n\nSECTION_SHIFT_ON_REQUESTS\n{on}\n\nSECTION_SHIFT_OFF_REQUESTS\n{off}\n\n"
        f"SECTION_COVER\n{cover}\n"
    )


# 2 employees, 7 days, cover 1 a day at 100 under; optimum 300 (computed by hand in test_solve.py)
TWO_PERSON_WEEK = instance_text(
    staff="A,D=2,3360,960,3,1,1,1\nB,D=2,3360,0,3,1,1,0",
    days_off="A,3\nB",
    on="A,6,D,5",
    off="B,0,D,50",
    cover="\n".join(f"{d},D,1,100,1" for d in range(7)),
)
