"""Score a roster from the roster alone, as the format's documentation defines it (no solver imported).

A roster maps each employee to a tuple of length H: a shift ID or ``None`` (off).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from scheduler.curtois.reader import Instance

Roster = dict[str, tuple[str | None, ...]]


@dataclass(frozen=True)
class Evaluation:
    penalty: int
    violations: tuple[str, ...] = field(default=())
    on_request: int = 0
    off_request: int = 0
    cover_under: int = 0
    cover_over: int = 0

    @property
    def feasible(self) -> bool:
        return not self.violations


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of every maximal run of days equal to ``value``."""
    runs, start = [], None
    for d, w in enumerate([*worked, not value]):
        if w == value and start is None:
            start = d
        elif w != value and start is not None:
            runs.append((start, d - start))
            start = None
    return runs


def evaluate(instance: Instance, roster: Roster) -> Evaluation:
    """Every hard rule and the soft penalty; rules at the horizon edges follow the format's notes."""
    H = instance.days
    bad: list[str] = []
    minutes = {s.name: s.minutes for s in instance.shifts}
    forbid = {s.name: set(s.forbidden_next) for s in instance.shifts}
    for emp in instance.employees:
        row = roster.get(emp.name)
        if row is None or len(row) != H:
            bad.append(f"{emp.name}: roster row missing or not {H} days")
            continue
        for d, s in enumerate(row):
            if s is not None and s not in minutes:
                bad.append(f"{emp.name} day {d}: unknown shift {s!r}")
        if any(s is not None and s not in minutes for s in row):
            continue
        for d in range(H - 1):
            if row[d] is not None and row[d + 1] is not None and row[d + 1] in forbid[row[d]]:
                bad.append(f"{emp.name} day {d}: {row[d]} may not be followed by {row[d + 1]}")
        for s, cap in emp.max_shifts.items():
            if sum(1 for x in row if x == s) > cap:
                bad.append(f"{emp.name}: more than {cap} shifts {s}")
        total = sum(minutes[x] for x in row if x is not None)
        if total > emp.max_minutes:
            bad.append(f"{emp.name}: {total} min > max {emp.max_minutes}")
        if total < emp.min_minutes:
            bad.append(f"{emp.name}: {total} min < min {emp.min_minutes}")
        worked = [x is not None for x in row]
        for start, length in _runs(worked, True):
            if length > emp.max_consecutive:
                bad.append(f"{emp.name}: {length} consecutive shifts from day {start} > {emp.max_consecutive}")
            if start > 0 and start + length < H and length < emp.min_consecutive:
                bad.append(f"{emp.name}: {length} consecutive shifts from day {start} < {emp.min_consecutive}")
        for start, length in _runs(worked, False):
            if start > 0 and start + length < H and length < emp.min_days_off:
                bad.append(f"{emp.name}: {length} days off from day {start} < {emp.min_days_off}")
        weekends = sum(1 for k in range(instance.weekends) if worked[7 * k + 5] or worked[7 * k + 6])
        if weekends > emp.max_weekends:
            bad.append(f"{emp.name}: {weekends} weekends > {emp.max_weekends}")
        for d in sorted(emp.days_off):
            if worked[d]:
                bad.append(f"{emp.name} day {d}: works on a fixed day off")
    on = sum(r.weight for r in instance.on_requests if roster.get(r.employee, (None,) * H)[r.day] != r.shift)
    off = sum(r.weight for r in instance.off_requests if roster.get(r.employee, (None,) * H)[r.day] == r.shift)
    under = over = 0
    for c in instance.cover:
        n = sum(1 for row in roster.values() if len(row) == H and row[c.day] == c.shift)
        under += c.weight_under * max(0, c.requirement - n)
        over += c.weight_over * max(0, n - c.requirement)
    return Evaluation(on + off + under + over, tuple(bad), on, off, under, over)


def roster_to_csv(instance: Instance, roster: Roster) -> str:
    """employee,day,shift rows (shift empty when off); the benchmark publishes no plain-text solution format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["employee", "day", "shift"])
    for emp in instance.employees:
        for d, s in enumerate(roster[emp.name]):
            writer.writerow([emp.name, d, s or ""])
    return out.getvalue()


def roster_from_csv(instance: Instance, text: str) -> Roster:
    """Inverse of ``roster_to_csv``; days not listed are off."""
    rows: dict[str, list[str | None]] = {e.name: [None] * instance.days for e in instance.employees}
    for rec in csv.DictReader(io.StringIO(text)):
        if rec["shift"]:
            rows.setdefault(rec["employee"], [None] * instance.days)[int(rec["day"])] = rec["shift"]
    return {k: tuple(v) for k, v in rows.items()}
