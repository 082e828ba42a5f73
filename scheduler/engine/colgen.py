"""Column generation: the master LP and the pricing in turn, until no schedule has a negative reduced cost.

Each round solves the master LP (HiGHS, warm-started from the previous basis), reads the duals, and prices
every group: the labeling finds its cheapest schedules when each shift is paid what the master's rows give
for it. Schedules with a negative reduced cost join the master. Pricing starts as a heuristic (a cap on the
labels kept per day, fast), and turns exact when the heuristic finds nothing; each exact round gives a
Lagrangian bound, valid for the whole problem whether the generation has converged or not.

A restricted master MIP over the columns found then gives an integer plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from scheduler.engine.master import Master, assignment_of, build_master, quiet_highs, safe_bound
from scheduler.engine.pricing import Schedule, Variant, calendar_of, cheapest, schedule_cost, variants_of
from scheduler.model.data import ModelData
from scheduler.model.extract import Assignment

Progress = Callable[[str], None]

HEURISTIC_LABELS = 64  # labels kept per day while pricing is a heuristic
EXACT_LABELS = 2000  # the cap of an exact try: beyond it (ladder M's first rounds) the answer is a heuristic's
KEEP = 4  # schedules a pricing problem may return per round
EPS = 1e-3  # cents: reduced costs above -EPS are not negative
SMOOTHING = 0.7  # weight of the best bound's duals in the smoothed prices
EXACT_BUDGET = 5  # an exact try's time, in heuristic rounds
EXACT_EVERY = 10  # rounds between exact pricings while the heuristic still finds columns
DIVE_ROUNDS = 15  # heuristic rounds of generation after each fixing in a dive
CLOSE = 1e-5  # the LP within this share of the bound: converged


@dataclass
class Generation:
    """What the column generation did: its figures for the log and the benchmarks."""

    lp_value: float | None = None  # the last master LP's value (cents)
    bound: float | None = None  # the best Lagrangian bound (cents, rounded down)
    root_bound: float | None = None  # the first exact round's bound
    converged: bool = False
    rounds: int = 0
    exact_rounds: int = 0
    pricing_seconds: float = 0.0
    master_seconds: float = 0.0
    log: list[str] = field(default_factory=list)


class Pricer:
    """Every group's pricing problems, ready to be priced against the master's duals."""

    def __init__(self, master: Master) -> None:
        data = master.data
        self.master = master
        self.calendar = calendar_of(data)
        self.variants: list[Variant] = variants_of(data, master.groups)
        self.takes = [
            np.array([master.take_of[(master.groups[v.group].crew, int(i))] for i in v.shift_index], dtype=np.int64)
            for v in self.variants
        ]

    def price(self, shift_pay: np.ndarray, convexity: np.ndarray, max_labels: int, keep: int, deadline: float = np.inf):
        """New schedules with a negative reduced cost; each group's cheapest schedule value (fixed pay plus
        its cost net of the pay); and whether those values are exact (no label cap bound, every problem
        priced before the deadline), which the Lagrangian bound needs."""
        master = self.master
        groups = master.groups
        best = np.full(len(groups), np.inf)
        fresh: list[Schedule] = []
        exact = True
        for v, take in zip(self.variants, self.takes, strict=True):
            if time.perf_counter() > deadline:
                return fresh, best, False
            group = groups[v.group]
            costs, schedules, whole = cheapest(v, self.calendar, shift_pay[take], keep=keep, max_labels=max_labels)
            exact = exact and whole
            if not len(costs):
                continue
            best[v.group] = min(best[v.group], group.fixed + costs[0])
            for cost, shifts in zip(costs, schedules, strict=True):
                if group.fixed + cost - convexity[v.group] < -EPS:
                    price = schedule_cost(master.data, group, shifts)
                    fresh.append(Schedule(v.group, shifts, price, v.night_worker))
        return fresh, best, exact


def seed_columns(master: Master, pricer: Pricer, start: Assignment | None) -> None:
    """First columns: each pricing problem's cheapest schedule at zero pay (so that every group has a legal
    schedule), and the schedules of a starting plan when there is one."""
    zero = np.zeros(master.a_take.shape[1])
    fresh, _, _ = pricer.price(zero, np.full(len(master.groups), np.inf), EXACT_LABELS, 1)
    master.add(fresh)
    if start is None:
        return
    group_of = {w: g for g, group in enumerate(master.groups) for w in group.workers}
    data = master.data
    extra = []
    for w, shifts in start.shifts.items():
        if data.workers[w].hire and w not in start.hired:
            continue
        g = group_of[w]
        shifts = tuple(sorted(shifts, key=lambda i: data.shifts[data.workers[w].role][i].start))
        extra.append(Schedule(g, shifts, schedule_cost(data, master.groups[g], shifts), False))
    master.add(extra)


def generate(
    master: Master,
    pricer: Pricer,
    deadline: float,
    progress: Progress | None = None,
    *,
    may_turn_exact: bool = True,
    out: Generation | None = None,
    max_rounds: int = 1 << 30,
) -> Generation:
    """Column generation until it converges or the deadline passes.

    Duals are smoothed (Wentges): pricing runs at a mix of the duals that gave the best Lagrangian bound so
    far and the master's current ones, which damps the oscillation of degenerate covering LPs. A round whose
    smoothed prices find nothing prices at the master's own duals; when those find nothing either, with
    exact pricing, the master LP is optimal over every schedule and its value is the bound.
    """
    out = out or Generation()
    highs = master.highs
    exact = may_turn_exact and HEURISTIC_LABELS == 0
    center: np.ndarray | None = None  # the stability centre: the duals of the best Lagrangian value
    center_value = -np.inf  # its value (an estimate while pricing is a heuristic, a bound once exact)
    last_heuristic = 0.0  # seconds of the last heuristic pricing round
    cut = False  # the last round's exact try was cut short and found nothing: this one prices heuristically
    for _ in range(max_rounds):
        if time.perf_counter() >= deadline:
            break
        t0 = time.perf_counter()
        _solve_lp(highs, deadline)  # HiGHS's time limit counts from its creation
        out.master_seconds += time.perf_counter() - t0
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            out.log.append(f"master LP stopped: {highs.modelStatusToString(highs.getModelStatus())}")
            break
        out.rounds += 1
        # Exact pricing now and then, for the bound, while the heuristic still finds columns.
        exact_now = (exact or (may_turn_exact and out.rounds % EXACT_EVERY == 0)) and not cut
        cut = False
        out.lp_value = highs.getInfo().objective_function_value
        duals = np.asarray(highs.getSolution().row_dual)
        added = 0
        for alpha in (SMOOTHING, 0.0) if center is not None else (0.0,):
            y = duals if alpha == 0.0 else alpha * center + (1 - alpha) * duals
            t1 = time.perf_counter()
            # An exact try may take at most EXACT_BUDGET heuristic rounds' time (ladder M's first ones do not
            # end in minutes): then it is dropped, and the round gives no bound.
            budget = deadline if not exact_now else min(deadline, t1 + EXACT_BUDGET * max(0.05, last_heuristic))
            fresh, best, whole = pricer.price(
                master.shift_pay(y), y[master.conv_row], EXACT_LABELS if exact_now else HEURISTIC_LABELS, KEEP, budget
            )
            if not exact_now:
                last_heuristic = time.perf_counter() - t1
            out.pricing_seconds += time.perf_counter() - t1
            value = master.lagrangian(y, best) if np.all(np.isfinite(best)) else -np.inf
            if value > center_value:
                center, center_value = y, value
            if exact_now and whole:
                out.exact_rounds += 1
                bound = safe_bound(value)
                out.bound = bound if out.bound is None else max(out.bound, bound)
                out.root_bound = out.bound if out.root_bound is None else out.root_bound
            added = master.add(fresh)
            if added:
                break
        if progress and (out.rounds % 10 == 0 or not added):
            bound = f", bound {out.bound / 100:,.2f}" if out.bound is not None else ""
            progress(
                f"[colgen] round {out.rounds}: LP {out.lp_value / 100:,.2f}{bound}, "
                f"{len(master.columns)} columns, {'exact' if exact else 'heuristic'} pricing"
            )
        if not added:
            if exact_now and whole:
                out.converged = True
                out.bound = max(out.bound, safe_bound(out.lp_value))
                break
            if exact_now and not exact:
                cut = True  # a periodic exact try cut short: the heuristic goes on
                continue
            if not may_turn_exact or exact_now:
                break  # nothing more at heuristic prices (or under the exact try's cap): no better columns
            exact = True
            center_value = -np.inf  # the heuristic's values overestimate: exact ones start afresh
        if out.bound is not None and out.lp_value - out.bound <= CLOSE * max(1.0, abs(out.lp_value)):
            out.converged = True  # the LP is as good as the bound: more columns cannot lower it by much
            break
    return out


def _solve_lp(highs: highspy.Highs, deadline: float) -> None:
    highs.setOptionValue("time_limit", highs.getRunTime() + max(0.1, deadline - time.perf_counter()))
    highs.run()


@dataclass(frozen=True)
class IntegerPlan:
    assignment: Assignment
    objective: float  # cents, the MIP's value
    status: str
    seconds: float


def _mip_from(master: Master, integer_base: bool) -> highspy.Highs:
    """A copy of the master with integer schedule columns and agency bookings, no artificial slack; with
    ``integer_base`` the capacity drawn, backlogs and shortfall are integer too (as the plan needs them)."""
    mip = quiet_highs()
    mip.setOptionValue("presolve", "on")  # a MIP solved once: presolve pays, unlike the master's LP rounds
    mip.setOptionValue("simplex_strategy", 1)
    mip.passModel(master.highs.getModel())
    first = len(master.base)
    art = np.arange(first, first + master.n_artificial, dtype=np.int32)
    mip.changeColsBounds(art.shape[0], art, np.zeros(art.shape[0]), np.zeros(art.shape[0]))
    if integer_base:
        whole = np.concatenate(
            [np.arange(first, dtype=np.int32), np.arange(master.n_base, mip.getNumCol(), dtype=np.int32)]
        )
    else:
        whole = np.concatenate([master.decision_columns, np.arange(master.n_base, mip.getNumCol(), dtype=np.int32)])
    kind = np.full(whole.shape[0], highspy.HighsVarType.kInteger, dtype=np.uint8)
    mip.changeColsIntegrality(whole.shape[0], whole, kind)
    mip.setOptionValue("random_seed", 0)
    return mip


def complete(master: Master, counts: np.ndarray, agency: np.ndarray | None, time_limit: float) -> IntegerPlan | None:
    """The plan of whole schedule counts (and agency bookings, when given): the capacity drawn, backlogs and
    shortfall made whole by a small MIP (the schedules fixed, little is left to decide)."""
    t0 = time.perf_counter()
    mip = _mip_from(master, integer_base=True)
    n = len(master.columns)
    cols = np.arange(master.n_base, master.n_base + n, dtype=np.int32)
    whole = np.round(counts).astype(np.float64)
    mip.changeColsBounds(n, cols, whole, whole)
    if agency is not None:
        d = master.decision_columns
        mip.changeColsBounds(d.shape[0], d, np.round(agency), np.round(agency))
    mip.setOptionValue("time_limit", max(0.5, time_limit))
    mip.setOptionValue("mip_rel_gap", 1e-6)
    mip.run()
    return _plan_of(master, mip, t0)


def _plan_of(master: Master, mip: highspy.Highs, t0: float) -> IntegerPlan | None:
    info = mip.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    values = np.asarray(mip.getSolution().col_value)
    a = assignment_of(master, values[master.n_base :], values[: master.n_base])
    status = mip.modelStatusToString(mip.getModelStatus())
    return IntegerPlan(a, info.objective_function_value, status, time.perf_counter() - t0)


def restricted_mip(master: Master, time_limit: float, gap_limit: float) -> IntegerPlan | None:
    """The master with integer columns over the schedules found (capacity drawn, backlogs and shortfall
    continuous, made whole after): a plan from the columns in hand."""
    t0 = time.perf_counter()
    mip = _mip_from(master, integer_base=False)
    mip.setOptionValue("time_limit", max(0.5, time_limit * 0.8))
    mip.setOptionValue("mip_rel_gap", gap_limit)
    mip.run()
    if mip.getInfo().primal_solution_status != 2:
        return None
    values = np.asarray(mip.getSolution().col_value)
    counts = values[master.n_base :]
    rest = max(0.5, time_limit - (time.perf_counter() - t0))
    return complete(master, counts, values[master.decision_columns], rest)


def _fractional_hires(master: Master, x: np.ndarray) -> list[tuple[int, float]]:
    """Hire groups whose schedule count is not whole in the master's solution, with that count."""
    totals = np.zeros(len(master.groups))
    np.add.at(totals, np.array([s.group for s in master.columns], dtype=np.int64), x)
    return [
        (g, float(totals[g]))
        for g, group in enumerate(master.groups)
        if group.hire and abs(totals[g] - round(totals[g])) > 1e-6
    ]


