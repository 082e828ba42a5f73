"""The Dantzig-Wolfe master: every coupling rule of the plan, over whole schedules of people.

The rows are the crew-level model's coupling families (``scheduler.model.build``: coverage per slot and
stream with Hall's condition, Erlang headcount and capacity, backlog and workload, presence floors,
supervision, agency blocks and fee), built once as a CP-SAT model with a count variable per crew and shift
and translated to sparse rows. A schedule's column is the sum of the columns of the shifts it takes, so the
master never sees a per-person rule: those live in the pricing (``scheduler.engine.pricing``). Agency
bookings, capacity drawn per stream, backlogs and shortfall stay variables of their own. Each group of
identical workers has a convexity row: named people work exactly one schedule each (a day-off-only
schedule included), a crew's hire slots between the crew's minimum and its number of slots.

The master is an LP in HiGHS, warm-started as columns arrive; the same model with integer columns is the
restricted master MIP that turns the columns found into a plan.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import highspy
import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse

from scheduler.engine.pricing import Group, Schedule, make_groups
from scheduler.model.build import Handles, Unit, agency, coverage, presence, supervision
from scheduler.model.data import ModelData
from scheduler.model.extract import Assignment

INF = highspy.kHighsInf
_BIG = 2**62
ARTIFICIAL_CENTS = 1e8  # a million euros per unit of a row violated: no plan pays it
ARTIFICIAL_LIMIT = 1e4


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance that writes nothing to stdout (where ``--format json`` goes): its banner is printed
    when the first instance is made, before any option can be set, so stdout is closed for that moment."""
    global _BANNER_SHOWN
    if not _BANNER_SHOWN:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    else:
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)  # the same answer whatever the machine
    highs.setOptionValue("presolve", "off")  # a presolved model loses the basis the next round starts from
    highs.setOptionValue(
        "simplex_strategy", 4
    )  # primal: new columns keep the basis primal feasible (M: 0.7 s a round, dual 1.7 s)
    return highs


_BANNER_SHOWN = False


def coupling_model(data: ModelData, shortfall_weight: int) -> Handles:
    """The crew level's coupling rows over one count variable per crew and shift, unmet need priced at
    ``shortfall_weight`` times its scenario price (a big price when the user did not allow it: the master
    then always has a solution, and a plan with unmet need is not one)."""
    model = cp_model.CpModel()
    units = [Unit(crew.name, c, crew.members, crew.hire) for c, crew in enumerate(data.crews)]
    h = Handles(model, data, "crew", units)
    h.shortfall_weight = shortfall_weight
    for unit in units:
        role = data.crews[unit.crew].role
        counts: dict[int, int] = {}
        for w in unit.workers:
            for i in data.workers[w].shifts:
                counts[i] = counts.get(i, 0) + 1
        h.take.append({i: model.new_int_var(0, n, f"take[{unit.name}|{role}#{i}]") for i, n in sorted(counts.items())})
        h.active.append(len(unit.workers))
    agency(h)
    coverage(h, allow_shortfall=True)
    presence(h, allow_shortfall=True)
    supervision(h)
    model.minimize(sum(sum(terms) for terms in h.costs.values()))
    return h


