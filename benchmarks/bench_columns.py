"""Column generation over people's schedules: how far the Dantzig-Wolfe bound of the person-level model is
from the crew LP that `solve` reports, on a ladder size or a scenario file.

    .venv/bin/python benchmarks/bench_columns.py [S|M|SCENARIO] [--time-limit 600] [--pricing-limit 5]

The crew-level LP lets a crew's hours be shared out in any fractions, so it cannot see what one person's
week looks like: one shift a day between two 11 h rests, 35 h of weekly rest, six days, overtime paid per
person above 35 h. Here each named person (and each crew's hire slots, which are identical) contributes
whole schedules that obey every per-person rule of the person-level model (build's own rule functions, in a
CP-SAT model of one person: the pricing problem), and the crew-level model (coverage, presence, supervision,
agency) takes a convex combination of them (the master, an LP solved by GLOP: the HiGHS interface of
OR-Tools 9.15 returned no usable duals). The restricted master's value falls towards the Dantzig-Wolfe
bound as schedules are added; the Lagrangian bound printed with it holds at every iteration.

Prints one line per iteration: the restricted master's value, the Lagrangian bound, schedules added.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import FlatIntExpr

from scheduler import load_scenario
from scheduler.bench import SIZES, ladder_scenario
from scheduler.model import build
from scheduler.model.build import Handles, Unit, build_model
from scheduler.model.data import ModelData, compile_model_data
from scheduler.model.greedy import greedy_plan
from scheduler.model.lp import linear_solver
from scheduler.requirements import compute_requirements

PERSON_COSTS = ("fixed pay", "shifts", "overtime")  # the components a schedule carries itself


@dataclass(frozen=True)
class Schedule:
    """A column: the shifts one person of a group works over the horizon, and what they cost (cents)."""

    group: int
    shifts: tuple[int, ...]
    cost: int


@dataclass(frozen=True)
class Group:
    """People who share a pricing problem: one named person, or a crew's identical hire slots."""

    crew: int
    worker: int  # the representative worker index
    hire: bool
    least: int  # how many of the group are on the payroll at least
    most: int


@dataclass
class Pricing:
    """The CP-SAT model of one group's person: its shift variables and its schedule cost."""

    handles: Handles
    take: dict[int, cp_model.IntVar]
    own_cost: cp_model.LinearExprT  # shift prices and overtime, in cents
    fixed: int


@dataclass
class ColumnBound:
    """What column generation reached: its best Lagrangian bound and the last restricted master's value
    (cents; the Dantzig-Wolfe bound lies between them), and the schedules found."""

    bound: float | None
    master: float | None
    iterations: int
    seconds: float
    schedules: list[Schedule] = field(default_factory=list)
    converged: bool = False


def groups_of(data: ModelData) -> list[Group]:
    out = []
    for c, crew in enumerate(data.crews):
        out.extend(Group(c, w, False, 1, 1) for w in crew.existing)
        if crew.hires:
            out.append(Group(c, crew.hires[0], True, crew.hire_min, len(crew.hires)))
    return out


def pricing_model(data: ModelData, group: Group) -> Pricing:
    """One person under every per-person rule of the person-level model (build's rule functions)."""
    worker = data.workers[group.worker]
    unit = Unit(worker.id, group.crew, (group.worker,), group.hire)
    h = Handles(cp_model.CpModel(), data, "person", [unit])
    take = {i: h.model.new_bool_var(f"take[{i}]") for i in sorted(worker.shifts)}
    h.take.append(take)
    h.active.append(1)
    for rule in (
        build.shift_choice,
        build.daily_rest,
        build.weekly_hours,
        build.average_hours,
        build.working_days,
        build.night_workers,
        build.agreed_presence,
        build.overtime,
        build.weekly_rest,
    ):
        rule(h, 0)
    prices = worker.price_of
    own = sum(prices[i] * var for i, var in take.items() if prices.get(i)) + sum(h.costs["overtime"])
    return Pricing(h, take, own, worker.fixed_cost if group.hire else 0)