def dive(master: Master, pricer: Pricer, deadline: float, progress: Progress | None = None) -> IntegerPlan | None:
    """Diving: fix hire counts to whole numbers, then schedule columns, generating columns again after each
    fixing (heuristic pricing), until the master's solution is whole; then complete it. A fixing that leaves
    the master without a legal cover (artificial slack, or unmet need the user did not allow) is undone and
    forbidden instead (one level of backtracking). The master's bounds are restored after."""
    highs = master.highs
    changed: list[int] = []
    fixed_rows: list[int] = []
    last: tuple[str, int, float] | None = None  # the last fixing: ("row" | "col", index, value fixed)
    plan = None
    try:
        while time.perf_counter() < deadline:
            gen = generate(master, pricer, deadline, may_turn_exact=False, max_rounds=DIVE_ROUNDS)
            _solve_lp(highs, deadline)  # the columns just added changed the model
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                if progress:
                    progress(
                        f"[dive] stopped: {'; '.join(gen.log) or highs.modelStatusToString(highs.getModelStatus())}"
                    )
                break
            values = np.asarray(highs.getSolution().col_value)
            if master.uncovered(values) and last is not None:
                kind, index, fixed = last
                last = None
                if kind == "row":  # the other whole count next to the LP's
                    group = master.groups[index]
                    other = fixed + 1 if fixed + 1 <= group.most else fixed - 1
                    highs.changeRowBounds(master.conv_row[index], other, other)
                else:
                    highs.changeColBounds(index, 0.0, fixed - 1)
                continue
            x = values[master.n_base :]
            hires = _fractional_hires(master, x)
            if hires:
                # Hire counts first: they decide most of the cost, and a whole count is cheap to price around.
                g, count = min(hires, key=lambda gc: abs(gc[1] - round(gc[1])))
                whole = float(round(count))
                highs.changeRowBounds(master.conv_row[g], whole, whole)
                fixed_rows.append(g)
                last = ("row", g, whole)
                continue
            frac = x - np.floor(x)
            open_ = np.flatnonzero((frac > 1e-6) & (frac < 1 - 1e-6))
            if open_.shape[0] == 0:
                plan = complete(master, x, None, max(1.0, deadline - time.perf_counter()))
                break
            j = open_[np.argmax(x[open_])]
            col = master.n_base + int(j)
            lower = float(np.ceil(x[j]))
            highs.changeColBounds(col, lower, float(master.groups[master.columns[j].group].most))
            changed.append(col)
            last = ("col", col, lower)
    finally:
        for g in fixed_rows:
            group = master.groups[g]
            highs.changeRowBounds(master.conv_row[g], float(group.least), float(group.most))
        for col in changed:
            highs.changeColBounds(col, 0.0, float(master.groups[master.columns[col - master.n_base].group].most))
    if progress:
        progress(
            f"[dive] {len(fixed_rows)} hire counts and {len(changed)} columns fixed, {'a plan' if plan else 'no plan'}"
        )
    return plan