@dataclass
class Master:
    """The master LP / MIP and what is needed to price against it."""

    data: ModelData
    handles: Handles
    groups: tuple[Group, ...]
    highs: highspy.Highs
    base: list[int]  # proto variable index of each base column (columns 0 .. len(base) - 1)
    n_artificial: int  # the artificial slack columns that follow them
    take_of: dict[tuple[int, int], int]  # (crew, shift index) -> column of A_take
    a_take: sparse.csc_matrix  # rows x take variables
    a_take_t: sparse.csr_matrix  # its transpose, for the shift pay
    row_lo: np.ndarray
    row_hi: np.ndarray
    conv_row: list[int]  # per group, its convexity row
    offset: float
    base_cost: np.ndarray  # the base and artificial columns' costs, bounds and rows (coupling rows only)
    base_lo: np.ndarray
    base_hi: np.ndarray
    a_base_t: sparse.csr_matrix
    decision_columns: np.ndarray  # base columns that are decisions: agency bookings and fees
    base_col: dict[int, int]  # proto variable index -> base column
    shortfall_allowed: bool
    columns: list[Schedule] = field(default_factory=list)
    known: set[tuple[int, tuple[int, ...]]] = field(default_factory=set)

    @property
    def n_base(self) -> int:
        """Columns before the schedules: the base variables and the artificial slack."""
        return len(self.base) + self.n_artificial

    # ------------------------------------------------------------------------------------ columns
    def column_entries(self, schedule: Schedule) -> tuple[np.ndarray, np.ndarray]:
        """The rows a schedule touches and its coefficients: the sum of its shifts' take columns, and 1 in
        its group's convexity row."""
        crew = self.groups[schedule.group].crew
        ks = [self.take_of[(crew, i)] for i in schedule.shifts]
        a = self.a_take
        if ks:
            rows = np.concatenate([a.indices[a.indptr[k] : a.indptr[k + 1]] for k in ks])
            vals = np.concatenate([a.data[a.indptr[k] : a.indptr[k + 1]] for k in ks])
            uniq, inverse = np.unique(rows, return_inverse=True)
            summed = np.bincount(inverse, weights=vals, minlength=uniq.shape[0])
            keep = summed != 0
            rows, vals = uniq[keep], summed[keep]
        else:
            rows, vals = np.zeros(0, np.int64), np.zeros(0)
        rows = np.append(rows, self.conv_row[schedule.group])
        vals = np.append(vals, 1.0)
        return rows.astype(np.int32), vals.astype(np.float64)

    def add(self, schedules: list[Schedule], integer: bool = False) -> int:
        """Add new columns (already known ones are skipped); returns how many were added."""
        fresh = []
        for s in schedules:
            key = (s.group, s.shifts)
            if key in self.known:
                continue
            self.known.add(key)
            fresh.append(s)
        if not fresh:
            return 0
        starts, indices, values = [], [], []
        n = 0
        for s in fresh:
            rows, vals = self.column_entries(s)
            starts.append(n)
            indices.append(rows)
            values.append(vals)
            n += rows.shape[0]
        costs = np.array([s.cost for s in fresh], dtype=np.float64)
        uppers = np.array([self.groups[s.group].most for s in fresh], dtype=np.float64)
        self.highs.addCols(
            len(fresh),
            costs,
            np.zeros(len(fresh)),
            uppers,
            n,
            np.array(starts, dtype=np.int32),
            np.concatenate(indices),
            np.concatenate(values),
        )
        if integer:
            first = self.n_base + len(self.columns)
            idx = np.arange(first, first + len(fresh), dtype=np.int32)
            self.highs.changeColsIntegrality(len(fresh), idx, np.full(len(fresh), highspy.HighsVarType.kInteger))
        self.columns.extend(fresh)
        return len(fresh)

    def uncovered(self, values: np.ndarray) -> bool:
        """Whether a master solution leans on artificial slack, or on unmet need the user did not allow."""
        if np.any(values[len(self.base) : self.n_base] > 1e-6):
            return True
        if self.shortfall_allowed:
            return False
        return any(values[self.base_col[v.index]] > 1e-6 for v in self.handles.shortfall.values())

    # ------------------------------------------------------------------------------------ duals
    def shift_pay(self, row_dual: np.ndarray) -> np.ndarray:
        """What the master pays for each take variable at these duals (its column times the duals)."""
        return self.a_take_t @ row_dual[: self.a_take.shape[0]]

    def lagrangian(self, row_dual: np.ndarray, group_best: np.ndarray) -> float:
        """A lower bound of the whole problem (every schedule, integer or not) from any duals: the rows'
        duals times their active side, each base column at its cheaper bound, and each group at its
        cheapest count of its cheapest schedule (``group_best``: fixed pay plus pricing cost, no convexity
        dual). Valid before the column generation converges, as long as ``group_best`` is exact."""
        n_rows = self.a_take.shape[0]
        y = row_dual[:n_rows]
        lo, hi = self.row_lo, self.row_hi
        value = self.offset
        value += float(np.sum(np.where(y > 0, y * np.where(np.isfinite(lo), lo, 0.0), 0.0)))
        value += float(np.sum(np.where(y < 0, y * np.where(np.isfinite(hi), hi, 0.0), 0.0)))
        reduced = self.base_cost - self.a_base_t @ y
        value += float(np.sum(np.minimum(reduced * self.base_lo, reduced * self.base_hi)))
        for g, group in enumerate(self.groups):
            best = group_best[g]
            value += min(group.least * best, group.most * best)
        return value


