"""A CP-SAT model of a Curtois-Qu instance, hinted by a quick greedy roster.

One boolean ``works(e, d, s)`` per employee, day and shift the employee may work; each rule family is its own
helper (the OR-Tools ``shift_scheduling_sat`` shape). The reported roster is always re-scored by the
independent evaluator (``scheduler.curtois.evaluate``); a disagreement is a bug and raises. The best known
values are never read here: the bound reported is what CP-SAT proves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.curtois.evaluate import Evaluation, evaluate
from scheduler.curtois.reader import Employee, Instance

MAX_WORKERS = 2  # the machine has 2 shared cores

_STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass(frozen=True)
class Result:
    """What a solve proves and finds; ``objective`` and ``roster`` are None when there is no plan (never -1)."""

    instance: str
    status: str
    objective: int | None
    best_bound: float | None
    time_to_first: float | None
    time_to_best: float | None
    wall_time: float
    time_limit: float
    workers: int
    seed: int
    roster: dict[str, list[str | None]] | None = None
    evaluation: Evaluation | None = None
    greedy_penalty: int | None = None
    greedy_feasible: bool = False
    stats: dict[str, Any] = field(default_factory=dict)

    def is_feasible(self) -> bool:
        return self.roster is not None

    @property
    def gap(self) -> float | None:
        """Relative gap to our own proven bound, (objective - bound) / objective."""
        if self.objective is None or self.best_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / self.objective)

    def summary(self) -> str:
        if self.objective is None:
            return f"{self.instance}: {self.status}, no plan in {self.wall_time:.1f} s"
        return (
            f"{self.instance}: {self.status} {self.objective}, bound {self.best_bound:g}, gap {self.gap:.2%}, "
            f"first plan {self.time_to_first:.1f} s, best {self.time_to_best:.1f} s, {self.wall_time:.1f} s wall"
        )


class CurtoisModel:
    """The CP-SAT model with its variables named after the rules they serve."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.model = cp_model.CpModel()
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.work: dict[tuple[str, int], cp_model.IntVar] = {}
        self.penalties: list[cp_model.LinearExprT] = []
        m = self.model
        for e in inst.staff:
            allowed = [s.id for s in inst.shifts if e.limit(s.id) > 0]
            for d in range(inst.horizon):
                w = m.new_bool_var(f"works(person={e.id}, day={d})")
                self.work[e.id, d] = w
                if d in e.days_off or not allowed:
                    m.add(w == 0)
                    continue
                day_vars = []
                for s in allowed:
                    v = m.new_bool_var(f"works(person={e.id}, day={d}, shift={s})")
                    self.x[e.id, d, s] = v
                    day_vars.append(v)
                m.add(sum(day_vars) == w)  # one shift a day
        for e in inst.staff:
            self._rotation(e)
            self._per_shift_limits(e)
            self._minutes(e)
            self._max_consecutive_shifts(e)
            self._min_runs(e)
            self._weekends(e)
        self._requests()
        self._cover()
        m.minimize(sum(self.penalties))

    def _x(self, e: str, d: int, s: str) -> cp_model.IntVar | int:
        return self.x.get((e, d, s), 0)

    def _rotation(self, e: Employee) -> None:
        """Forbidden successions inside the horizon only (the format assumes days off beyond both edges)."""
        for s in self.inst.shifts:
            for d in range(self.inst.horizon - 1):
                a = self.x.get((e.id, d, s.id))
                if a is None:
                    continue
                for t in s.forbidden_next:
                    b = self.x.get((e.id, d + 1, t))
                    if b is not None:
                        self.model.add_bool_or([a.Not(), b.Not()])

    def _per_shift_limits(self, e: Employee) -> None:
        for s in self.inst.shifts:
            terms = [self.x[k] for d in range(self.inst.horizon) if (k := (e.id, d, s.id)) in self.x]
            if len(terms) > e.limit(s.id):
                self.model.add(sum(terms) <= e.limit(s.id))

    def _minutes(self, e: Employee) -> None:
        minutes = sum(
            s.minutes * self.x[k]
            for s in self.inst.shifts
            for d in range(self.inst.horizon)
            if (k := (e.id, d, s.id)) in self.x
        )
        self.model.add_linear_constraint(minutes, e.min_minutes, e.max_minutes)

    def _max_consecutive_shifts(self, e: Employee) -> None:
        """Every window of MaxConsecutiveShifts + 1 days holds a day off (runs at the edges count in full)."""
        m, H = e.max_consecutive_shifts, self.inst.horizon
        for start in range(H - m):
            self.model.add(sum(self.work[e.id, d] for d in range(start, start + m + 1)) <= m)

    def _min_runs(self, e: Employee) -> None:
        """Forbid short runs of work (or rest) framed by the other kind on both sides inside the horizon.

        Runs touching day 0 or day H-1 are exempt: the format assumes infinite work and rest beyond the edges.
        """
        H = self.inst.horizon
        w = [self.work[e.id, d] for d in range(H)]
        for minimum, worked in ((e.min_consecutive_shifts, True), (e.min_consecutive_days_off, False)):
            for length in range(1, minimum):
                for first in range(1, H - length):  # frame days first-1 and first+length both inside
                    inner = [w[d] for d in range(first, first + length)]
                    frame = [w[first - 1], w[first + length]]
                    if worked:
                        self.model.add_bool_or([*frame, *(v.Not() for v in inner)])
                    else:
                        self.model.add_bool_or([*(v.Not() for v in frame), *inner])

    def _weekends(self, e: Employee) -> None:
        weekends = self.inst.weekends()
        if e.max_weekends >= len(weekends):
            return
        flags = []
        for k, days in enumerate(weekends):
            worked = self.model.new_bool_var(f"works_weekend(person={e.id}, weekend={k})")
            for d in days:
                self.model.add_implication(self.work[e.id, d], worked)
            flags.append(worked)
        self.model.add(sum(flags) <= e.max_weekends)

    def _requests(self) -> None:
        for r in self.inst.on_requests:
            self.penalties.append(r.weight * (1 - self._x(r.employee, r.day, r.shift)))
        for r in self.inst.off_requests:
            self.penalties.append(r.weight * self._x(r.employee, r.day, r.shift))

    def _cover(self) -> None:
        """Exact under/over counts (a max equality), so the objective equals the evaluator's penalty."""
        for c in self.inst.cover:
            n = sum(self._x(e, c.day, c.shift) for e in self.inst.employee_ids)
            under = self.model.new_int_var(0, c.requirement, f"missing(day={c.day}, shift={c.shift})")
            self.model.add_max_equality(under, [c.requirement - n, 0])
            over = n - c.requirement + under  # >= 0 by the max equality
            self.penalties.append(c.weight_under * under + c.weight_over * over)

    def roster(self, value) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {}
        for e in self.inst.staff:
            days: list[str | None] = [None] * self.inst.horizon
            for d in range(self.inst.horizon):
                for s in self.inst.shift_ids:
                    v = self.x.get((e.id, d, s))
                    if v is not None and value(v):
                        days[d] = s
            out[e.id] = days
        return out


