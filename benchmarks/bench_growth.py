"""How solve time and gap grow with days and with people: ladder size M varied along one axis at a time.

    .venv/bin/python benchmarks/bench_growth.py [--time-limit 60] [--days 7,14,28,56] [--people 5,10,20,40]

Prints one table per axis (status, gap, time to first plan, model size, peak memory); each run is a fresh
process, so the memory figure is its own.
"""

from __future__ import annotations

import argparse

from scheduler.bench import measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--days", default="7,14,28,56")
    parser.add_argument("--people", default="5,10,20,40")
    args = parser.parse_args()
    names = ("axis", "value", "status", "gap", "first", "vars", "cons", "MiB", "objective")
    widths = (6, 5, 9, 8, 7, 8, 8, 7, 12)
    print(" ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True)))
    for axis, values in (("days", args.days), ("people", args.people)):
        for value in (int(v) for v in values.split(",")):
            r = measure("M", args.time_limit, **{axis: value})
            gap = "—" if r.gap is None else f"{r.gap:.2%}"
            first = "—" if r.time_to_first is None else f"{r.time_to_first:.1f}"
            objective = "—" if r.objective is None else f"{r.objective:,.0f}"
            print(
                f"{axis:>6} {value:>5} {r.status:>9} {gap:>8} {first:>7} {r.variables:>8} {r.constraints:>8} "
                f"{r.peak_memory_mib:>7.0f} {objective:>12}",
                flush=True,
            )


if __name__ == "__main__":
    main()