# ------------------------------------------------------------------------------------------ strategy
@dataclass(frozen=True)
class Found:
    """A plan the strategy found: its assignment, how, and when (seconds from the strategy's start)."""

    how: str
    assignment: Assignment
    at: float


@dataclass
class Outcome:
    """What the column generation strategy returns: its plans, its bound (cents, valid for the whole
    problem; None without an exact pricing round) and its figures."""

    plans: list[Found]
    bound: float | None
    generation: Generation
    columns: int
    rows: int


GENERATION_SHARE = 0.6  # of the time: column generation; the rest turns the columns into plans


def solve_by_columns(
    data: ModelData,
    allow_shortfall: bool,
    start: Assignment | None,
    time_limit: float,
    unmet_weight: int,
    progress: Progress | None = None,
) -> Outcome:
    """Column generation, then integer plans from the columns: the restricted master MIP and a dive."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    master = build_master(data, 1 if allow_shortfall else unmet_weight)
    pricer = Pricer(master)
    seed_columns(master, pricer, start)
    generation = generate(master, pricer, t0 + GENERATION_SHARE * time_limit, progress)
    if progress:
        bound = f"bound {generation.bound / 100:,.2f}" if generation.bound is not None else "no bound yet"
        # no LP value when the first master LP did not finish (seen once beside the crew bound's HiGHS thread)
        lp = f"{generation.lp_value / 100:,.2f}" if generation.lp_value is not None else "none"
        progress(
            f"[colgen] {generation.rounds} rounds, LP {lp}, {bound}, "
            f"{len(master.columns)} columns, pricing {generation.pricing_seconds:.1f} s, "
            f"master {generation.master_seconds:.1f} s"
        )
    plans: list[Found] = []
    left = deadline - time.perf_counter()
    mip = restricted_mip(master, max(1.0, left * 0.5), 1e-4)
    if mip is not None:
        plans.append(Found("restricted master", mip.assignment, time.perf_counter() - t0))
        if progress:
            progress(f"[restricted master] {mip.objective / 100:,.2f} ({mip.status}) in {mip.seconds:.1f} s")
    dived = dive(master, pricer, max(deadline, time.perf_counter() + 1.0), progress)
    if dived is not None:
        plans.append(Found("dive", dived.assignment, time.perf_counter() - t0))
    if not allow_shortfall:
        plans = [p for p in plans if not any(p.assignment.shortfall.values())]
    return Outcome(plans, generation.bound, generation, len(master.columns), master.a_take.shape[0])
