"""The 12-month year plan of each example with ``--jobs 2``: time, year cost, bound, hires by month.

Run: PYTHONPATH=. python benchmarks/bench_year.py [--months 12] [--jobs 2] [--time-limit S]
The machine may be shared: say so beside the figures.
"""

from __future__ import annotations

import argparse
import sys
import time

from scheduler.scenario import load_scenario
from scheduler.year import YearParams, plan_year

EXAMPLES = ("scenarios/holiday_park.yaml", "scenarios/retailer_year.yaml")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("scenarios", nargs="*", default=list(EXAMPLES))
    args = parser.parse_args()
    for path in args.scenarios:
        started = time.perf_counter()
        params = YearParams(months=args.months, jobs=args.jobs, week_time_limit=args.time_limit)
        plan = plan_year(load_scenario(path), params, progress=lambda t: print(t, file=sys.stderr))
        s = plan.summary()
        print(
            f"{path}: {plan.status} in {time.perf_counter() - started:.0f} s; year {plan.total_cost:,.0f} "
            f"{plan.currency} (year-model bound {plan.bound:,.0f}); weekly solves {len(plan.points)}; "
            f"rosters checked {s['rosters_checked']}, with violations {s['rosters_with_violations']}; "
            f"real weeks vs estimate {s['validation_gap']}; hires {s['hires']}"
            if plan.is_feasible()
            else f"{path}: {plan.status} in {time.perf_counter() - started:.0f} s"
        )


if __name__ == "__main__":
    main()
