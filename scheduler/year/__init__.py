"""``plan_year(scenario, params) -> YearPlan``: whom to hire, when, and what to outsource, month by month.

1. Demand per week over the months (the scenario's ``year:`` factors and uplifts, or a forecast of a history).
2. Weeks grouped by demand level (holiday weeks apart): one representative week per group.
3. Each representative week solved by the weekly engine for a grid of in-house teams: weekly cost curves.
4. The year MIP (HiGHS) picks permanent hires, fixed-term contracts and trainees month by month over them.
5. Refinement: the teams either side of each month's capacity solved too, the MIP solved again, until none is new.
6. Validation: a few real weeks of the plan solved with their own demand, compared with the estimate.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.errors import InputError
from scheduler.scenario import Scenario
from scheduler.solve import SolveParams
from scheduler.year.calendar import (
    Group,
    forecast_scales,
    group_weeks,
    plan_months,
    plan_weeks,
    week_month_weights,
    weekly_scales,
)
from scheduler.year.costs import CurvePoint, candidate_teams, existing, grid_teams, planned_roles, solve_points
from scheduler.year.model import WEEKS_PER_MONTH, Point, Window, YearData, YearSolution, solve_year
from scheduler.year.plan import YearPlan

__all__ = ["YearParams", "YearPlan", "plan_year"]

# Teams tried per representative week for its checked roster: the retailer's year, seed 2 (2026-12-07), lost
# one when the team the plan leaned on most found no plan at its second solve.
ROSTER_TRIES = 3
# Refinement rounds at most: each solves the teams around the plan's capacities not solved yet, then the year
# model again; they stop when none is new.
REFINE_ROUNDS = 3

Progress = Callable[[str], None]


@dataclass(frozen=True)
class YearParams:
    months: int = 12
    jobs: int = 1
    week_time_limit: float | None = None  # None: the scenario's year.week_time_limit
    workers: int = 1  # CP-SAT workers per weekly solve (jobs x workers <= cores)
    seed: int = 0
    history: str | Path | None = None  # a demand history CSV to forecast from
    refine: bool = True
    validate_weeks: int = 3
    year_time_limit: float = 30.0

    def __post_init__(self) -> None:
        if not 1 <= self.months <= 36:
            raise InputError("--months", "--months", self.months, "1 to 36 months")
        if self.jobs < 1:
            raise InputError("--jobs", "--jobs", self.jobs, "a positive number of processes")


def plan_year(scenario: Scenario, params: YearParams | None = None, progress: Progress | None = None) -> YearPlan:
    """The cheapest year under the scenario's ``year:`` section (defaults when it has none)."""
    params = params or YearParams()
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    spec = scenario.spec
    year = spec.year
    if year is None:
        scenario = scenario.with_overrides({"year": {}})
        year = scenario.spec.year
    roles = planned_roles(scenario)
    if not roles:
        raise InputError(
            scenario.source, "hire", dict(spec.hire), "at least one salaried role to hire (senior, junior)"
        )
    start = spec.horizon.start
    months = plan_months(start, params.months)
    weeks = plan_weeks(months)
    weights = week_month_weights(weeks, months)
    streams = [n for n, s in spec.streams.items() if s.arrivals is not None]
    scales, history, method = _demand(scenario, params, start, weeks, streams)
    groups = group_weeks(scales, year.demand_levels)
    say(f"{len(weeks)} weeks in {len(months)} months, {len(groups)} representative weeks ({method})")
    base = existing(scenario, roles)
    limits = tuple(b + spec.hire[r].max for r, b in zip(roles, base, strict=True))
    week_params = SolveParams(
        time_limit=params.week_time_limit or year.week_time_limit,
        workers=params.workers,
        seed=params.seed,
        explain=False,
    )
    done: dict[tuple[str, tuple[int, ...]], CurvePoint] = {}

    def run(wanted: dict[str, list[tuple[int, ...]]], check_plans: bool) -> None:
        todo = {g: [t for t in ts if (g, t) not in done] for g, ts in wanted.items()}
        n = sum(map(len, todo.values()))
        if not n:
            return
        count = [0]

        def tick(label: str) -> None:
            count[0] += 1
            say(f"  week {count[0]}/{n}: {label}")

        for p in solve_points(
            scenario, groups, todo, roles, week_params, jobs=params.jobs, check_plans=check_plans, on_done=tick
        ):
            done[(p.group, p.team)] = p

    say("round 1: a grid of teams per representative week")
    floors = _floors(base, _leave_shares(year, months))
    run({g.name: grid_teams(limits, year.team_steps, floors=floors) for g in groups}, check_plans=False)
    data = _year_data(scenario, year, roles, base, limits, months, weeks, weights, groups, done)
    solution = solve_year(data, params.year_time_limit)
    rounds = [_round("grid", solution, done)]
    say(f"year model: {solution.status}, {_money(solution.objective)}")
    for refinement in range(REFINE_ROUNDS if params.refine else 0):
        if solution.objective is None:
            break
        wanted = _bracketing(
            solution, data, groups, limits, year.team_steps, floors=floors, look_around=refinement == 0
        )
        new = sum(1 for g, ts in wanted.items() for t in ts if (g, t) not in done)
        if not new:
            break  # every month's capacity lies between solved teams: the curves hold where the plan is
        say(f"round {refinement + 2}: {new} teams around the plan's capacities")
        run(wanted, check_plans=True)
        data = _year_data(scenario, year, roles, base, limits, months, weeks, weights, groups, done)
        solution = solve_year(data, params.year_time_limit)
        rounds.append(_round("refined", solution, done))
        say(f"year model: {solution.status}, {_money(solution.objective)}")
    # one checked roster per representative week, at the team of its busiest month
    # (a team solved before may find no plan when solved again: then the next team the plan leans on)
    ranked = _roster_teams(solution, data, groups)
    rosters: dict[str, tuple[int, ...]] = {}
    for attempt in range(ROSTER_TRIES):
        wanted_now = {g: ts[attempt] for g, ts in ranked.items() if g not in rosters and attempt < len(ts)}
        if not wanted_now:
            break
        # solved without a check (round 1): solved again, checked; the first solve's point is kept if that fails
        earlier = {k: done.pop(k) for k in wanted_now.items() if k in done and done[k].checked is None}
        run({g: [t] for g, t in wanted_now.items()}, check_plans=True)
        for key in wanted_now.items():
            if done[key].checked is not None:
                rosters[key[0]] = key[1]
            elif key in earlier and earlier[key].cost is not None:
                done[key] = earlier[key]
    for g, ts in ranked.items():
        rosters.setdefault(g, ts[0])
    validation = _validate(scenario, params, solution, data, groups, weeks, weights, scales, roles, week_params, say)
    plan_months_table = _months_table(scenario, solution, data, months, weights, scales, weeks, roles)
    payback = _payback(solution, data, roles, months, params.year_time_limit)
    points = pd.DataFrame(
        [
            {
                "group": p.group,
                **{f"team_{r}": t for r, t in zip(roles, p.team, strict=True)},
                "status": p.status,
                "cost": p.cost,
                "bound": p.bound,
                "cost_less_salaries": p.variable_cost,
                "agency_hours": p.agency_hours,
                "in_house_hours": p.in_house_hours,
                "service": p.service,
                "checked": p.checked,
                "violations": p.violations,
                "roster_of_plan": rosters.get(p.group) == p.team,
            }
            for p in done.values()
        ]
    )
    groups_table = pd.DataFrame(
        [
            {
                "group": g.name,
                "weeks": len(g.weeks),
                "first_week": min(g.weeks),
                "holiday": g.holiday,
                **{f"scale_{s}": v for s, v in g.scale.items()},
                "largest_distance": g.spread,
            }
            for g in groups
        ]
    )
    notes = [
        "Costs rest on weekly plans (real rosters); the year's bound is the year model's bound over those cost curves.",
        "Leavers are replaced at the recruitment cost (attrition x staff / 12 a month); upskilling is not planned.",
        "A permanent hire pays at least year.permanent_commitment_months of salary: months after the plan's end are "
        "in the line salaries_after_the_plan, at the hire's start month.",
    ]
    status = solution.status if solution.objective is not None else "INFEASIBLE"
    return YearPlan(
        scenario=spec.name,
        variant=scenario.variant,
        status=status,
        total_cost=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        wall_time=time.perf_counter() - started,
        currency=spec.costs.currency,
        months=plan_months_table,
        groups=groups_table,
        points=points,
        validation=validation,
        payback=payback,
        weeks=scales,
        history=history,
        method=method,
        notes=tuple(notes),
        rounds=tuple(rounds),
    )


