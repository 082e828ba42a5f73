"""Parse the Curtois-Qu text format into a frozen, validated ``Instance`` (parsers take text, readers take paths)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import InputError

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True)
class ShiftType:
    name: str
    minutes: int
    forbidden_next: tuple[str, ...]


@dataclass(frozen=True)
class Employee:
    name: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int
    days_off: frozenset[int]


@dataclass(frozen=True)
class Request:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class Instance:
    """One benchmark instance; day 0 is a Monday."""

    name: str
    days: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]

    @property
    def shift_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.shifts)

    @property
    def weekends(self) -> int:
        return self.days // 7

    def shift(self, name: str) -> ShiftType:
        return next(s for s in self.shifts if s.name == name)


def _int(file: str, where: str, text: str, allowed: str = "a non-negative integer", low: int = 0) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(file, where, text, allowed) from None
    if value < low:
        raise InputError(file, where, value, allowed)
    return value


def parse_instance(text: str, file: str = "<instance>", name: str | None = None) -> Instance:
    """Parse one instance file's text; every error names the file, section, line and the bad value."""
    blocks: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InputError(file, f"line {number}", line, f"one of {', '.join(SECTIONS)}")
            current = line
            blocks[current] = []
            continue
        if current is None:
            raise InputError(file, f"line {number}", line, "a SECTION_ header before any data")
        blocks[current].append((number, line))
    for section in SECTIONS:
        if section not in blocks:
            raise InputError(file, section, "(missing)", "every one of the seven sections")

    def where(section: str, number: int) -> str:
        return f"{section}, line {number}"

    horizon = blocks["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise InputError(file, "SECTION_HORIZON", len(horizon), "exactly one line: the number of days")
    days = _int(file, where("SECTION_HORIZON", horizon[0][0]), horizon[0][1], "a positive multiple of 7", 1)
    if days % 7:
        raise InputError(file, where("SECTION_HORIZON", horizon[0][0]), days, "a positive multiple of 7")

    shifts: list[ShiftType] = []
    for number, line in blocks["SECTION_SHIFTS"]:
        fields = line.split(",")
        if len(fields) != 3:
            raise InputError(file, where("SECTION_SHIFTS", number), line, "ShiftID,LengthMinutes,F1|F2|...")
        forbidden = tuple(f.strip() for f in fields[2].split("|") if f.strip())
        shifts.append(
            ShiftType(fields[0].strip(), _int(file, where("SECTION_SHIFTS", number), fields[1], low=1), forbidden)
        )
    names = [s.name for s in shifts]
    if len(set(names)) != len(names) or not names:
        raise InputError(file, "SECTION_SHIFTS", names, "at least one shift, with distinct IDs")
    for number, (shift) in zip((n for n, _ in blocks["SECTION_SHIFTS"]), shifts, strict=True):
        for f in shift.forbidden_next:
            if f not in names:
                raise InputError(file, where("SECTION_SHIFTS", number), f, f"a shift ID: {', '.join(names)}")

    days_off: dict[str, set[int]] = {}
    staff_rows: list[tuple[int, list[str]]] = []
    for number, line in blocks["SECTION_STAFF"]:
        fields = line.split(",")
        if len(fields) != 8:
            raise InputError(file, where("SECTION_STAFF", number), line, "8 comma-separated fields")
        staff_rows.append((number, fields))
    staff_names = [f[0].strip() for _, f in staff_rows]
    if len(set(staff_names)) != len(staff_names):
        raise InputError(file, "SECTION_STAFF", staff_names, "distinct employee IDs")

    def day_of(section: str, number: int, text: str) -> int:
        value = _int(file, where(section, number), text, f"a day index 0..{days - 1}")
        if value >= days:
            raise InputError(file, where(section, number), value, f"a day index 0..{days - 1}")
        return value

    def employee_of(section: str, number: int, text: str) -> str:
        if text.strip() not in staff_names:
            raise InputError(file, where(section, number), text, "an employee ID from SECTION_STAFF")
        return text.strip()

    def shift_of(section: str, number: int, text: str) -> str:
        if text.strip() not in names:
            raise InputError(file, where(section, number), text, f"a shift ID: {', '.join(names)}")
        return text.strip()

    for number, line in blocks["SECTION_DAYS_OFF"]:
        fields = line.split(",")
        emp = employee_of("SECTION_DAYS_OFF", number, fields[0])
        days_off.setdefault(emp, set()).update(day_of("SECTION_DAYS_OFF", number, f) for f in fields[1:] if f.strip())

    employees: list[Employee] = []
    for number, fields in staff_rows:
        w = where("SECTION_STAFF", number)
        max_shifts: dict[str, int] = {s: days for s in names}
        for item in fields[1].split("|"):
            if "=" not in item:
                raise InputError(file, w, item, "ShiftID=n entries separated by |")
            key, value = item.split("=", 1)
            max_shifts[shift_of("SECTION_STAFF", number, key)] = _int(file, w, value)
        nums = [_int(file, w, f) for f in fields[2:]]
        max_min, min_min, max_cons, min_cons, min_off, max_we = nums
        if min_min > max_min:
            raise InputError(file, w, f"MinTotalMinutes {min_min} > MaxTotalMinutes {max_min}", "min <= max")
        if max_cons < 1 or min_cons > max_cons:
            raise InputError(file, w, f"consecutive shifts {min_cons}..{max_cons}", "1 <= max, min <= max")
        employees.append(
            Employee(
                fields[0].strip(),
                max_shifts,
                max_min,
                min_min,
                max_cons,
                min_cons,
                min_off,
                max_we,
                frozenset(days_off.get(fields[0].strip(), set())),
            )
        )

    def requests(section: str) -> tuple[Request, ...]:
        out = []
        for number, line in blocks[section]:
            fields = line.split(",")
            if len(fields) != 4:
                raise InputError(file, where(section, number), line, "EmpID,Day,ShiftID,Weight")
            out.append(
                Request(
                    employee_of(section, number, fields[0]),
                    day_of(section, number, fields[1]),
                    shift_of(section, number, fields[2]),
                    _int(file, where(section, number), fields[3]),
                )
            )
        return tuple(out)

    cover: list[Cover] = []
    for number, line in blocks["SECTION_COVER"]:
        fields = line.split(",")
        w = where("SECTION_COVER", number)
        if len(fields) != 5:
            raise InputError(file, w, line, "Day,ShiftID,Requirement,WeightUnder,WeightOver")
        cover.append(
            Cover(
                day_of("SECTION_COVER", number, fields[0]),
                shift_of("SECTION_COVER", number, fields[1]),
                _int(file, w, fields[2]),
                _int(file, w, fields[3]),
                _int(file, w, fields[4]),
            )
        )
    return Instance(
        name or Path(file).stem,
        days,
        tuple(shifts),
        tuple(employees),
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        tuple(cover),
    )


def read_instance(path: str | Path) -> Instance:
    """Read an instance file (opens it; parsing is ``parse_instance``)."""
    path = Path(path)
    return parse_instance(path.read_text(encoding="ascii"), file=str(path), name=path.stem)