def greedy_roster(inst: Instance) -> dict[str, list[str | None]]:
    """A quick day-by-day fill of the cover, respecting the per-day rules (rotation, limits, max runs, weekends).

    It ignores the minimum rules (minutes, runs), so it may be infeasible: it is only CP-SAT's hint.
    """
    H = inst.horizon
    roster: dict[str, list[str | None]] = {e.id: [None] * H for e in inst.staff}
    used = {(e.id, s.id): 0 for e in inst.staff for s in inst.shifts}
    minutes = {e.id: 0 for e in inst.staff}
    run = {e.id: 0 for e in inst.staff}
    weekends_used = {e.id: set() for e in inst.staff}
    wants = {(r.employee, r.day, r.shift): r.weight for r in inst.on_requests}
    refuses = {(r.employee, r.day, r.shift): r.weight for r in inst.off_requests}
    cover = {(c.day, c.shift): c.requirement for c in inst.cover}
    length = {s.id: s.minutes for s in inst.shifts}
    for d in range(H):
        weekend = (d // 7) if d % 7 in (5, 6) else None
        for sid in sorted(inst.shift_ids, key=lambda s: -cover.get((d, s), 0)):
            need = cover.get((d, sid), 0)

            def can(e: Employee, sid: str = sid, d: int = d, weekend: int | None = weekend) -> bool:
                prev = roster[e.id][d - 1] if d else None
                return (
                    roster[e.id][d] is None
                    and d not in e.days_off
                    and used[e.id, sid] < e.limit(sid)
                    and minutes[e.id] + length[sid] <= e.max_minutes
                    and run[e.id] < e.max_consecutive_shifts
                    and not (prev is not None and sid in inst.shift(prev).forbidden_next)
                    and (weekend is None or weekend in weekends_used[e.id] or len(weekends_used[e.id]) < e.max_weekends)
                )

            pool = [e for e in inst.staff if can(e)]
            pool.sort(
                key=lambda e, sid=sid: (
                    -wants.get((e.id, d, sid), 0) + refuses.get((e.id, d, sid), 0),
                    minutes[e.id] - e.min_minutes,
                )
            )
            for e in pool[:need]:
                roster[e.id][d] = sid
                used[e.id, sid] += 1
                minutes[e.id] += length[sid]
                if weekend is not None:
                    weekends_used[e.id].add(weekend)
        for e in inst.staff:
            run[e.id] = run[e.id] + 1 if roster[e.id][d] is not None else 0
    return roster


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, log) -> None:
        super().__init__()
        self.start = start
        self.log = log
        self.first: float | None = None
        self.best: float | None = None
        self.logged = -1.0

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.start
        if self.first is None:
            self.first = now
        self.best = now
        if self.log and now - self.logged >= 2.0:  # one line every 2 s at most
            self.logged = now
            self.log(f"  plan {self.objective_value:g} at {now:.1f} s (bound {self.best_objective_bound:g})")