def _money(value: float | None) -> str:
    return "no plan" if value is None else f"{value:,.0f}".replace(",", " ")


def _demand(scenario: Scenario, params: YearParams, start: date, weeks: list[date], streams: list[str]):
    """Weekly scales per stream: from a history's forecast, or from the scenario's factors."""
    year = scenario.spec.year
    if params.history is None:
        return weekly_scales(weeks, start, streams, year), None, "scenario factors and uplifts"
    try:
        from scheduler.year.forecast import forecast_history, read_history
    except ImportError:
        raise InputError(
            str(params.history),
            "--history",
            str(params.history),
            "a build with scheduler.year.forecast (not in this one)",
        ) from None
    factors = {i + 1: f for i, f in enumerate(year.monthly_factors)}
    forecast = forecast_history(read_history(params.history), start, params.months, factors)
    grid_days = scenario.grid.days
    base_items = {s: float(scenario.arrivals[s].sum()) * 7 / grid_days for s in streams}
    scales = forecast_scales(forecast.weekly, base_items, weeks)
    weekly = forecast.weekly[["week_start", "stream", "items", "lo", "hi"]]
    scales = scales.merge(weekly, on=["week_start", "stream"], how="left")
    return scales, forecast.history_weekly, f"forecast ({forecast.method})"


