"""What the strict weekly rest costs: each example solved under both readings of L3132-1/2.

    .venv/bin/python benchmarks/bench_weekly_rest.py [--time-limit 30] [SCENARIO ...]

``within_week`` (the fr default): 35 h free of work inside each calendar week. ``starting_in_week`` (the
option): the window only has to start in the week and may run on into the next. For each example and
reading it prints status, cost, bound, gap and wall time, and how many violations the plan has when checked
under the strict reading. Figures go to docs/benchmarks.md and the README with the command, commit and date.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from scheduler.check import check
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams, solve

EXAMPLES = ("scenarios/small_company.yaml", "scenarios/tourism.yaml", "scenarios/retailer.yaml")
READINGS = ("within_week", "starting_in_week")


def _with_reading(path: Path, reading: str, folder: Path):
    """The scenario copied beside its demand files with the reading set (a scenario is immutable once read)."""
    for demand in path.parent.glob(f"{path.stem}*.csv"):
        shutil.copy(demand, folder / demand.name)
    text = path.read_text() + f"\nrule_overrides: {{weekly_rest_reading: {reading}}}\n"
    target = folder / f"{path.stem}-{reading}.yaml"
    target.write_text(text)
    return load_scenario(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=EXAMPLES)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    print("scenario,reading,status,cost,bound,gap,wall_s,strict_violations")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            path = Path(name)
            strict = _with_reading(path, "within_week", Path(tmp))
            for reading in READINGS:
                scenario = strict if reading == "within_week" else _with_reading(path, reading, Path(tmp))
                t0 = time.perf_counter()
                plan = solve(scenario, SolveParams(time_limit=args.time_limit, workers=2, seed=0))
                wall = time.perf_counter() - t0
                s = plan.stats
                violations = len(check(strict, plan).violations) if plan.is_feasible() else ""
                gap = f"{s.gap:.3f}" if s.gap is not None else ""
                bound = f"{s.best_bound:.2f}" if s.best_bound is not None else ""
                print(
                    f"{path.stem},{reading},{s.status},{plan.total_cost},{bound},{gap},{wall:.1f},{violations}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
