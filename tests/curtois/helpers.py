"""Small Curtois-Qu instances written as text, for tests that must not touch the disk."""

from __future__ import annotations

from scheduler.curtois.reader import Instance, parse_instance


def instance_text(
    horizon: int,
    staff: list[str],
    shifts: str = "D,480,",
    days_off: list[str] | None = None,
    on: list[str] | None = None,
    off: list[str] | None = None,
    cover: list[str] | None = None,
) -> str:
    """The text of an instance; ``staff`` lines in the file's own format."""
    parts = [
        "# test instance",
        "SECTION_HORIZON",
        str(horizon),
        "",
        "SECTION_SHIFTS",
        shifts,
        "",
        "SECTION_STAFF",
        *staff,
        "",
        "SECTION_DAYS_OFF",
        *(days_off or [line.split(",")[0] for line in staff]),
        "",
        "SECTION_SHIFT_ON_REQUESTS",
        *(on or []),
        "",
        "SECTION_SHIFT_OFF_REQUESTS",
        *(off or []),
        "",
        "SECTION_COVER",
        *(cover or []),
    ]
    return "\r\n".join(parts) + "\r\n"


def make(horizon: int, staff: list[str], **kwargs) -> Instance:
    return parse_instance(instance_text(horizon, staff, **kwargs), name="test")


def pattern(text: str) -> list[str | None]:
    """``"DD.D"`` -> ["D", "D", None, "D"]: one character per day, ``.`` for off."""
    return [None if c == "." else c for c in text]