def _year_data(scenario, year, roles, base, limits, months, weeks, weights, groups: list[Group], done) -> YearData:
    spec = scenario.spec
    index = {w: i for i, w in enumerate(weeks)}
    per_month = []
    for m in range(len(months)):
        per_month.append({g.name: float(sum(weights[m, index[w]] for w in g.weeks)) for g in groups})
    points = {
        g.name: tuple(
            Point(p.team, p.variable_cost, p.agency_hours, p.in_house_hours, p.service)
            for (gn, _t), p in sorted(done.items())
            if gn == g.name and p.feasible
        )
        for g in groups
    }
    salary = []
    for r in roles:
        s = spec.roles[r].salary
        salary.append(s.monthly_gross * (1 + s.employer_charge_rate))
    leave = _leave_shares(year, months)
    ramp = min(1.0, year.ramp_up_weeks / WEEKS_PER_MONTH) * (1 - year.ramp_up_productivity)
    ft = year.fixed_term
    cdd_roles = tuple(i for i, r in enumerate(roles) if not ft.roles or r in ft.roles)
    tr = year.trainees
    windows = []
    for w in tr.windows:
        for mo in months:
            if mo.month == w.start:
                windows.append(Window(mo.index, w.months, w.max))
                break
    trainee_hire = next((h for r, h in spec.hire.items() if spec.roles[r].kind == "trainee"), None)
    return YearData(
        months=tuple(m.label for m in months),
        roles=tuple(roles),
        existing=base,
        max_team=limits,
        weeks=tuple(per_month),
        points=points,
        salary_month=tuple(salary),
        recruitment=tuple(spec.hire[r].recruitment_cost for r in roles),
        lead_time=year.lead_time_months,
        ramp_loss=ramp,
        attrition=year.attrition_per_year,
        commitment=year.permanent_commitment_months,
        leave_share=tuple(leave),
        cdd_roles=cdd_roles,
        cdd_min=ft.min_months,
        cdd_max=ft.max_months,
        seasonal_months=tuple(m.month in ft.seasonal_months for m in months),
        temporary_extra=ft.temporary_end_indemnity + ft.paid_leave_indemnity,
        seasonal_extra=ft.seasonal_end_indemnity + ft.paid_leave_indemnity,
        trainee_role=roles.index(tr.counts_as) if tr.counts_as in roles else None,
        trainee_share=tr.capacity_share,
        stipend=tr.stipend_monthly,
        stipend_free_months=tr.stipend_free_months,
        trainee_recruitment=trainee_hire.recruitment_cost if trainee_hire else 0.0,
        per_tutor=tr.per_tutor,
        tutor_roles=tuple(i for i, r in enumerate(roles) if r in tr.tutor_roles),
        windows=tuple(windows),
    )


