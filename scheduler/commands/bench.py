"""``scheduler bench``: the benchmark ladder, each size solved in a fresh process and measured."""

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
    help="ladder: our generated sizes; curtois: the public Curtois-Qu instances (benchmarks/curtois).",
)
@click.option("--instances", default="1-24", show_default=True, help="Curtois-Qu instances, e.g. 1-12 or 1,3,5-7.")
@click.option(
    "--engine",
    type=click.Choice(["columns", "cpsat"]),
    default="columns",
    show_default=True,
    help="Curtois suite: column generation then CP-SAT from its roster and bound, or CP-SAT alone.",
)
@click.option("-o", "--output", "output", default=None, help="Curtois suite: write the table as CSV and the rosters.")
@click.option("--sizes", default="S,M", show_default=True, help="Comma-separated ladder sizes: S, M, L, XL.")
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
    instances: str,
    engine: str,
    output: str | None,
    sizes: str,
    time_limit: float | None,
    workers: int,
    seed: int,
    fmt: str,
) -> None:
    """Solve the benchmark ladder and report, per size: variables, constraints, time to first and best plan,
    objective, best bound, gap, status and peak memory, against the size's target.

    \b
    Sizes (days, slot, streams, people existing + hire slots, trainees, target on 2 cores):
      S   7 days, 60 min, 2 streams, 3 + 6,    1 trainee   proven optimal in <= 5 s
      M  28 days, 60 min, 3 streams, 10 + 16,  2 trainees  gap <= 1 % in <= 60 s
      L  28 days, 30 min, 3 streams, 25 + 40,  4 trainees  gap <= 2 % in <= 300 s, <= 4 GiB
      XL 56 days, 30 min, 4 streams, 120 + 60, 8 trainees  first plan <= 60 s, gap <= 3 % in <= 600 s

    \b
    Examples:
      scheduler bench --sizes S
      scheduler bench --sizes S,M,L --format json > bench.json
      scheduler bench --suite curtois --instances 1-12 --time-limit 60 -o out/curtois
    """
    if suite == "curtois":
        from scheduler.curtois.bench import run_suite

        sys.exit(run_suite(instances, time_limit or 60.0, workers, seed, fmt, output, engine))
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