def _flat(expr) -> tuple[list[int], list[int], int]:
    flat = FlatIntExpr(expr)
    return [v.index for v in flat.vars], list(flat.coeffs), flat.offset


class Master:
    """The crew-level LP whose shift counts and crew sizes are tied to schedules of people."""

    def __init__(self, crew: Handles, groups: list[Group], penalty: float) -> None:
        data = crew.data
        self.groups = groups
        # The crew model's rows as they are; its objective without the costs a schedule carries itself.
        built = linear_solver(crew.model.proto, "GLOP", integer=False)
        if built is None:
            raise ValueError("the crew-level model has a row that is not linear")
        self.solver, self.columns = built
        s = self.solver
        inf = s.infinity()
        objective = s.Objective()
        objective.Clear()
        offset = crew.constant
        for name, terms in crew.costs.items():
            if name in PERSON_COSTS:
                continue
            for term in terms:
                variables, coeffs, constant = _flat(term)
                offset += constant
                for v, k in zip(variables, coeffs, strict=True):
                    column = self.columns[v]
                    objective.SetCoefficient(column, objective.GetCoefficient(column) + k)
        objective.SetOffset(offset)
        objective.SetMinimization()
        # Linking rows: a crew's count of a shift = the schedules' shifts; its size = people on the payroll.
        self.link: dict[tuple[int, int], pywraplp.Constraint] = {}
        by_crew: dict[int, list[int]] = defaultdict(list)
        for u, unit in enumerate(crew.units):
            by_crew[unit.crew].append(u)
        for c, units in by_crew.items():
            shifts = sorted({i for u in units for i in crew.take[u]})
            for i in shifts:
                row = s.Constraint(0, 0)
                for u in units:
                    if i in crew.take[u]:
                        row.SetCoefficient(self.columns[crew.take[u][i].index], 1)
                spare = s.NumVar(0, inf, f"spare[{c}|{i}]")  # priced high: keeps the first masters feasible
                row.SetCoefficient(spare, -1)
                objective.SetCoefficient(spare, penalty)
                self.link[(c, i)] = row
        self.size: dict[int, pywraplp.Constraint] = {}
        for c, units in by_crew.items():
            fixed = sum(crew.active[u] for u in units if isinstance(crew.active[u], int))
            row = s.Constraint(len(data.crews[c].existing) - fixed, len(data.crews[c].existing) - fixed)
            for u in units:
                if not isinstance(crew.active[u], int):
                    row.SetCoefficient(self.columns[crew.active[u].index], 1)
            if any(not isinstance(crew.active[u], int) for u in units):
                spare = s.NumVar(0, inf, f"spare[{c}]")  # a person without a schedule yet, priced high
                row.SetCoefficient(spare, -1)
                objective.SetCoefficient(spare, penalty)
            self.size[c] = row
        self.convexity = [s.Constraint(g.least, g.most) for g in groups]
        self.schedules: list[Schedule] = []
        self.lambdas: list[pywraplp.Variable] = []
        self.known: set[tuple[int, tuple[int, ...]]] = set()

    def add(self, schedule: Schedule) -> bool:
        key = (schedule.group, schedule.shifts)
        if key in self.known:
            return False
        self.known.add(key)
        group = self.groups[schedule.group]
        var = self.solver.NumVar(0, self.solver.infinity(), f"l{len(self.lambdas)}")
        self.solver.Objective().SetCoefficient(var, schedule.cost)
        for i in schedule.shifts:
            self.link[(group.crew, i)].SetCoefficient(var, -1)
        if group.hire:
            self.size[group.crew].SetCoefficient(var, -1)
        self.convexity[schedule.group].SetCoefficient(var, 1)
        self.schedules.append(schedule)
        self.lambdas.append(var)
        return True

    def solve(self, time_limit: float) -> int:
        """GLOP's status (OPTIMAL when the duals may be read)."""
        self.solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        self.solver.SuppressOutput()
        return self.solver.Solve()

    def value(self) -> float:
        return self.solver.Objective().Value()

    def prices(self, group: Group) -> tuple[dict[int, float], float]:
        """What the master pays for each shift of the group's crew, and for one more person on it."""
        c = group.crew
        shift_price = {i: -row.dual_value() for (crew, i), row in self.link.items() if crew == c}
        person = -self.size[c].dual_value() if group.hire else 0.0
        return shift_price, person


