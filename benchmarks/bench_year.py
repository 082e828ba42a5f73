"""The 12-month year plan of each example with ``--jobs 2``: time, year cost, bound, hires by month, per seed.

Run: PYTHONPATH=. python benchmarks/bench_year.py [--months 12] [--jobs 2] [--time-limit S] [--seeds 0 1 2]
     [--json FILE] [scenarios ...]
The machine may be shared: the load average is printed beside the figures; say so in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from scheduler.scenario import load_scenario
from scheduler.year import YearParams, plan_year
from scheduler.year.plan import hires_text

EXAMPLES = ("scenarios/holiday_park.yaml", "scenarios/retailer_year.yaml")


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None, help="Seconds per weekly solve (default: scenario)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--json", default=None, help="Append one JSON line per run to this file.")
    parser.add_argument("scenarios", nargs="*", default=list(EXAMPLES))
    args = parser.parse_args()
    for path in args.scenarios:
        for seed in args.seeds:
            load_before = os.getloadavg()
            started = time.perf_counter()
            params = YearParams(months=args.months, jobs=args.jobs, week_time_limit=args.time_limit, seed=seed)
            plan = plan_year(load_scenario(path), params, progress=lambda t: print(t, file=sys.stderr, flush=True))
            wall = time.perf_counter() - started
            s = plan.summary()
            record = {
                "scenario": path,
                "seed": seed,
                "commit": _commit(),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "status": plan.status,
                "wall_time": round(wall, 1),
                "total_cost": plan.total_cost,
                "bound": plan.bound,
                "weekly_solves": len(plan.points),
                "representative_weeks": len(plan.groups),
                "rosters_checked": s["rosters_checked"],
                "rosters_with_violations": s["rosters_with_violations"],
                "plan_rosters": s["plan_rosters"],
                "fixed_term": s["fixed_term"],
                "seasonal": s["seasonal"],
                "validation_gap": s["validation_gap"],
                "validation_gap_of_week_cost": s["validation_gap_of_week_cost"],
                "hires": s["hires"],
                "payback": s["payback"],
                "rounds": list(plan.rounds),
            }
            print(
                f"{path} seed {seed}: {plan.status} in {wall:.0f} s; year "
                f"{'no plan' if plan.total_cost is None else format(plan.total_cost, ',.0f')} {plan.currency}; "
                f"weekly solves {len(plan.points)} ({len(plan.groups)} representative weeks); rosters checked "
                f"{s['rosters_checked']}, with violations {s['rosters_with_violations']}; real weeks vs estimate "
                f"{s['validation_gap']} beyond salaries, {s['validation_gap_of_week_cost']} of the week's cost; "
                f"hires {hires_text(s['hires'])}; load {record['load_before']}",
                flush=True,
            )
            if args.json:
                with open(args.json, "a", encoding="utf-8") as out:
                    out.write(json.dumps(record, default=str) + "\n")


if __name__ == "__main__":
    main()
