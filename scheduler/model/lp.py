"""The LP relaxation of the crew-level model, and the plan it suggests (RENS).

Measured on the retailer example (4 weeks, 60-minute slots): CP-SAT's own search found no plan within 40 s
and, started from the greedy plan, ended near 86 k; GLOP solves the LP relaxation in 6-7 s (value 60.4 k),
and CP-SAT given the model with every variable the LP left integral fixed and the others limited to their
floor or ceiling (relaxation enforced neighbourhood search) finds a 64.1 k plan in 15 s. Shift-covering
LPs are close to integral, so the sub-problem is small and its plans are good starting points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.model.build import Handles


@dataclass(frozen=True)
class Relaxation:
    """An optimal LP solution of a model: its value (a lower bound of the model) and variable values."""

    value: float
    values: list[float]


def linear_solver(proto, solver_id: str, integer: bool) -> tuple[pywraplp.Solver, list] | None:
    """A CP-SAT model of plain linear rows as an OR-Tools linear solver (GLOP for its LP relaxation, a MIP
    solver such as HiGHS or SCIP with ``integer``), with its columns; None when the solver is missing or a
    constraint is not a plain linear row (enforced rows, clauses)."""
    if any(not c.has_linear() or c.enforcement_literal for c in proto.constraints):
        return None
    solver = pywraplp.Solver.CreateSolver(solver_id)
    if solver is None:
        return None
    infinity = solver.infinity()
    column = solver.IntVar if integer else solver.NumVar
    columns = []
    for i, var in enumerate(proto.variables):
        domain = list(var.domain)  # the proto's repeated field has no negative indexing
        columns.append(column(domain[0], domain[-1], f"x{i}"))
    for constraint in proto.constraints:
        linear = constraint.linear
        domain = list(linear.domain)
        lo = -infinity if domain[0] <= -(2**62) else domain[0]
        hi = infinity if domain[-1] >= 2**62 else domain[-1]
        row = solver.Constraint(lo, hi)
        for var, coef in zip(linear.vars, linear.coeffs, strict=True):
            row.SetCoefficient(columns[var], coef)
    objective = solver.Objective()
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(columns[var], coef)
    objective.SetOffset(proto.objective.offset)
    objective.SetMinimization()
    return solver, columns


def lp_relaxation(h: Handles, time_limit: float) -> Relaxation | None:
    """Solve the LP relaxation with HiGHS (GLOP's dual simplex if this OR-Tools build lacks it); None if not
    solved to optimality in time or if the model has constraints that are not plain linear rows (enforced
    rows, clauses). Measured on 2026-12-01 (a slow day of this machine), same values: ladder M 13.9 s with
    HiGHS, 32.4 s with GLOP; the retailer 8.8 s and 9-11 s."""
    if time_limit <= 0:
        return None
    highs = pywraplp.Solver.CreateSolver("HIGHS") is not None
    built = linear_solver(h.model.proto, "HIGHS" if highs else "GLOP", integer=False)
    if built is None:
        return None
    solver, columns = built
    solver.SuppressOutput()
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    if highs:  # HiGHS writes its banner to stdout (where --format json goes) unless told not to, and with
        # solver parameters passed it writes it anyway: it runs with its defaults
        solver.SetSolverSpecificParametersAsString("output_flag = false")
        status = solver.Solve()
    else:
        params = pywraplp.MPSolverParameters()
        params.SetIntegerParam(pywraplp.MPSolverParameters.LP_ALGORITHM, pywraplp.MPSolverParameters.DUAL)
        status = solver.Solve(params)
    if status != pywraplp.Solver.OPTIMAL:
        return None
    return Relaxation(solver.Objective().Value(), [c.solution_value() for c in columns])


def lp_bound(relaxation: Relaxation) -> float:
    """A safe lower bound from the LP value (objective in whole cents, LP solved to a 1e-6 tolerance)."""
    return math.ceil(relaxation.value - 1e-6 * max(1.0, abs(relaxation.value)) - 1e-6)


def decisions(h: Handles) -> list[cp_model.IntVar]:
    """The variables a plan is made of: shift counts, crew sizes and agency bookings."""
    out = [var for take in h.take for var in take.values()]
    out += [a for a in h.active if not isinstance(a, int)]
    out += [var for blocks in h.agency.values() for var in blocks.values()]
    return out


def rens_model(h: Handles, relaxation: Relaxation) -> cp_model.CpModel:
    """A copy of the model where each decision stays between the floor and the ceiling of its LP value."""
    model = h.model.clone()
    for var in decisions(h):
        value = relaxation.values[var.index]
        lo, hi = math.floor(value + 1e-6), math.ceil(value - 1e-6)
        copy = model.get_int_var_from_proto_index(var.index)
        if lo == hi:
            model.add(copy == lo)
        else:
            model.add_linear_constraint(copy, lo, hi)
    return model


def highs_model(proto, integer: bool, highs=None):
    """A CP-SAT model of plain linear rows as a HiGHS model (``highspy``), integer columns with ``integer``;
    None when a constraint is not a plain linear row. Domains with holes are read as their hull (a
    relaxation, so bounds from it stay valid). ``highs``: the instance to fill (a quiet one: see
    ``scheduler.engine.master.quiet_highs``)."""
    import highspy
    import numpy as np

    if any(not c.has_linear() or c.enforcement_literal for c in proto.constraints):
        return None
    highs = highs if highs is not None else highspy.Highs()
    highs.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    n = len(proto.variables)
    domains = [list(v.domain) for v in proto.variables]  # the repeated field has no negative indexing
    lower = np.array([d[0] for d in domains], dtype=np.float64)
    upper = np.array([d[-1] for d in domains], dtype=np.float64)
    highs.addVars(n, lower, upper)
    cost = np.zeros(n)
    np.add.at(cost, np.asarray(proto.objective.vars, dtype=np.int64), np.asarray(proto.objective.coeffs, float))
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    row_lower, row_upper, starts, index, value = [], [], [], [], []
    for c in proto.constraints:
        domain = list(c.linear.domain)
        row_lower.append(-inf if domain[0] <= -(2**62) else domain[0])
        row_upper.append(inf if domain[-1] >= 2**62 else domain[-1])
        starts.append(len(index))
        index.extend(c.linear.vars)
        value.extend(c.linear.coeffs)
    if row_lower:
        highs.addRows(
            len(row_lower),
            np.array(row_lower, dtype=np.float64),
            np.array(row_upper, dtype=np.float64),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
        )
    if integer:
        kinds = np.full(n, highspy.HighsVarType.kInteger, dtype=np.uint8)
        highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds)
    return highs
