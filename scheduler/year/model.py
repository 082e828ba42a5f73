"""The year MIP (HiGHS): permanent hires by start month, fixed-term contracts, trainees, and the weekly cost
curves for each month's team. Pure: it reads only ``YearData``, never a file or a solver of weeks.

Each month m and representative group g with ``weeks[m][g] > 0`` gets weights ``lam[m,g,k]`` over the group's
solved teams k (sum 1): the month's capacity per role equals the weighted team plus idle capacity (paid, unused).
Its operating cost is ``weeks * sum_k lam * cost_k``: the lower convex hull of the solved points, so between two
solved teams the cost is interpolated (the refinement round solves the teams the plan picks).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from scheduler.engine.master import quiet_highs
from scheduler.errors import SchedulerError

WEEKS_PER_MONTH = 30.4375 / 7  # the weekly engine prices a month of salary over 30.4375 days


@dataclass(frozen=True)
class Point:
    team: tuple[int, ...]
    cost: float  # per week: the plan's cost less the in-house salaries (agency, premiums, overtime, fees)
    agency_hours: float = 0.0
    in_house_hours: float = 0.0
    service: float | None = None


@dataclass(frozen=True)
class Window:
    start: int  # plan month index
    months: int
    max: int


@dataclass(frozen=True)
class YearData:
    months: tuple[str, ...]
    roles: tuple[str, ...]
    existing: tuple[int, ...]
    max_team: tuple[int, ...]
    weeks: tuple[dict[str, float], ...]  # per month: weeks of each group in it
    points: dict[str, tuple[Point, ...]]  # per group: its solved teams (plans only)
    salary_month: tuple[float, ...]  # gross + employer charges, per role and month
    recruitment: tuple[float, ...]
    lead_time: int = 0
    ramp_loss: float = 0.0  # share of a month's capacity a hire lacks in the month they start
    attrition: float = 0.0  # per person and year; leavers are replaced at the recruitment cost
    commitment: int = 0  # salary months a permanent hire costs at least, months after the plan's end included
    leave_share: tuple[float, ...] = ()  # per month: share of permanent staff away on paid leave
    cdd_roles: tuple[int, ...] = ()
    cdd_min: int = 1
    cdd_max: int = 18
    seasonal_months: tuple[bool, ...] = ()  # per plan month: a seasonal contract may cover it
    temporary_extra: float = 0.20  # end-of-contract + paid-leave indemnities, share of monthly gross cost
    seasonal_extra: float = 0.10
    trainee_role: int | None = None
    trainee_share: float = 0.0
    stipend: float = 0.0
    stipend_free_months: int = 2
    trainee_recruitment: float = 0.0
    per_tutor: int = 3
    tutor_roles: tuple[int, ...] = ()
    windows: tuple[Window, ...] = ()


@dataclass
class YearSolution:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    wall_time: float
    permanent: np.ndarray  # [role, month] in place
    hires: np.ndarray  # [role, month] starting
    cdd: np.ndarray  # [role, month] in place, both kinds
    seasonal: np.ndarray  # [role, month] of which seasonal
    cdd_starts: list[tuple[int, int, int, str, int]]  # role, start, months, kind, count
    trainees: np.ndarray  # per window
    team: np.ndarray  # [role, month] capacity
    weights: dict[tuple[int, str], dict[tuple[int, ...], float]]  # (month, group) -> team -> weight
    lines: dict[str, np.ndarray] = field(default_factory=dict)  # cost line -> per month
    cdd_counts: dict[int, int] = field(default_factory=dict)  # fixed-term start column -> contracts (pay-back)


class _Model:
    def __init__(self) -> None:
        self.h = quiet_highs()
        self.h.setOptionValue("presolve", "on")
        self.h.setOptionValue("simplex_strategy", 1)
        self.n = 0

    def var(self, cost: float = 0.0, lb: float = 0.0, ub: float = math.inf, integer: bool = False) -> int:
        import highspy

        self.h.addVar(lb, ub if ub < math.inf else highspy.kHighsInf)
        i = self.n
        self.n += 1
        if cost:
            self.h.changeColCost(i, cost)
        if integer:
            self.h.changeColIntegrality(i, highspy.HighsVarType.kInteger)
        return i

    def row(self, terms: dict[int, float], lo: float, hi: float) -> None:
        import highspy

        idx = np.array(list(terms), dtype=np.int32)
        val = np.array(list(terms.values()), dtype=float)
        self.h.addRow(
            -highspy.kHighsInf if lo == -math.inf else lo,
            highspy.kHighsInf if hi == math.inf else hi,
            len(idx),
            idx,
            val,
        )


def solve_year(data: YearData, time_limit: float = 30.0, extra_rows=None) -> YearSolution:
    """The cheapest year under ``data``. ``extra_rows(model, handles)`` may add rows (used for pay-back):
    ``handles`` holds the column indices ``hire[r][m]``, ``perm[r][m]``, ``cdd`` (role, start, length, kind,
    column) and ``trainees`` (one per window)."""
    started = time.perf_counter()
    M, R = len(data.months), len(data.roles)
    md = _Model()
    perm = [[md.var(integer=True) for _ in range(M)] for _ in range(R)]
    # a hire late in the plan pays the salary months of its commitment the plan does not hold: without them
    # a permanent post for the last months' peak looks cheaper than a fixed-term contract
    after = [max(0, data.commitment - (M - m)) for m in range(M)]
    hire = [
        [
            md.var(
                data.recruitment[r] + after[m] * data.salary_month[r],
                ub=0 if m < data.lead_time else math.inf,
                integer=True,
            )
            for m in range(M)
        ]
        for r in range(R)
    ]
    lines_idx: dict[str, list[tuple[int, int, float]]] = {}  # line -> (var, month, coef)

    def line(name: str, var: int, month: int, coef: float) -> None:
        lines_idx.setdefault(name, []).append((var, month, coef))

    for r in range(R):
        for m in range(M):
            prev = {perm[r][m - 1]: -1.0} if m else {}
            md.row(
                {perm[r][m]: 1.0, **prev, hire[r][m]: -1.0},
                data.existing[r] if m == 0 else 0,
                data.existing[r] if m == 0 else 0,
            )
            line("recruitment", hire[r][m], m, data.recruitment[r])
            if after[m]:
                line("salaries_after_the_plan", hire[r][m], m, after[m] * data.salary_month[r])
    # fixed-term contracts: starts by role, month, length and kind
    cdd_vars: list[tuple[int, int, int, str, int]] = []
    for r in data.cdd_roles:
        for s in range(M):
            for length in range(data.cdd_min, min(data.cdd_max, M - s) + 1):
                months = range(s, s + length)
                kinds = ["temporary"] + (
                    ["seasonal"] if data.seasonal_months and all(data.seasonal_months[m] for m in months) else []
                )
                for kind in kinds:
                    extra = data.temporary_extra if kind == "temporary" else data.seasonal_extra
                    v = md.var(length * data.salary_month[r] * (1 + extra) + data.recruitment[r], integer=True)
                    cdd_vars.append((r, s, length, kind, v))
                    line("recruitment", v, s, data.recruitment[r])
                    for m in months:
                        line("fixed_term_salaries", v, m, data.salary_month[r])
                        line(f"{kind}_indemnities", v, m, data.salary_month[r] * extra)
    trainee_vars = []
    for w in data.windows:
        owed = data.stipend * w.months if w.months > data.stipend_free_months else 0.0
        v = md.var(owed + data.trainee_recruitment, ub=w.max, integer=True)
        trainee_vars.append(v)
        for m in range(w.start, min(M, w.start + w.months)):
            if owed:
                line("trainee_stipends", v, m, data.stipend)
            if data.tutor_roles:
                tutors = {perm[r][m]: -float(data.per_tutor) for r in data.tutor_roles}
                md.row({v: 1.0, **tutors}, -math.inf, 0)
        line("trainee_recruitment", v, w.start, data.trainee_recruitment)
    # capacity per role and month, and the weekly cost curves
    team = [[md.var() for _ in range(M)] for _ in range(R)]
    lam: dict[tuple[int, str], dict[tuple[int, ...], int]] = {}
    for m in range(M):
        leave = data.leave_share[m] if data.leave_share else 0.0
        for r in range(R):
            terms = {team[r][m]: 1.0, perm[r][m]: -(1 - leave), hire[r][m]: data.ramp_loss}
            for rr, s, length, _kind, v in cdd_vars:
                if rr == r and s <= m < s + length:
                    terms[v] = terms.get(v, 0.0) - 1.0
            if data.trainee_role == r:
                for w, v in zip(data.windows, trainee_vars, strict=True):
                    if w.start <= m < w.start + w.months:
                        terms[v] = -data.trainee_share
            md.row(terms, 0, 0)
            # salaries are paid whether the capacity is at work, on leave or ramping up
            pay = data.salary_month[r]
            md.h.changeColCost(perm[r][m], pay + data.recruitment[r] * data.attrition / 12)
            line("salaries", perm[r][m], m, pay)
            line("replacing_leavers", perm[r][m], m, data.recruitment[r] * data.attrition / 12)
        for g, weeks in data.weeks[m].items():
            if weeks <= 0:
                continue
            points = data.points.get(g, ())
            if not points:
                raise SchedulerError(
                    f"representative week {g} has no weekly plan for any team tried: give the weekly solves more "
                    "time (--time-limit) or let the agency cover more (max_concurrent, skills)"
                )
            ws = {}
            for p in points:
                v = md.var(weeks * p.cost, ub=1.0)
                ws[p.team] = v
                line("operating", v, m, weeks * p.cost)  # agency, premiums, overtime of the week
            lam[(m, g)] = ws
            md.row(dict.fromkeys(ws.values(), 1.0), 1, 1)
            for r in range(R):  # capacity beyond the solved team is paid (salaries) and unused
                md.row({**{v: float(t[r]) for t, v in ws.items()}, team[r][m]: -1.0}, -math.inf, 0)
    if extra_rows is not None:
        extra_rows(md, {"hire": hire, "perm": perm, "cdd": cdd_vars, "trainees": trainee_vars})
    md.h.setOptionValue("time_limit", float(time_limit))
    md.h.setOptionValue("mip_rel_gap", 1e-6)
    md.h.run()
    status = md.h.modelStatusToString(md.h.getModelStatus())
    info = md.h.getInfo()
    wall = time.perf_counter() - started
    has = info.primal_solution_status == 2
    if not has:
        empty = np.zeros((R, M))
        return YearSolution(
            status.upper(), None, None, None, wall, empty, empty, empty, empty, [], np.zeros(0), empty, {}
        )
    x = np.array(md.h.getSolution().col_value)
    obj = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    gap = abs(obj - bound) / max(1e-9, abs(obj))
    val = lambda i: float(x[i])  # noqa: E731
    rnd = lambda i: round(float(x[i]))  # noqa: E731
    perm_a = np.array([[rnd(perm[r][m]) for m in range(M)] for r in range(R)])
    hire_a = np.array([[rnd(hire[r][m]) for m in range(M)] for r in range(R)])
    cdd_a, seas_a = np.zeros((R, M), dtype=int), np.zeros((R, M), dtype=int)
    starts = []
    cdd_counts = {}
    for r, s, length, kind, v in cdd_vars:
        n = rnd(v)
        cdd_counts[v] = n
        if n:
            starts.append((r, s, length, kind, n))
            cdd_a[r, s : s + length] += n
            if kind == "seasonal":
                seas_a[r, s : s + length] += n
    lines = {}
    for name, entries in lines_idx.items():
        arr = np.zeros(M)
        for v, m, c in entries:
            arr[m] += c * val(v)
        lines[name] = arr
    weights = {key: {t: val(v) for t, v in ws.items() if val(v) > 1e-7} for key, ws in lam.items()}
    return YearSolution(
        "OPTIMAL" if status.lower() == "optimal" else status.upper(),
        obj,
        bound,
        gap,
        wall,
        perm_a,
        hire_a,
        cdd_a,
        seas_a,
        starts,
        np.array([rnd(v) for v in trainee_vars]),
        np.array([[val(team[r][m]) for m in range(M)] for r in range(R)]),
        weights,
        lines,
        cdd_counts,
    )