def _leave_shares(year, months) -> list[float]:
    """Per plan month, the share of permanent staff away on paid leave."""
    leave_w = np.array(year.paid_leave_by_month, dtype=float)
    if not leave_w.sum():
        return [0.0] * len(months)
    return [min(1.0, year.paid_leave_weeks * leave_w[mo.month - 1] / leave_w.sum() / WEEKS_PER_MONTH) for mo in months]


def _floors(base: tuple[int, ...], leave: list[float]) -> tuple[int, ...]:
    """Per role, the whole headcount below every month's capacity: no one leaves unreplaced, so the staff in
    place less the most paid leave of a month is the least the year can have at work."""
    most = max(leave, default=0.0)
    return tuple(math.floor(b * (1 - most) + 1e-6) for b in base)


def _round(name: str, sol: YearSolution, done) -> dict:
    return {
        "round": name,
        "status": sol.status,
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "weekly_solves": len(done),
        "wall_time": round(sol.wall_time, 2),
    }


def _bracketing(
    sol: YearSolution,
    data: YearData,
    groups,
    limits,
    step,
    floors: tuple[int, ...] | None = None,
    look_around: bool = False,
) -> dict[str, list[tuple[int, ...]]]:
    """Per group, for each month it has weeks in, the teams at the corners of the box around that month's
    capacity (each role's headcount rounded down and up to the step): the solves that make the interpolated
    cost there rest on teams either side of it. With ``look_around``, also one step either side of the lowest
    and the highest corner along each role, so the year model can see whether a team a step away costs less:
    the grid's points are too far apart and too noisy for that (corners alone, and a step around every corner,
    are measured in docs/benchmarks.md#year-plan)."""
    wanted: dict[str, set] = {g.name: set() for g in groups}
    for m in range(len(data.months)):
        sides = [_either_side(c, lim, step) for c, lim in zip(sol.team[:, m], limits, strict=True)]
        corners = set(itertools.product(*sides))
        if look_around:  # from the corners below and above (all roles rounded down, all up)
            for centre in (tuple(lo for lo, *_ in sides), tuple(hi for *_, hi in sides)):
                corners.update(candidate_teams(centre, limits, step, floors))
        for g, w in data.weeks[m].items():
            if w > 0:
                wanted[g].update(corners)
    return {g: sorted(t) for g, t in wanted.items()}


def _either_side(capacity: float, limit: int, step: int) -> list[int]:
    """The headcounts on the step's grid just below and just above ``capacity`` (one when it is on the grid)."""
    low = step * math.floor(capacity / step + 1e-6)
    high = step * math.ceil(capacity / step - 1e-6)
    return sorted({min(limit, max(0, low)), min(limit, max(0, high))})


def _roster_teams(sol: YearSolution, data: YearData, groups) -> dict[str, list[tuple[int, ...]]]:
    """Per group, in the month it weighs most in, the solved teams the year model leans on, most first (teams
    with a roster: a rounded capacity may be one the weekly engine found no roster for), then the group's other
    solved teams, nearest to that month's capacity first."""
    out = {}
    for g in groups:
        if sol.objective is None:
            out[g.name] = [(0,) * len(data.roles)]
            continue
        m = int(np.argmax([data.weeks[m].get(g.name, 0) for m in range(len(data.months))]))
        capacity = sol.team[:, m]
        weights = sol.weights.get((m, g.name))
        if weights:
            ranked = [t for t, _ in sorted(weights.items(), key=lambda item: (item[1], item[0]), reverse=True)]
        else:
            ranked = [tuple(math.floor(c + 1e-6) for c in capacity)]
        others = [p.team for p in data.points.get(g.name, ()) if p.team not in ranked]
        out[g.name] = ranked + sorted(others, key=lambda t: (float(np.abs(np.array(t) - capacity).sum()), t))
    return out