def solve(
    instance: Instance,
    time_limit: float = 60.0,
    workers: int = MAX_WORKERS,
    seed: int = 0,
    log=None,
) -> Result:
    """Solve ``instance`` with CP-SAT within ``time_limit`` seconds and re-score the plan.

    Parameters
    ----------
    log
        Optional callable taking one line of progress (the CLI sends it to stderr).

    Raises
    ------
    RuntimeError
        When CP-SAT reports MODEL_INVALID, or the evaluator disagrees with the solver (a bug either way).
    """
    start = time.perf_counter()
    model = CurtoisModel(instance)
    greedy = greedy_roster(instance)
    greedy_eval = evaluate(instance, greedy)
    for (e, d, s), v in model.x.items():
        model.model.add_hint(v, greedy[e][d] == s)
    if log:
        verdict = "feasible" if greedy_eval.feasible else f"{len(greedy_eval.violations)} rules broken"
        built = time.perf_counter() - start
        log(f"  greedy hint: penalty {greedy_eval.penalty}, {verdict}; model built in {built:.1f} s")
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, min(workers, MAX_WORKERS))
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - start))
    solver.parameters.random_seed = seed
    progress = _Progress(start, log)
    code = solver.solve(model.model, progress)
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT: model invalid: {model.model.validate()}")
    status = _STATUS[code]
    wall = time.perf_counter() - start
    bound = solver.best_objective_bound if status in ("OPTIMAL", "FEASIBLE") else None
    roster = evaluation = objective = None
    if status in ("OPTIMAL", "FEASIBLE"):
        roster = model.roster(solver.boolean_value)
        evaluation = evaluate(instance, roster)
        objective = round(solver.objective_value)
        if not evaluation.feasible or evaluation.penalty != objective:
            raise RuntimeError(
                f"{instance.name}: the evaluator disagrees with CP-SAT ({evaluation.summary()} vs objective "
                f"{objective}): {list(evaluation.violations)[:3]}"
            )
    elif status == "UNKNOWN" and code != cp_model.INFEASIBLE:
        bound = solver.best_objective_bound if solver.best_objective_bound > float("-inf") else None
    return Result(
        instance=instance.name,
        status=status,
        objective=objective,
        best_bound=bound,
        time_to_first=progress.first,
        time_to_best=progress.best,
        wall_time=wall,
        time_limit=time_limit,
        workers=solver.parameters.num_workers,
        seed=seed,
        roster=roster,
        evaluation=evaluation,
        greedy_penalty=greedy_eval.penalty,
        greedy_feasible=greedy_eval.feasible,
        stats={"booleans": len(model.x), "constraints": len(model.model.proto.constraints)},
    )