def _reduced(pricing: Pricing, shift_price: dict[int, float], person: float, scale: int):
    """The pricing objective: schedule cost minus what the master pays for it, in 1/scale cents."""
    pay = sum(round(shift_price.get(i, 0.0) * scale) * var for i, var in pricing.take.items())
    return scale * pricing.own_cost - pay, round((pricing.fixed - person) * scale)


def column_bound(
    data: ModelData,
    crew: Handles,
    starts: list[tuple[int, tuple[int, ...]]],
    time_limit: float,
    *,
    pricing_limit: float = 2.0,
    columns_per_pricing: int = 5,
    tolerance: float = 1e-4,
    progress=None,
) -> ColumnBound:
    """Generate schedules until none prices out (or time runs out); the best Lagrangian bound on the way.

    ``starts`` are (worker, shifts) schedules of a known plan, to start the master with.
    """
    started = time.perf_counter()
    groups = groups_of(data)
    group_of_worker = {}
    for g, group in enumerate(groups):
        if group.hire:
            for w in data.crews[group.crew].hires:
                group_of_worker[w] = g
        else:
            group_of_worker[group.worker] = g
    penalty = 2.0 * max((w.fixed_cost for w in data.workers), default=1) + 1
    master = Master(crew, groups, penalty)
    pricings = [pricing_model(data, g) for g in groups]
    for w, shifts in starts:
        g = group_of_worker.get(w)
        if g is not None:
            master.add(_schedule_of(pricings[g], g, shifts))
    for g, group in enumerate(groups):  # a named person nobody's plan used: their cheapest legal schedule
        if not group.hire and not any(s.group == g for s in master.schedules):
            _, _, pool = _solve_pricing(pricings[g], pricings[g].own_cost, pricing_limit, 1)
            if pool.found:
                master.add(_schedule_of(pricings[g], g, pool.found[-1]))
    best_bound = None
    z = None
    iterations = 0
    converged = False
    scale = 100
    while time.perf_counter() - started < time_limit:
        status = master.solve(max(1.0, time_limit - (time.perf_counter() - started)))
        if status != pywraplp.Solver.OPTIMAL:
            if progress:
                progress(f"[columns] master not solved: status {status}")
            break
        iterations += 1
        z = master.value()
        lagrange = z
        exact = True  # every pricing proved optimal: no schedule left out prices out
        duals = [(*master.prices(group), master.convexity[g].dual_value()) for g, group in enumerate(groups)]
        used = defaultdict(float)
        for k, schedule in enumerate(master.schedules):
            used[schedule.group] += master.lambdas[k].solution_value()
        fresh: list[Schedule] = []
        for g, group in enumerate(groups):
            shift_price, person, mu = duals[g]
            pricing = pricings[g]
            variable, constant = _reduced(pricing, shift_price, person, scale)
            status, solver, pool = _solve_pricing(pricing, variable + constant, pricing_limit, columns_per_pricing)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                exact = False  # no bound of this pricing: no Lagrangian bound this round
                lagrange = -float("inf")
                continue
            converged_here = status == cp_model.OPTIMAL
            # CP-SAT's bound holds whether or not it proved its schedule optimal; prices rounded to 1/scale
            # cent move each taken shift's price by half of that at most.
            d = (solver.best_objective_bound - 0.5 * (data.scenario.grid.days + 1)) / scale
            lagrange += min(group.least * d, group.most * d) - mu * used[g]
            for shifts in pool.found:
                schedule = _schedule_of(pricing, g, shifts)
                paid = sum(shift_price.get(i, 0.0) for i in shifts) + (person if group.hire else 0.0)
                if schedule.cost - paid - mu < -tolerance * max(1.0, abs(z)) / 100:
                    fresh.append(schedule)
            exact = exact and converged_here
        added = sum(master.add(schedule) for schedule in fresh)
        if lagrange > -float("inf"):
            best_bound = lagrange if best_bound is None else max(best_bound, lagrange)
        if progress:
            progress(f"[columns] iteration {iterations}: master {z / 100:,.2f}, bound {lagrange / 100:,.2f}, +{added}")
        if added == 0:
            converged = exact
            break
    return ColumnBound(
        best_bound,
        z,
        iterations,
        time.perf_counter() - started,
        list(master.schedules),
        converged,
    )