def _estimate(sol: YearSolution, m: int, g: str, points: dict) -> float | None:
    weights = sol.weights.get((m, g))
    if not weights:
        return None
    costs = {p.team: p.cost for p in points.get(g, ())}
    return float(sum(w * costs[t] for t, w in weights.items()))


def _validate(scenario, params, sol, data, groups, weeks, weights, scales, roles, week_params, say) -> pd.DataFrame:
    """Real weeks (busiest, quietest, middle) solved with their own demand at the plan's team, against the
    representative week's figure at that team (both less salaries, per week; the difference also as a share
    of the week's whole cost, salaries in, which is how far it moves the year's figure)."""
    cols = ["week_start", "month", "group", "team", "estimate", "real_cost", "real_status", "difference"]
    cols += ["difference_share", "salaries", "share_of_week_cost"]
    if sol.objective is None or params.validate_weeks <= 0:
        return pd.DataFrame(columns=cols)
    total = scales.groupby("week_start")["scale"].mean()
    order = total.sort_values().index.tolist()
    picks = list(dict.fromkeys([order[-1], order[0], order[len(order) // 2]]))[: params.validate_weeks]
    group_of = {w: g for g in groups for w in g.weeks}
    wide = scales.pivot_table(index="week_start", columns="stream", values="scale")
    index = {w: i for i, w in enumerate(weeks)}
    fake, wanted, meta = [], {}, []
    for w in picks:
        m = int(np.argmax(weights[:, index[w]]))
        # the solved team the month leans on most for this group: the real week and the estimate share it
        lam = sol.weights.get((m, group_of[w].name), {})
        team = max(lam, key=lam.get) if lam else tuple(math.floor(c + 1e-6) for c in sol.team[:, m])
        name = f"week {w.isoformat()}"
        fake.append(Group(name, (w,), {s: float(v) for s, v in wide.loc[w].items()}, False, 0.0))
        wanted[name] = [team]
        meta.append((w, m, group_of[w].name, name, team))
    say(f"validation: {len(picks)} real weeks")
    got = {p.group: p for p in solve_points(scenario, fake, wanted, roles, week_params, jobs=params.jobs)}
    rows = []
    for w, m, g, name, team in meta:
        est = next((p.cost for p in data.points.get(g, ()) if p.team == team), None)
        real = got[name]
        diff = None if real.variable_cost is None or est is None else real.variable_cost - est
        share = None if diff is None else (diff / est if est > 0 else 0.0 if abs(diff) < 0.01 else None)
        # the team's salaries in the week's plan: what the estimate leaves out, and the year pays all the same
        salaries = None if real.cost is None else real.cost - real.variable_cost
        whole = None if est is None or salaries is None else est + salaries
        of_week = None if diff is None or not whole else diff / whole
        rows.append(
            {
                "week_start": w,
                "month": data.months[m],
                "group": g,
                "team": "+".join(map(str, team)),
                "estimate": est,
                "real_cost": real.variable_cost,
                "real_status": real.status,
                "difference": diff,
                "difference_share": share,
                "salaries": None if salaries is None else round(salaries, 2),
                "share_of_week_cost": of_week,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def _months_table(scenario, sol, data, months, weights, scales, weeks, roles) -> pd.DataFrame:
    total = scales.groupby("week_start")["scale"].mean()
    demand = weights @ total.reindex(weeks).to_numpy() / weights.sum(axis=1)
    rows = []
    for m, mo in enumerate(months):
        row = {
            "month": mo.label,
            "weeks": round(float(weights[m].sum()), 3),
            "demand_index": round(float(demand[m]), 3),
        }
        if sol.objective is None:
            rows.append(row)
            continue
        for i, r in enumerate(roles):
            row[f"staff_{r}"] = int(sol.permanent[i, m])
            row[f"hires_{r}"] = int(sol.hires[i, m])
            row[f"leavers_{r}"] = round(float(sol.permanent[i, m]) * data.attrition / 12, 3)
            row[f"fixed_term_{r}"] = int(sol.cdd[i, m])
            row[f"seasonal_{r}"] = int(sol.seasonal[i, m])
            row[f"capacity_{r}"] = round(float(sol.team[i, m]), 3)
        row["trainees"] = int(
            sum(n for w, n in zip(data.windows, sol.trainees, strict=True) if w.start <= m < w.start + w.months)
        )
        agency = in_house = 0.0
        service = []
        for g, wk in data.weeks[m].items():
            pts = {p.team: p for p in data.points.get(g, ())}
            for t, lam in sol.weights.get((m, g), {}).items():
                agency += wk * lam * pts[t].agency_hours
                in_house += wk * lam * pts[t].in_house_hours
                if pts[t].service is not None:
                    service.append(pts[t].service)
        row["agency_hours"] = round(agency, 1)
        row["in_house_hours"] = round(in_house, 1)
        row["expected_service"] = min(service) if service else None
        for name, values in sol.lines.items():
            row[f"cost_{name}"] = round(float(values[m]), 2)
        row["cost_total"] = round(sum(float(v[m]) for v in sol.lines.values()), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def _payback(sol: YearSolution, data: YearData, roles, months, time_limit) -> pd.DataFrame:
    """When each month's permanent hires pay for themselves against the agency.

    The same year is solved again with those hires removed and every other decision of the plan kept (other
    hires and fixed-term contracts fixed, trainees at most as many): only the weekly plans change, so their
    work goes to the agency (and whatever premiums the weekly plans then pay). From the hires' start month,
    the month-by-month difference (the year without them less the year with them, recruitment counted in the
    start month) is summed; the hires pay back in the first month the sum reaches zero. ``None``: not within
    the plan's months.
    """
    cols = [
        "role",
        "month",
        "hires",
        "recruitment_cost",
        "saving_per_month",
        "year_saving",
        "pays_back_in",
        "payback_months",
    ]
    rows = []
    if sol.objective is None:
        return pd.DataFrame(columns=cols)
    with_cost = sum(sol.lines.values())
    chosen = sol.cdd_counts
    for r in range(len(roles)):
        for m in range(len(months)):
            n = int(sol.hires[r, m])
            if not n:
                continue

            def keep_the_rest(md, handles, r=r, m=m):
                for rr, per_month in enumerate(handles["hire"]):
                    for mm, v in enumerate(per_month):
                        n_kept = 0 if (rr, mm) == (r, m) else int(sol.hires[rr, mm])
                        md.row({v: 1.0}, n_kept, n_kept)
                for *_key, v in handles["cdd"]:
                    md.row({v: 1.0}, chosen.get(v, 0), chosen.get(v, 0))
                for v, k in zip(handles["trainees"], sol.trainees, strict=True):
                    md.row({v: 1.0}, 0, int(k))  # fewer if the tutors they need were the hires

            other = solve_year(data, time_limit, extra_rows=keep_the_rest)
            rec = n * data.recruitment[r]
            row = {"role": roles[r], "month": data.months[m], "hires": n, "recruitment_cost": rec}
            if other.objective is None:
                rows.append(row | dict.fromkeys(cols[4:]))
                continue
            net = (sum(other.lines.values()) - with_cost)[m:]
            running = np.cumsum(net)
            paid = np.flatnonzero(running >= -0.01)
            rows.append(
                row
                | {
                    "saving_per_month": float(net.sum() + rec) / len(net),
                    "year_saving": float(net.sum()),
                    "pays_back_in": data.months[m + int(paid[0])] if paid.size else None,
                    "payback_months": int(paid[0]) + 1 if paid.size else None,
                }
            )
    return pd.DataFrame(rows, columns=cols)
