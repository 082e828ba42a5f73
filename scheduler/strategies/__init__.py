"""The solve's strategies. Each takes the problem, a time budget and the incumbent, and returns a candidate:
a plan (or none) with its bound, its solver stages and a log line. ``scheduler.solve`` picks them by the
problem's size and keeps the cheapest plan with the highest bound (every bound holds for the same problem).

- ``direct``: the person-level CP-SAT model, hinted with the incumbent (small problems).
- ``staged``: crew level, assignment to people, repairs, improvement (CP-SAT; larger problems).
- ``columns``: column generation over per-person schedules (``scheduler.engine``), then the CP-SAT path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from scheduler.model.extract import Assignment, PlanTables
from scheduler.plan import StageReport

if TYPE_CHECKING:
    from scheduler.model.data import ModelData
    from scheduler.scenario import Scenario
    from scheduler.solve import SolveParams

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Problem:
    """What every strategy solves: the compiled model data and the user's settings."""

    scenario: Scenario
    data: ModelData
    params: SolveParams
    allow_shortfall: bool
    stop: threading.Event | None = None
    progress: Progress | None = None

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()


@dataclass(frozen=True)
class Incumbent:
    """The plan a strategy starts from. ``unmet``: the needs the greedy start could not meet (0: it believes
    it covers everything, so it is a plan of its own); None when it is a previous plan's (a hint)."""

    assignment: Assignment
    unmet: int | None


@dataclass(frozen=True)
class Candidate:
    """A strategy's answer. ``status``: OPTIMAL or FEASIBLE with a plan; INFEASIBLE (proven), UNKNOWN or
    MODEL_INVALID without. Costs and bounds in cents; times in seconds from the strategy's start."""

    status: str
    tables: PlanTables | None
    assignment: Assignment | None
    bound: float | None
    stages: tuple[StageReport, ...]
    first: float | None
    best: float | None
    how: str  # the stage whose plan this is
    proven: bool = False  # the solver proved this plan optimal (its own bound may be tighter than ``bound``)
    message: str = ""  # why there is no plan, when it is a bug (an invalid model)

    @property
    def cost(self) -> float | None:
        return None if self.tables is None else self.tables.total_cents

    def gap(self) -> float | None:
        if self.tables is None or self.bound is None:
            return None
        return gap_of(self.tables.total_cents, self.bound)

    def log(self) -> str:
        if self.tables is None:
            return f"no plan ({self.status})"
        gap = self.gap()
        bound = f", gap {gap:.2%}" if gap is not None else ", no bound"
        return f"{self.tables.total_cents / 100:,.2f} from {self.how}{bound}"


class Strategy(Protocol):
    def __call__(self, problem: Problem, budget: float, incumbent: Incumbent) -> Candidate: ...


def gap_of(objective: float, bound: float) -> float:
    if objective <= 0:
        return 0.0 if bound >= objective - 0.5 else 1.0
    return max(0.0, (objective - bound) / objective)


def cents(euros: float | None) -> float | None:
    return None if euros is None else round(euros * 100)


def euros(cents_value: float | None) -> float | None:
    return None if cents_value is None else round(cents_value / 100, 2)
