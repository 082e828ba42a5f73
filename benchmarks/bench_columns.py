"""The column generation engine's own figures on a ladder size or a scenario file, and its plan against the
CP-SAT path's (the default ``stages="auto"``) at the same time limit.

    .venv/bin/python benchmarks/bench_columns.py [S|M|L|XL|SCENARIO] [--time-limit 60] [--generation-only]

Prints the generation's rounds, columns, seconds in pricing and in the master LP, the LP value, the first
and the last Lagrangian bound; then (unless ``--generation-only``) one line per strategy: status, cost,
bound, gap, wall time. Figures go to docs/benchmarks.md with the command, the commit and the date.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scheduler.bench import SIZES, ladder_scenario
from scheduler.engine.colgen import Pricer, generate, seed_columns
from scheduler.engine.master import build_master
from scheduler.model.data import compile_model_data
from scheduler.model.greedy import greedy_plan
from scheduler.requirements import compute_requirements
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams, solve
from scheduler.strategies.cpsat import UNMET_WEIGHT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="S", help="a ladder size (S, M, L, XL) or a scenario file")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--generation-only", action="store_true")
    args = parser.parse_args()
    scenario = ladder_scenario(args.what) if args.what in SIZES else load_scenario(Path(args.what))
    data = compile_model_data(scenario, compute_requirements(scenario))
    t0 = time.perf_counter()
    allowed = scenario.spec.shortfall.allowed
    master = build_master(data, 1 if allowed else UNMET_WEIGHT)
    pricer = Pricer(master)
    start, _ = greedy_plan(data)
    seed_columns(master, pricer, start)
    built = time.perf_counter() - t0
    g = generate(master, pricer, time.perf_counter() + args.time_limit, print)

    def euros(cents: float | None) -> str:
        return "none" if cents is None else f"{cents / 100:,.2f}"

    print(
        f"{args.what}: {master.a_take.shape[0]} rows, {len(master.groups)} groups, {len(pricer.variants)} pricing "
        f"problems, built in {built:.1f} s; {g.rounds} rounds ({g.exact_rounds} exact), {len(master.columns)} "
        f"columns, pricing {g.pricing_seconds:.1f} s, master {g.master_seconds:.1f} s; LP {euros(g.lp_value)}, "
        f"first bound {euros(g.root_bound)}, last bound {euros(g.bound)}, converged {g.converged}"
    )
    if args.generation_only:
        return
    for stages in ("colgen", "auto"):
        plan = solve(scenario, SolveParams(time_limit=args.time_limit, stages=stages))
        s = plan.stats
        gap = "n/a" if s.gap is None else f"{s.gap:.2%}"
        print(
            f"stages={stages}: {s.status}, cost {s.objective}, bound {s.best_bound}, gap {gap}, "
            f"wall {s.wall_time:.1f} s, first plan {s.time_to_first}"
        )


if __name__ == "__main__":
    main()
