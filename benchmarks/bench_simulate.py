"""Benchmark of the response-time simulator: the four-week retailer with 100 runs (target: <= 30 s).

Usage:
    .venv/bin/python benchmarks/bench_simulate.py                 # retailer, greedy plan, 100 runs
    .venv/bin/python benchmarks/bench_simulate.py out/retail      # a solved plan folder instead
    .venv/bin/python benchmarks/bench_simulate.py --runs 200 --repeat 3 --scenario scenarios/tourism.yaml

Without a plan folder the plan is the solver's greedy starting plan (built in a few seconds, deterministic):
a realistic roster and agency booking for timing, without a long solve. The simulation's cost grows with
the arrivals of one run (one numpy step per arrival rank) and the number of agents, hardly with the runs.
Figures are wall-clock seconds on this machine; other processes on the two cores inflate them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.plan import Plan, SolverStats, load_plan  # noqa: E402
from scheduler.scenario import Scenario, load_scenario  # noqa: E402
from scheduler.simulate import simulate  # noqa: E402


def greedy_plan(scenario: Scenario) -> Plan:
    """The solver's constructive starting plan, as a Plan (no CP-SAT search)."""
    from scheduler.model.data import compile_model_data
    from scheduler.model.extract import plan_tables
    from scheduler.model.greedy import greedy_plan as build
    from scheduler.requirements import compute_requirements

    data = compile_model_data(scenario, compute_requirements(scenario))
    assignment, unmet = build(data)
    tables = plan_tables(data, assignment)
    stats = SolverStats(
        status="FEASIBLE",
        objective=tables.total_cents / 100,
        best_bound=None,
        gap=None,
        wall_time=0.0,
        time_to_first=None,
        time_to_best=None,
        time_limit=0.0,
        workers=1,
        seed=0,
        message=f"greedy starting plan ({unmet} need(s) unmet), built for the benchmark",
    )
    return Plan(
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        variant=scenario.variant,
        stats=stats,
        hires=tables.hires,
        roster=tables.roster,
        agency=tables.agency,
        coverage=tables.coverage,
        costs=tables.costs,
        service=tables.service,
        shortfall=tables.shortfall,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", nargs="?", help="a plan folder (default: the greedy plan of the scenario)")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "retailer.yaml"))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1, help="timed repetitions (the median is reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-warmup", action="store_true", help="start empty instead of a warm-up cycle")
    parser.add_argument("--overdispersion", type=float, default=0.0, help="gamma-Poisson arrivals (slower)")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    t0 = time.perf_counter()
    plan = load_plan(args.plan) if args.plan else greedy_plan(scenario)
    source = args.plan or f"greedy plan ({time.perf_counter() - t0:.1f} s to build)"
    items = {name: round(float(values.sum())) for name, values in scenario.arrivals.items() if values.sum() > 0}
    print(f"scenario {scenario.name}: {scenario.grid.days} days, {scenario.grid.n_slots} slots, items {items}")
    print(
        f"plan: {source}; {plan.roster['person'].nunique()} people, {len(plan.roster)} shifts, "
        f"{len(plan.agency)} agency blocks"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = simulate(
            scenario, plan, args.runs, args.seed, warmup=not args.no_warmup, overdispersion=args.overdispersion
        )
        times.append(time.perf_counter() - t0)
    cycles = "warm-up + measured cycle" if not args.no_warmup else "measured cycle only"
    if args.overdispersion:
        cycles += f", overdispersion {args.overdispersion:g}"
    print(
        f"simulate: {args.runs} runs ({cycles}), {len(result.agents)} agents: "
        f"median {statistics.median(times):.2f} s over {args.repeat} repetition(s) {[round(t, 2) for t in times]}"
    )
    columns = ["stream", "band", "target_share", "share", "ci_low", "ci_high", "p90_response", "max_queue", "meets"]
    print(result.bands[columns].round(4).to_string(index=False))


if __name__ == "__main__":
    main()
