"""Read the Curtois-Qu text format into a validated, immutable :class:`Instance`.

``parse_instance`` takes text (tests never touch the disk), ``read_instance`` opens a path. Every defect
raises :class:`~scheduler.errors.InputError` naming the file, the section and line, the value and what is
allowed, so a bad file is reported in one sentence, never discovered at solve time.
"""

from __future__ import annotations

import dataclasses
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
class Shift:
    """A shift type: its length and the shift types that may not be worked on the next day."""

    id: str
    minutes: int
    forbidden_next: frozenset[str]


@dataclass(frozen=True)
class Employee:
    """One employee's contract: limits per shift type, minutes, runs, weekends, and fixed days off."""

    id: str
    max_shifts: tuple[tuple[str, int], ...]  # (shift id, limit), one per shift type, in the file's order
    max_minutes: int
    min_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int
    days_off: frozenset[int]

    def limit(self, shift: str) -> int:
        """How many times this employee may work ``shift`` over the horizon."""
        return dict(self.max_shifts)[shift]


@dataclass(frozen=True)
class Request:
    """A wish to work (on-request) or not to work (off-request) a shift on a day, with its weight."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    """The number wanted on a shift on a day; missing or extra people cost their weight each."""

    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class Instance:
    """One Curtois-Qu instance. Day 0 is a Monday; weekend k is days 7k+5 and 7k+6."""

    name: str
    horizon: int
    shifts: tuple[Shift, ...]
    staff: tuple[Employee, ...]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes) -> Instance:
        """A validated copy with some fields changed (a variant is a copy, never an in-place edit)."""
        return dataclasses.replace(self, **changes)

    @property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @property
    def employee_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.staff)

    def shift(self, shift_id: str) -> Shift:
        return self.shifts[self.shift_ids.index(shift_id)]

    def weekends(self) -> list[tuple[int, ...]]:
        """The days of each weekend (Saturday, Sunday) inside the horizon; day 0 is a Monday."""
        out = []
        for sat in range(5, self.horizon, 7):
            out.append(tuple(d for d in (sat, sat + 1) if d < self.horizon))
        return out


def _validate(inst: Instance) -> None:
    """Cross-references and ranges, checked once at load so the solver never meets a bad value."""
    file = inst.name
    if inst.horizon < 1:
        raise InputError(file, "SECTION_HORIZON", inst.horizon, "a positive number of days")
    ids = [s.id for s in inst.shifts]
    if not ids:
        raise InputError(file, "SECTION_SHIFTS", "(empty)", "at least one shift type")
    if len(set(ids)) != len(ids):
        raise InputError(file, "SECTION_SHIFTS", ids, "distinct shift IDs")
    for s in inst.shifts:
        if s.minutes < 0:
            raise InputError(file, f"SECTION_SHIFTS shift {s.id} length", s.minutes, "minutes >= 0")
        unknown = sorted(s.forbidden_next - set(ids))
        if unknown:
            raise InputError(file, f"SECTION_SHIFTS shift {s.id} successors", unknown, f"shift IDs among {ids}")
    emps = [e.id for e in inst.staff]
    if len(set(emps)) != len(emps):
        raise InputError(file, "SECTION_STAFF", emps, "distinct employee IDs")
    for e in inst.staff:
        where = f"SECTION_STAFF employee {e.id}"
        if [s for s, _ in e.max_shifts] != ids:
            raise InputError(file, f"{where} MaxShifts", [s for s, _ in e.max_shifts], f"one entry per shift {ids}")
        for s, n in e.max_shifts:
            if n < 0:
                raise InputError(file, f"{where} MaxShifts {s}", n, "a count >= 0")
        for field in ("max_minutes", "min_minutes", "max_consecutive_shifts", "min_consecutive_shifts"):
            if getattr(e, field) < 0:
                raise InputError(file, f"{where} {field}", getattr(e, field), "a value >= 0")
        if e.min_consecutive_days_off < 0 or e.max_weekends < 0:
            raise InputError(file, where, (e.min_consecutive_days_off, e.max_weekends), "values >= 0")
        if e.min_minutes > e.max_minutes:
            raise InputError(file, f"{where} MinTotalMinutes", e.min_minutes, f"<= MaxTotalMinutes {e.max_minutes}")
        if e.min_consecutive_shifts > e.max_consecutive_shifts:
            raise InputError(
                file, f"{where} MinConsecutiveShifts", e.min_consecutive_shifts, f"<= {e.max_consecutive_shifts}"
            )
        bad = sorted(d for d in e.days_off if not 0 <= d < inst.horizon)
        if bad:
            raise InputError(file, f"SECTION_DAYS_OFF employee {e.id}", bad, f"days 0..{inst.horizon - 1}")
    for section, requests in (
        ("SECTION_SHIFT_ON_REQUESTS", inst.on_requests),
        ("SECTION_SHIFT_OFF_REQUESTS", inst.off_requests),
    ):
        for r in requests:
            _check_ref(file, section, r.employee, r.day, r.shift, emps, ids, inst.horizon)
            if r.weight < 0:
                raise InputError(file, f"{section} {r.employee},{r.day},{r.shift} weight", r.weight, "a weight >= 0")
    seen = set()
    for c in inst.cover:
        _check_ref(file, "SECTION_COVER", None, c.day, c.shift, emps, ids, inst.horizon)
        if min(c.requirement, c.weight_under, c.weight_over) < 0:
            raise InputError(file, f"SECTION_COVER {c.day},{c.shift}", c, "requirement and weights >= 0")
        if (c.day, c.shift) in seen:
            raise InputError(file, f"SECTION_COVER {c.day},{c.shift}", "a second row", "one row per day and shift")
        seen.add((c.day, c.shift))


def _check_ref(file, section, emp, day, shift, emps, ids, horizon) -> None:
    if emp is not None and emp not in emps:
        raise InputError(file, f"{section} employee", emp, f"an employee of SECTION_STAFF ({len(emps)} known)")
    if not 0 <= day < horizon:
        raise InputError(file, f"{section} day", day, f"a day 0..{horizon - 1}")
    if shift not in ids:
        raise InputError(file, f"{section} shift", shift, f"a shift ID among {list(ids)}")


def read_instance(path: str | Path) -> Instance:
    """The instance in ``path``, named by the file's stem (``Instance1``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise InputError(str(path), "file", str(path), f"a readable Curtois-Qu instance ({exc.strerror})") from exc
    return parse_instance(text, name=path.stem, file=str(path))


