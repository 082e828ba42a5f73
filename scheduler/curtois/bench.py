"""The Curtois-Qu suite for ``scheduler bench``: solve, re-score, compare with the best known values."""

from __future__ import annotations

import csv
from pathlib import Path

from scheduler.errors import InputError

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "curtois"
COUNT = 24


def parse_instances(text: str) -> list[int]:
    """``1-12`` or ``1,3,5-7`` into instance numbers 1..24; anything else is bad input (exit 2)."""
    allowed = f"numbers or ranges within 1-{COUNT}, e.g. 1-12 or 1,3,5-7"
    numbers: list[int] = []
    for part in text.split(","):
        part = part.strip()
        try:
            low, _, high = part.partition("-")
            a, b = int(low), int(high or low)
        except ValueError:
            raise InputError("--instances", "instances", text, allowed) from None
        if not 1 <= a <= b <= COUNT:
            raise InputError("--instances", "instances", text, allowed)
        numbers.extend(n for n in range(a, b + 1) if n not in numbers)
    return numbers


def best_known() -> dict[str, int]:
    with open(DATA / "bks.csv", encoding="utf-8") as fh:
        return {row["instance"]: int(row["best_known"]) for row in csv.DictReader(fh)}


def _gap(value: float | None, ref: float | None) -> float | None:
    if value is None or ref is None or value == 0:
        return None
    return (value - ref) / value


def run_suite(
    instances: str, time_limit: float, workers: int, seed: int, fmt: str, output: str | None, engine: str = "columns"
) -> int:
    """Rows per instance; gaps are (objective - reference) / objective. Returns the exit code."""
    from scheduler.commands.common import emit_json, stderr, stdout
    from scheduler.curtois.evaluate import evaluate, roster_to_csv
    from scheduler.curtois.reader import read_instance
    from scheduler.curtois.solve import solve

    numbers = parse_instances(instances)
    known = best_known()
    rows = []
    out = Path(output) if output else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        instance = read_instance(DATA / f"Instance{n}.txt")
        stderr.print(
            f"Instance{n}: {len(instance.employees)} staff, {instance.days} days, "
            f"{len(instance.shifts)} shifts, {time_limit:g} s limit",
            markup=False,
        )
        result = solve(instance, time_limit, workers, seed, method=engine)
        if result.log:
            stderr.print(f"Instance{n}: {result.log}", markup=False)
        if result.roster is not None:
            assert evaluate(instance, result.roster).penalty == result.objective  # solver and evaluator agree
            if out:
                (out / f"Instance{n}.roster.csv").write_text(roster_to_csv(instance, result.roster))
        bks = known.get(instance.name)
        row = {
            "instance": instance.name,
            "status": result.status,
            "objective": result.objective,
            "bound": round(result.bound, 1),
            "best_known": bks,
            "gap_best_known": _gap(result.objective, bks),
            "gap_bound": _gap(result.objective, result.bound),
            "time_to_first": result.time_to_first,
            "time_to_best": result.time_to_best,
            "wall_time": result.wall_time,
            "engine": engine,
            "columns": result.log,
        }
        rows.append(row)
        stderr.print(
            f"Instance{n}: {result.status} {result.objective} (bound {result.bound:g}, best known {bks})", markup=False
        )
    if out:
        with open(out / "curtois.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if fmt == "json":
        emit_json(rows)
    else:
        from rich.table import Table

        table = Table(title=f"Curtois-Qu benchmark ({engine}, {time_limit:g} s, {workers} workers)")
        for col in (
            "instance",
            "status",
            "objective",
            "bound",
            "best known",
            "gap to best known",
            "gap to bound",
            "first (s)",
            "best (s)",
        ):
            table.add_column(col, justify="right")

        def pct(g: float | None) -> str:
            return "—" if g is None else f"{g:.2%}"

        def sec(t: float | None) -> str:
            return "—" if t is None else f"{t:.1f}"

        for r in rows:
            table.add_row(
                r["instance"],
                r["status"],
                "—" if r["objective"] is None else str(r["objective"]),
                f"{r['bound']:g}",
                str(r["best_known"]),
                pct(r["gap_best_known"]),
                pct(r["gap_bound"]),
                sec(r["time_to_first"]),
                sec(r["time_to_best"]),
            )
        stdout.print(table)
    return 0 if all(r["objective"] is not None for r in rows) else 1
