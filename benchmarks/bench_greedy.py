"""The greedy start alone, per ladder size (or scenario file): needs left unmet per phase, hires, hours, time.

    .venv/bin/python benchmarks/bench_greedy.py [S,M,L,XL] [scenarios/retailer.yaml ...] [--unbudgeted]

The greedy plan is the solve's first plan when it meets every need (see ``scheduler.solve``), so its unmet
needs decide whether a large instance has a plan early. ``--unbudgeted`` builds it as a completion of a crew
plan does, with people's hours taken as nearly free and no pacing, for comparison.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from scheduler import load_scenario
from scheduler.bench import SIZES, ladder_scenario
from scheduler.model.data import compile_model_data
from scheduler.model.greedy import Greedy
from scheduler.requirements import compute_requirements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", default=["S,M,L"], help="ladder sizes (comma-separated) or files")
    parser.add_argument("--unbudgeted", action="store_true")
    args = parser.parse_args()
    names = [n for item in args.instances for n in (item.split(",") if item.split(",")[0] in SIZES else [item])]
    for name in names:
        scenario = ladder_scenario(name) if name in SIZES else load_scenario(name)
        data = compile_model_data(scenario, compute_requirements(scenario))
        t0 = time.perf_counter()
        g = Greedy(data, budget_hours=not args.unbudgeted)
        unmet = g.fill_by_phase()
        wall = time.perf_counter() - t0
        staff = [p for p in g.people if not p.worker.is_trainee and (not p.worker.hire or p.index in g.hired)]
        used = sum(p.total for p in staff)
        budget = sum(p.worker.limits.max_total for p in staff)
        hires = dict(Counter(data.workers[w].role for w in g.hired))
        print(
            f"{name}: {sum(unmet.values())} unmet {unmet}, {wall:.1f} s, hires {hires}, "
            f"staff hours {used / budget:.1%} of their budget",
            flush=True,
        )


if __name__ == "__main__":
    main()