def parse_instance(text: str, name: str = "<instance>", file: str | None = None) -> Instance:
    """Parse the text of a Curtois-Qu instance.

    Parameters
    ----------
    text
        The whole file (CRLF or LF line endings, ``#`` comments, blank lines between sections).
    name
        The instance's name in results.
    file
        Shown in error messages (defaults to ``name``).

    Raises
    ------
    InputError
        On an unknown or missing section, a malformed line, or a value out of range.
    """
    file = file or name
    lines: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InputError(file, f"line {number}", line, f"one of {', '.join(SECTIONS)}")
            if line in lines:
                raise InputError(file, f"line {number}", line, "each section once")
            current = line
            lines[current] = []
            continue
        if current is None:
            raise InputError(file, f"line {number}", line, "a SECTION_ header before any data")
        lines[current].append((number, line))
    missing = [s for s in SECTIONS[:4] if s not in lines]
    if missing:
        raise InputError(file, missing[0], "(missing)", "every section of the format, in order")

    horizon_lines = lines["SECTION_HORIZON"]
    if len(horizon_lines) != 1:
        raise InputError(file, "SECTION_HORIZON", [text for _, text in horizon_lines], "exactly one line: the days")
    horizon = _int(file, "SECTION_HORIZON", *horizon_lines[0], "the number of days")

    shifts = []
    for number, line in lines["SECTION_SHIFTS"]:
        fields = _fields(file, "SECTION_SHIFTS", number, line, 3, "ShiftID,LengthMinutes,F1|F2|...")
        succ = frozenset(f.strip() for f in fields[2].split("|") if f.strip())
        where = f"SECTION_SHIFTS line {number} length"
        shifts.append(Shift(fields[0], _int(file, where, number, fields[1], "minutes"), succ))
    shift_ids = [s.id for s in shifts]

    days_off: dict[str, set[int]] = {}
    for number, line in lines["SECTION_DAYS_OFF"]:
        fields = [f.strip() for f in line.split(",")]
        days = {_int(file, f"SECTION_DAYS_OFF line {number} day", number, f, "a day index") for f in fields[1:] if f}
        days_off.setdefault(fields[0], set()).update(days)

    staff = []
    for number, line in lines["SECTION_STAFF"]:
        f = _fields(
            file, "SECTION_STAFF", number, line, 8, "EmpID,MaxShifts,MaxMin,MinMin,MaxCons,MinCons,MinOff,MaxWknd"
        )
        limits = []
        for item in f[1].split("|"):
            sid, sep, count = item.partition("=")
            if not sep:
                raise InputError(file, f"SECTION_STAFF line {number} MaxShifts", item, "ShiftID=count")
            limits.append((sid.strip(), _int(file, f"SECTION_STAFF line {number} MaxShifts", number, count, "a count")))
        given = dict(limits)
        unknown = sorted(set(given) - set(shift_ids))
        if unknown:
            raise InputError(file, f"SECTION_STAFF line {number} MaxShifts", unknown, f"shift IDs among {shift_ids}")
        ordered = tuple((s, given.get(s, 0)) for s in shift_ids)
        if len(given) != len(shift_ids):
            raise InputError(file, f"SECTION_STAFF line {number} MaxShifts", f[1], f"one entry per shift {shift_ids}")
        nums = [
            _int(file, f"SECTION_STAFF line {number} field {i + 1}", number, f[i], "an integer") for i in range(2, 8)
        ]
        staff.append(Employee(f[0], ordered, *nums, days_off=frozenset(days_off.get(f[0], ()))))
    unknown_off = sorted(set(days_off) - {e.id for e in staff})
    if unknown_off:
        raise InputError(file, "SECTION_DAYS_OFF employee", unknown_off[0], "an employee of SECTION_STAFF")

    def requests(section: str) -> tuple[Request, ...]:
        out = []
        for number, line in lines.get(section, []):
            f = _fields(file, section, number, line, 4, "EmpID,Day,ShiftID,Weight")
            day = _int(file, f"{section} line {number} day", number, f[1], "a day index")
            weight = _int(file, f"{section} line {number} weight", number, f[3], "a weight")
            out.append(Request(f[0], day, f[2], weight))
        return tuple(out)

    cover = []
    for number, line in lines.get("SECTION_COVER", []):
        f = _fields(file, "SECTION_COVER", number, line, 5, "Day,ShiftID,Requirement,WeightUnder,WeightOver")
        day, req, under, over = (
            _int(file, f"SECTION_COVER line {number} field {i + 1}", number, f[i], "an integer") for i in (0, 2, 3, 4)
        )
        cover.append(Cover(day, f[1], req, under, over))
    try:
        return Instance(
            name,
            horizon,
            tuple(shifts),
            tuple(staff),
            requests("SECTION_SHIFT_ON_REQUESTS"),
            requests("SECTION_SHIFT_OFF_REQUESTS"),
            tuple(cover),
        )
    except InputError as exc:
        if exc.file == name and file != name:
            raise InputError(file, exc.field, exc.value, exc.allowed) from None
        raise


def _fields(file: str, section: str, number: int, line: str, count: int, shape: str) -> list[str]:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) != count:
        raise InputError(file, f"{section} line {number}", line, f"{count} comma-separated fields: {shape}")
    return fields


def _int(file: str, where: str, number: int, value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InputError(file, where, value, f"an integer ({what})") from None
