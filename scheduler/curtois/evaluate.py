"""Score a Curtois-Qu roster from the instance and the roster alone, with no solver involved.

This is the referee for every roster the CP-SAT model reports: it recomputes each hard rule by walking the
runs of worked days and days off (not the model's sliding windows), and the soft penalty term by term, as
the format's documentation defines them (``benchmarks/curtois/README.md``), edge rules included:

* rotation and max consecutive shifts: nothing carries across the horizon's edges, every run counts in full;
* min consecutive shifts and min consecutive days off: only runs with a day of the other kind on both sides
  inside the horizon are checked (infinite work / rest is assumed beyond both edges);
* weekend k is days 7k+5 and 7k+6 (day 0 is a Monday), worked if either day has a shift.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scheduler.curtois.reader import Instance
from scheduler.errors import InputError

Roster = Mapping[str, Sequence[str | None]]
"""Employee ID -> one entry per day: the shift ID worked, or None for a day off."""


@dataclass(frozen=True)
class Evaluation:
    """A roster's verdict: the broken hard rules (empty when feasible) and the penalty by term."""

    violations: tuple[str, ...]
    on_request_penalty: int
    off_request_penalty: int
    under_cover_penalty: int
    over_cover_penalty: int
    details: dict[str, int] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def penalty(self) -> int:
        return self.on_request_penalty + self.off_request_penalty + self.under_cover_penalty + self.over_cover_penalty

    def summary(self) -> str:
        state = "feasible" if self.feasible else f"{len(self.violations)} violations"
        return (
            f"{state}, penalty {self.penalty} (on {self.on_request_penalty}, off {self.off_request_penalty}, "
            f"under {self.under_cover_penalty}, over {self.over_cover_penalty})"
        )


def runs(worked: Sequence[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs as (worked, first day, length), in day order."""
    out: list[tuple[bool, int, int]] = []
    for day, w in enumerate(worked):
        if out and out[-1][0] == w:
            kind, start, length = out[-1]
            out[-1] = (kind, start, length + 1)
        else:
            out.append((w, day, 1))
    return out


def evaluate(instance: Instance, roster: Roster) -> Evaluation:
    """Every hard rule and the soft penalty of ``roster``.

    Raises
    ------
    InputError
        When the roster does not fit the instance (unknown employee or shift, wrong number of days): that is
        a malformed roster, not a rule violation.
    """
    H = instance.horizon
    shift_ids = set(instance.shift_ids)
    for emp in instance.employee_ids:
        if emp not in roster:
            raise InputError("<roster>", "employee", emp, "a row for every employee of the instance")
    for emp, days in roster.items():
        if emp not in instance.employee_ids:
            raise InputError("<roster>", "employee", emp, f"an employee of {instance.name}")
        if len(days) != H:
            raise InputError("<roster>", f"employee {emp} days", len(days), f"exactly {H} days")
        for d, s in enumerate(days):
            if s is not None and s not in shift_ids:
                raise InputError("<roster>", f"employee {emp} day {d}", s, f"a shift among {sorted(shift_ids)} or off")

    violations: list[str] = []
    weekends = instance.weekends()
    for e in instance.staff:
        days = roster[e.id]
        worked = [s is not None for s in days]
        for d in range(H - 1):
            s, t = days[d], days[d + 1]
            if s is not None and t is not None and t in instance.shift(s).forbidden_next:
                violations.append(f"{e.id}: shift {t} on day {d + 1} may not follow {s} on day {d}")
        for sid, limit in e.max_shifts:
            count = sum(1 for s in days if s == sid)
            if count > limit:
                violations.append(f"{e.id}: {count} shifts {sid}, at most {limit}")
        minutes = sum(instance.shift(s).minutes for s in days if s is not None)
        if minutes > e.max_minutes:
            violations.append(f"{e.id}: {minutes} minutes, at most {e.max_minutes}")
        if minutes < e.min_minutes:
            violations.append(f"{e.id}: {minutes} minutes, at least {e.min_minutes}")
        for kind, start, length in runs(worked):
            inside = start > 0 and start + length < H  # a day of the other kind on both sides
            if kind and length > e.max_consecutive_shifts:
                violations.append(
                    f"{e.id}: {length} shifts in a row from day {start}, at most {e.max_consecutive_shifts}"
                )
            if kind and inside and length < e.min_consecutive_shifts:
                violations.append(
                    f"{e.id}: {length} shifts in a row from day {start}, at least {e.min_consecutive_shifts}"
                )
            if not kind and inside and length < e.min_consecutive_days_off:
                violations.append(
                    f"{e.id}: {length} days off in a row from day {start}, at least {e.min_consecutive_days_off}"
                )
        worked_weekends = sum(1 for wk in weekends if any(worked[d] for d in wk))
        if worked_weekends > e.max_weekends:
            violations.append(f"{e.id}: {worked_weekends} weekends worked, at most {e.max_weekends}")
        for d in sorted(e.days_off):
            if worked[d]:
                violations.append(f"{e.id}: works {days[d]} on fixed day off {d}")

    on = sum(r.weight for r in instance.on_requests if roster[r.employee][r.day] != r.shift)
    off = sum(r.weight for r in instance.off_requests if roster[r.employee][r.day] == r.shift)
    under = over = 0
    for c in instance.cover:
        n = sum(1 for days in roster.values() if days[c.day] == c.shift)
        under += c.weight_under * max(0, c.requirement - n)
        over += c.weight_over * max(0, n - c.requirement)
    return Evaluation(tuple(violations), on, off, under, over)


def write_roster_csv(instance: Instance, roster: Roster) -> str:
    """The roster as CSV text, one row per worked (employee, day): ``employee,day,shift``; absent rows are off."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["employee", "day", "shift"])
    for emp in instance.employee_ids:
        for d, s in enumerate(roster[emp]):
            if s is not None:
                writer.writerow([emp, d, s])
    return buffer.getvalue()


def read_roster_csv(instance: Instance, text: str, file: str = "<roster>") -> dict[str, list[str | None]]:
    """A roster from ``employee,day,shift`` CSV text; days without a row are off (an empty shift also means off)."""
    roster: dict[str, list[str | None]] = {e: [None] * instance.horizon for e in instance.employee_ids}
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["employee", "day", "shift"]:
        raise InputError(file, "header", reader.fieldnames, "the columns employee,day,shift")
    for number, row in enumerate(reader, start=2):
        emp, day_text, shift = (row[k].strip() if row[k] else "" for k in ("employee", "day", "shift"))
        if emp not in roster:
            raise InputError(file, f"row {number}, column employee", emp, f"an employee of {instance.name}")
        try:
            day = int(day_text)
        except ValueError:
            raise InputError(file, f"row {number}, column day", day_text, "an integer day index") from None
        if not 0 <= day < instance.horizon:
            raise InputError(file, f"row {number}, column day", day, f"a day 0..{instance.horizon - 1}")
        if shift and shift not in instance.shift_ids:
            raise InputError(file, f"row {number}, column shift", shift, f"a shift among {list(instance.shift_ids)}")
        if roster[emp][day] is not None:
            raise InputError(file, f"row {number}", f"{emp},{day}", "one shift per employee and day")
        roster[emp][day] = shift or None
    return roster