def _solve_pricing(pricing: Pricing, objective, time_limit: float, keep: int):
    """Minimise ``objective`` over one person's legal schedules; the status, the solver and the last ``keep``
    schedules found."""
    pricing.handles.model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    pool = _Pool(pricing, keep)
    return solver.solve(pricing.handles.model, pool), solver, pool


class _Pool(cp_model.CpSolverSolutionCallback):
    """Keeps the last few schedules the pricing search found (each better than the one before)."""

    def __init__(self, pricing: Pricing, keep: int) -> None:
        super().__init__()
        self.pricing = pricing
        self.keep = keep
        self.found: list[tuple[int, ...]] = []

    def on_solution_callback(self) -> None:
        shifts = tuple(i for i, var in self.pricing.take.items() if self.value(var))
        self.found = [*self.found, shifts][-self.keep :]


def _schedule_of(pricing: Pricing, g: int, shifts: tuple[int, ...]) -> Schedule:
    """The cost of a schedule, by fixing it in the pricing model (overtime needs the weeks' hours)."""
    model = pricing.handles.model.clone()
    for i, var in pricing.take.items():
        model.add(model.get_bool_var_from_proto_index(var.index) == int(i in shifts))
    model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    cost = model.new_int_var(0, 10**12, "cost")
    variables, coeffs, offset = _flat(pricing.own_cost)  # the cost on the clone's own variables
    terms = (k * model.get_int_var_from_proto_index(v) for v, k in zip(variables, coeffs, strict=True))
    model.add(cost == sum(terms) + offset)
    model.minimize(cost)
    status = solver.solve(model)
    if status != cp_model.OPTIMAL:
        raise ValueError(f"schedule {shifts} breaks a per-person rule")
    return Schedule(g, tuple(sorted(shifts)), int(solver.value(cost)) + pricing.fixed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default="S", help="a ladder size (S, M, L, XL) or a scenario file")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--pricing-limit", type=float, default=5.0, help="seconds per pricing problem")
    args = parser.parse_args()
    scenario = ladder_scenario(args.target) if args.target in SIZES else load_scenario(args.target)
    data = compile_model_data(scenario, compute_requirements(scenario))
    started = time.perf_counter()
    crew = build_model(data, "crew")
    start, _ = greedy_plan(data)  # its schedules are legal: they start the master
    starts = [(w, shifts) for w, shifts in start.shifts.items() if not data.workers[w].hire or w in start.hired]

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - started:7.1f} s {message}", flush=True)

    result = column_bound(data, crew, starts, args.time_limit, pricing_limit=args.pricing_limit, progress=progress)
    bound = "none" if result.bound is None else f"{result.bound / 100:,.2f} EUR"
    master = "none" if result.master is None else f"{result.master / 100:,.2f} EUR"
    print(
        f"{args.target}: {result.iterations} iterations in {result.seconds:.1f} s, {len(result.schedules)} schedules, "
        f"restricted master {master}, Lagrangian bound {bound}, "
        + ("converged" if result.converged else "not converged")
    )


if __name__ == "__main__":
    main()
