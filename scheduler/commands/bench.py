"""``scheduler bench``: the benchmark ladder (each size solved in a fresh process and measured), or the public
Curtois-Qu suite against its best known values (``--suite curtois``)."""

from __future__ import annotations

import sys

import click

from scheduler.commands.common import FORMAT, emit_json, handle_errors, stderr, stdout
from scheduler.errors import InputError


@click.command()
@click.option(
    "--suite",
    type=click.Choice(["ladder", "curtois"]),
    default="ladder",
    show_default=True,
    help="ladder: our generated sizes (--sizes); curtois: the public Curtois-Qu instances (--instances).",
)
@click.option("--sizes", default="S,M", show_default=True, help="Comma-separated ladder sizes: S, M, L, XL.")
@click.option(
    "--instances", default="1-12", show_default=True, help="Curtois-Qu instance numbers (1-24): e.g. 1-12 or 1,4,7-9."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Curtois suite: write the table (curtois.csv) and each roster (rosters/InstanceN.csv) here.",
)
@click.option(
    "--time-limit", type=click.FloatRange(min=0.1), default=None, help="Override every size's time limit (seconds)."
)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True, help="CP-SAT workers.")
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Seed of the generated instances and of the solver."
)
@FORMAT
@handle_errors
def bench(
    suite: str,
    sizes: str,
    instances: str,
    output: str | None,
    time_limit: float | None,
    workers: int,
    seed: int,
    fmt: str,
) -> None:
    """Solve the benchmark ladder and report, per size: variables, constraints, time to first and best plan,
    objective, best bound, gap, status and peak memory, against the size's target.

    With --suite curtois: solve the public Curtois-Qu instances (default 60 s each, at most 2 workers) and
    report per instance the objective, CP-SAT's proven bound, the best known value, the gaps to both, and
    the times to the first and best plan. Every roster is re-scored by the independent evaluator.

    \b
    Sizes (days, slot, streams, people existing + hire slots, trainees, target on 2 cores):
      S   7 days, 60 min, 2 streams, 3 + 6,    1 trainee   proven optimal in <= 5 s
      M  28 days, 60 min, 3 streams, 10 + 16,  2 trainees  gap <= 1 % in <= 60 s
      L  28 days, 30 min, 3 streams, 25 + 40,  4 trainees  gap <= 3 % in <= 300 s, <= 4 GiB
      XL 56 days, 30 min, 4 streams, 120 + 60, 8 trainees  first plan <= 120 s, gap <= 5 % in <= 600 s

    \b
    Examples:
      scheduler bench --sizes S
      scheduler bench --sizes S,M,L --format json > bench.json
      scheduler bench --suite curtois --instances 1-12 --time-limit 60 -o out/curtois
    """
    if suite == "curtois":
        _curtois(instances, output, time_limit or 60.0, workers, seed, fmt)
        return
    from scheduler.bench import SIZES, measure
    from scheduler.report.table import frame_table

    names = [s.strip().upper() for s in sizes.split(",") if s.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown or not names:
        raise InputError("--sizes", "sizes", sizes, f"a comma-separated list of {', '.join(SIZES)}")
    results = []
    for name in names:
        limit = time_limit or SIZES[name].time_limit
        stderr.print(f"size {name}: solving with a {limit:g} s limit ({SIZES[name].target})", markup=False)
        result = measure(name, time_limit, workers, seed, verbose=True)
        results.append(result)
        gap = "—" if result.gap is None else f"{result.gap:.2%}"
        stderr.print(f"size {name}: {result.status}, gap {gap}, {result.wall_time:.1f} s", markup=False)
    if fmt == "json":
        emit_json([r.to_dict() for r in results])
    else:
        import pandas as pd

        frame = pd.DataFrame([r.to_dict() for r in results])
        frame["gap"] = frame["gap"].map(lambda g: "—" if g is None or g != g else f"{g:.2%}")
        columns = [
            "size",
            "days",
            "slot_minutes",
            "people",
            "variables",
            "constraints",
            "status",
            "objective",
            "best_bound",
            "gap",
            "time_to_first",
            "time_to_best",
            "wall_time",
            "peak_memory_mib",
            "target",
        ]
        stdout.print(frame_table(frame, "Benchmark ladder", columns))
    sys.exit(0 if all(r.status in ("OPTIMAL", "FEASIBLE") for r in results) else 1)


def _curtois(instances: str, output: str | None, time_limit: float, workers: int, seed: int, fmt: str) -> None:
    """The Curtois-Qu table; rosters and the CSV under ``output``; exit 1 when an instance has no plan."""
    from pathlib import Path

    from scheduler.curtois.bench import parse_selection, run
    from scheduler.curtois.evaluate import write_roster_csv
    from scheduler.curtois.reader import read_instance

    numbers = parse_selection(instances)
    rows = run(numbers, time_limit, workers=min(workers, 2), seed=seed, log=lambda m: stderr.print(m, markup=False))
    dicts = [r.to_dict() for r in rows]
    if output:
        import pandas as pd

        from scheduler.curtois.bench import DATA

        out = Path(output)
        (out / "rosters").mkdir(parents=True, exist_ok=True)
        pd.DataFrame(dicts).to_csv(out / "curtois.csv", index=False)
        for row in rows:
            if row.result.roster is not None:
                inst = read_instance(DATA / f"{row.result.instance}.txt")
                (out / "rosters" / f"{inst.name}.csv").write_text(write_roster_csv(inst, row.result.roster))
        stderr.print(f"wrote {out / 'curtois.csv'} and {out / 'rosters'}", markup=False)
    if fmt == "json":
        emit_json(dicts)
    else:
        from rich.table import Table

        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v:.2%}"

        def sec(v: float | None) -> str:
            return "—" if v is None else f"{v:.1f}"

        table = Table(title=f"Curtois-Qu benchmark ({time_limit:g} s per instance)", title_justify="left")
        for col in ("instance", "status", "objective", "bound", "best known", "gap to best known", "gap to bound"):
            table.add_column(col, justify="left" if col in ("instance", "status") else "right")
        table.add_column("first plan s", justify="right")
        table.add_column("best plan s", justify="right")
        for d in dicts:
            table.add_row(
                d["instance"],
                d["status"],
                "—" if d["objective"] is None else str(d["objective"]),
                "—" if d["bound"] is None else f"{d['bound']:g}",
                "—" if d["best_known"] is None else str(d["best_known"]),
                pct(d["gap_to_best_known"]),
                pct(d["gap_to_bound"]),
                sec(d["time_to_first"]),
                sec(d["time_to_best"]),
            )
        solved = sum(d["objective"] is not None for d in dicts)
        table.caption = f"{solved} of {len(dicts)} with a plan, each re-scored by the evaluator"
        stdout.print(table)
    sys.exit(0 if all(d["objective"] is not None for d in dicts) else 1)
