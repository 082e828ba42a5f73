"""The coverage scheduler: the cheapest legal 24/7 staffing plan for social-media teams.

    from scheduler import load_scenario, solve, SolveParams
    plan = solve(load_scenario("scenarios/tourism.yaml"), SolveParams(time_limit=30))

Names are imported on first use, so that ``import scheduler.check`` (the independent checker) never loads
the optimisation model or OR-Tools.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Plan": "scheduler.plan",
    "load_plan": "scheduler.plan",
    "Scenario": "scheduler.scenario",
    "load_scenario": "scheduler.scenario",
    "SolveParams": "scheduler.solve",
    "solve": "scheduler.solve",
    "plan_year": "scheduler.year",
    "YearParams": "scheduler.year",
    "YearPlan": "scheduler.year",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    # Importing scheduler.solve sets the package attribute `solve` to the module: bind the functions over it.
    for export, source in _EXPORTS.items():
        if source == _EXPORTS[name]:
            globals()[export] = getattr(module, export)
    return globals()[name]
