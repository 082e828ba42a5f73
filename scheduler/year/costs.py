"""Weekly cost curves: the cost of running one representative week with a given in-house team, from the weekly
engine (so rest, night, weekend and supervision rules are in the figures, not hours arithmetic)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.batch import Job, Outcome, ScenarioData, expected_service, job_scenario, run_chains
from scheduler.scenario import Scenario
from scheduler.scenario.merge import deep_merge
from scheduler.solve import SolveParams
from scheduler.year.calendar import Group

Team = tuple[int, ...]  # in-house headcount per planned role, in the order of YearData.roles


@dataclass(frozen=True)
class CurvePoint:
    """One weekly solve: a group's representative week run by ``team``. Costs in the currency, per week."""

    group: str
    team: Team
    status: str
    cost: float | None  # the plan's cost (None: no plan); an upper figure, the plan is real
    variable_cost: float | None  # the cost less the planned roles' salaries (the year model pays those)
    bound: float | None  # the solver's proven lower bound for this week and team
    agency_hours: float
    in_house_hours: float
    service: float | None  # expected share answered within target, items-weighted over streams
    checked: bool | None = None  # the independent checker's verdict on the plan
    violations: int = 0

    @property
    def feasible(self) -> bool:
        return self.cost is not None


def planned_roles(scenario: Scenario) -> list[str]:
    """Salaried roles the year plan staffs: those the scenario may hire."""
    return [r for r in scenario.spec.hire if scenario.spec.roles[r].is_salaried]


def existing(scenario: Scenario, roles: list[str]) -> Team:
    return tuple(sum(1 for p in scenario.spec.people if p.role == r) for r in roles)


def week_raw(scenario: Scenario, scale: Mapping[str, float], team: Team, roles: list[str]) -> dict[str, Any]:
    """The scenario's first week with demand scaled and exactly ``team`` in house (people kept in file order,
    then hires), recruitment costs and paid-leave provision left to the year model, which counts them once."""
    raw = {k: v for k, v in scenario.raw.items() if k not in ("variants", "year")}
    people: list[Any] = []
    hires: dict[str, Any] = {}
    for role, size in zip(roles, team, strict=True):
        mine = [p for p in raw.get("people", ()) if p.get("role") == role]
        people += mine[:size]
        extra = max(0, size - len(mine))
        hires[role] = {"min": extra, "max": extra, "recruitment_cost": 0}
    people += [p for p in raw.get("people", ()) if p.get("role") not in roles]
    for role in scenario.spec.hire:
        if role not in roles:
            hires[role] = {"min": 0, "max": 0}  # trainees are planned by the year model
    streams = {}
    for name, body in raw["streams"].items():
        if body.get("arrivals"):
            base = float(body["arrivals"].get("scale", 1.0))
            streams[name] = {"arrivals": {"scale": round(base * scale.get(name, 1.0), 6)}}
    over = {
        "horizon": {"days": 7},
        "streams": streams,
        "hire": hires,
        "costs": {"paid_leave_provision": False},
    }
    out = deep_merge(raw, over)
    out["people"] = people
    return _plain(out)


def _plain(value: Any) -> Any:
    """Plain dicts and lists (read-only views of a loaded scenario do not pickle for the pool)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def candidate_teams(centre: Team, limits: Team, step: int, floors: Team | None = None) -> list[Team]:
    """The centre and one step either side along each role, within floor..limit (floor 0 by default)."""
    floors = floors or (0,) * len(centre)
    out = {centre}
    for i in range(len(centre)):
        for delta in (-step, step):
            t = list(centre)
            t[i] = min(limits[i], max(floors[i], t[i] + delta))
            out.add(tuple(t))
    return sorted(out)


def grid_teams(limits: Team, step: int, cap: int = 12, floors: Team | None = None) -> list[Team]:
    """A coarse grid of teams from the floors (nobody by default) to the limits, at most ``cap`` points (the
    first round). A team below the smallest capacity the year can have (the staff in place, less the most
    paid leave of a month) would leave paid staff idle: the year model has no use for it."""
    floors = floors or (0,) * len(limits)
    axes = []
    per_axis = max(2, round(cap ** (1 / max(1, len(limits)))))
    for low, limit in zip(floors, limits, strict=True):
        span = limit - low
        values = sorted({min(limit, low + round(i * span / (per_axis - 1))) for i in range(per_axis)})
        axes.append([v for v in values if v % step == 0 or v in (low, limit)])
    return sorted(itertools.product(*axes))


def solve_points(
    scenario: Scenario,
    groups: Iterable[Group],
    teams_by_group: Mapping[str, Iterable[Team]],
    roles: list[str],
    params: SolveParams,
    *,
    jobs: int = 1,
    check_plans: bool = False,
    on_done: Callable[[str], None] | None = None,
) -> list[CurvePoint]:
    """Solve every (group, team) week through the batch pool; a failed solve is a point without a cost."""
    chains, keys = [], []
    for group in groups:
        for team in teams_by_group.get(group.name, ()):
            data = ScenarioData(
                scenario.source, week_raw(scenario, group.scale, team, roles), dict(scenario.demand_texts)
            )
            label = f"{group.name} team {'+'.join(map(str, team))}"
            chains.append([Job(label, None, params, scenario=data)])
            keys.append((group.name, team))
    outcomes = run_chains(chains, jobs=jobs, on_done=on_done)
    return [_point(g, t, o, check_plans, roles) for (g, t), o in zip(keys, outcomes, strict=True)]


def _point(group: str, team: Team, outcome: Outcome, check_plans: bool, roles: list[str]) -> CurvePoint:
    plan = outcome.plan
    if plan is None or not plan.is_feasible():
        status = plan.status if plan is not None else "ERROR"
        return CurvePoint(group, team, status, None, None, None, 0.0, 0.0, None)
    row = outcome.row
    week = job_scenario(outcome.job)
    service = [v for v in expected_service(week, plan).values() if v is not None]
    checked, violations = None, 0
    if check_plans:
        from scheduler.check import check

        verdict = check(week, plan)
        checked, violations = verdict.ok, len(verdict.violations)
    costs = plan.costs
    fixed = costs[(costs["unit"] == "horizon") & costs["role"].isin(roles)]["amount"].sum() if not costs.empty else 0
    return CurvePoint(
        group,
        team,
        plan.status,
        float(plan.total_cost),
        float(plan.total_cost) - float(fixed),
        plan.stats.best_bound,
        float(row.get("agency_hours") or 0.0),
        float(row.get("in_house_hours") or 0.0),
        min(service) if service else None,
        checked,
        violations,
    )