def build_master(data: ModelData, shortfall_weight: int) -> Master:
    """Translate the coupling model into HiGHS rows; schedule columns come later (``Master.add``)."""
    h = coupling_model(data, shortfall_weight)
    proto = h.model.proto
    take_of: dict[tuple[int, int], int] = {}
    take_var: dict[int, int] = {}
    for u, unit in enumerate(h.units):
        for i, var in h.take[u].items():
            take_var[var.index] = len(take_of)
            take_of[(unit.crew, i)] = take_var[var.index]
    base = [k for k in range(len(proto.variables)) if k not in take_var]
    base_col = {k: j for j, k in enumerate(base)}
    rows_b, cols_b, vals_b = [], [], []
    rows_t, cols_t, vals_t = [], [], []
    row_lo, row_hi = [], []
    for constraint in proto.constraints:
        if not constraint.has_linear() or constraint.enforcement_literal:
            raise ValueError(f"the master takes plain linear rows only, not {constraint}")
        linear = constraint.linear
        r = len(row_lo)
        domain = list(linear.domain)
        row_lo.append(-INF if domain[0] <= -_BIG else float(domain[0]))
        row_hi.append(INF if domain[-1] >= _BIG else float(domain[-1]))
        for var, coef in zip(linear.vars, linear.coeffs, strict=True):
            if var in take_var:
                rows_t.append(r), cols_t.append(take_var[var]), vals_t.append(coef)
            else:
                rows_b.append(r), cols_b.append(base_col[var]), vals_b.append(coef)
    n_rows = len(row_lo)
    groups = make_groups(data)
    conv_row = list(range(n_rows, n_rows + len(groups)))
    a_take = sparse.csc_matrix((vals_t, (rows_t, cols_t)), shape=(n_rows, len(take_of)), dtype=np.float64)
    a_base = sparse.csc_matrix((vals_b, (rows_b, cols_b)), shape=(n_rows + len(groups), len(base)), dtype=np.float64)
    scale = proto.objective.scaling_factor or 1.0
    cost = np.zeros(len(base))
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        cost[base_col[var]] += coef * scale
    lower = np.array([proto.variables[k].domain[0] for k in base], dtype=np.float64)
    upper = np.array([proto.variables[k].domain[len(proto.variables[k].domain) - 1] for k in base], dtype=np.float64)
    # Artificial slack on every row, at a price no plan pays: the master has a solution from the first round
    # (a trainee's seed schedule with no tutor's in the columns yet), and its Lagrangian bound stays valid
    # (the slack is bounded, and zero slack is the real problem).
    n_art = 2 * n_rows
    art_rows = np.repeat(np.arange(n_rows), 2)
    art_vals = np.tile([1.0, -1.0], n_rows)
    a_base = sparse.hstack(
        [a_base, sparse.csc_matrix((art_vals, (art_rows, np.arange(n_art))), shape=(a_base.shape[0], n_art))]
    ).tocsc()
    cost = np.concatenate([cost, np.full(n_art, ARTIFICIAL_CENTS)])
    lower = np.concatenate([lower, np.zeros(n_art)])
    upper = np.concatenate([upper, np.full(n_art, ARTIFICIAL_LIMIT)])
    lp = highspy.HighsLp()
    lp.num_col_ = a_base.shape[1]
    lp.num_row_ = n_rows + len(groups)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.array(row_lo + [float(g.least) for g in groups])
    lp.row_upper_ = np.array(row_hi + [float(g.most) for g in groups])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a_base.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a_base.indices.astype(np.int32)
    lp.a_matrix_.value_ = a_base.data
    lp.offset_ = proto.objective.offset * scale
    highs = quiet_highs()
    highs.passModel(lp)
    return Master(
        data=data,
        handles=h,
        groups=groups,
        highs=highs,
        base=base,
        n_artificial=n_art,
        take_of=take_of,
        a_take=a_take,
        a_take_t=a_take.T.tocsr(),
        row_lo=np.array(row_lo),
        row_hi=np.array(row_hi),
        conv_row=conv_row,
        offset=proto.objective.offset * scale,
        base_cost=cost,
        base_lo=lower,
        base_hi=upper,
        a_base_t=a_base[:n_rows, :].T.tocsr(),
        base_col=base_col,
        shortfall_allowed=shortfall_weight == 1,
        decision_columns=np.array(
            sorted(
                base_col[v.index]
                for v in [*(v for b in h.agency.values() for v in b.values()), *h.agency_used.values()]
            ),
            dtype=np.int32,
        ),
    )


def assignment_of(master: Master, counts: np.ndarray, base_values: np.ndarray) -> Assignment:
    """An assignment from integer column values: each group's schedules handed to its workers in order
    (named people all work; a crew's first hire slots are the ones filled)."""
    h = master.handles
    shifts: dict[int, tuple[int, ...]] = {}
    hired: set[int] = set()
    queue: dict[int, list[tuple[int, ...]]] = {g: [] for g in range(len(master.groups))}
    for s, n in zip(master.columns, counts, strict=True):
        queue[s.group].extend([s.shifts] * round(n))
    for g, group in enumerate(master.groups):
        chosen = sorted(queue[g], key=lambda shifts_: (-len(shifts_), shifts_))
        if not group.hire and len(chosen) != len(group.workers):
            raise RuntimeError(f"group {g} got {len(chosen)} schedules for {len(group.workers)} people")
        for w, taken in zip(group.workers, chosen, strict=False):
            shifts[w] = taken
            if group.hire:
                hired.add(w)
    if np.any(base_values[len(master.base) :] > 0.5):
        raise RuntimeError("an integer plan with artificial slack: not a plan")
    value_of = {k: round(v) for k, v in zip(master.base, base_values[: len(master.base)], strict=True)}
    return Assignment(
        shifts=shifts,
        hired=frozenset(hired),
        agency={
            name: {b: value_of[v.index] for b, v in blocks.items() if value_of[v.index]}
            for name, blocks in h.agency.items()
        },
        alloc_capacity={k: value_of[v.index] for k, v in h.alloc_capacity.items() if value_of[v.index]},
        shortfall={k: value_of[v.index] for k, v in h.shortfall.items() if value_of[v.index]},
    )


def safe_bound(value: float) -> float:
    """A bound in whole cents, rounded down past the LP's tolerance."""
    return math.ceil(value - 1e-6 * max(1.0, abs(value)) - 1e-6)
