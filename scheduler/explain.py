"""Why no legal plan exists, in words: the smallest set of rules and needs that conflict.

Each rule family (per person and week, or per person over the horizon), each slot's need and each presence
floor is switched on by its own literal; the model is solved with all of them assumed, and CP-SAT's
sufficient assumptions are shrunk to a minimal conflicting set with QuickXplain (divide and conquer: a few
feasibility checks per reason kept) within a time budget. Rules come before slot needs in its order, so an
explanation names the rules and only the slots that matter.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.model.build import Gate, Handles, build_model
from scheduler.model.data import ModelData

PER_SLOT = ("coverage", "presence", "backlog")


@dataclass(frozen=True)
class Explanation:
    """The conflicting rules and needs, and whether the set was proven minimal within the budget."""

    reasons: tuple[str, ...]
    minimal: bool
    gates: tuple[Gate, ...]


def explain(data: ModelData, time_limit: float = 20.0, level: str = "person") -> Explanation | None:
    """Explain an infeasible scenario; None when the model turns out feasible or nothing was proven."""
    deadline = time.perf_counter() + time_limit
    h = build_model(data, level, explain=True)  # type: ignore[arg-type]
    h.model.clear_objective()  # only whether a plan exists matters
    status, core = _solve(h, list(h.gates), deadline, first=True)
    if status != cp_model.INFEASIBLE and level == "person" and time.perf_counter() < deadline:
        # Measured on small_company (4 weeks): the person level did not prove the conflict in 5 s, the crew
        # level (a relaxation: its conflicts are real ones) in under a second.
        return explain(data, deadline - time.perf_counter(), "crew")
    if status != cp_model.INFEASIBLE:
        return None
    # Rules first, slot needs last: QuickXplain keeps the earliest candidates it can, so a conflict is told
    # in terms of rules and only the slots that matter.
    order = sorted(core, key=lambda i: (h.gates[i].family in PER_SLOT, h.gates[i].family, i))
    undecided = [False]

    def infeasible(assumed: list[int]) -> bool:
        if time.perf_counter() > deadline:
            undecided[0] = True
            return False
        status, _ = _solve(h, assumed, deadline)
        if status not in (cp_model.INFEASIBLE, cp_model.FEASIBLE, cp_model.OPTIMAL):
            undecided[0] = True
        return status == cp_model.INFEASIBLE

    kept = _quickxplain([], False, order, infeasible)
    if undecided[0]:
        kept = sorted(kept or order)  # undecided: keep every candidate rather than claim too few
    gates = tuple(h.gates[i] for i in sorted(kept, key=lambda i: _sort_key(h.gates[i])))
    return Explanation(tuple(_sentences(data, h, gates)), not undecided[0], gates)


def _quickxplain(background: list[int], changed: bool, candidates: list[int], infeasible) -> list[int]:
    """Junker's QuickXplain: a minimal subset of ``candidates`` that, with ``background``, is infeasible."""
    if changed and infeasible(background):
        return []
    if len(candidates) <= 1:
        return list(candidates)
    half = len(candidates) // 2
    first, second = candidates[:half], candidates[half:]
    keep_second = _quickxplain(background + first, bool(first), second, infeasible)
    keep_first = _quickxplain(background + keep_second, bool(keep_second), first, infeasible)
    return keep_first + keep_second


def _solve(h: Handles, assumed: list[int], deadline: float, first: bool = False) -> tuple[int, list[int]]:
    h.model.clear_assumptions()
    h.model.add_assumptions([h.model.get_bool_var_from_proto_index(i) for i in assumed])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.linearization_level = 2  # the LP proves covering conflicts far sooner
    left = deadline - time.perf_counter()
    # The first solve (every assumption) may take half the time; each QuickXplain step at most 5 s.
    solver.parameters.max_time_in_seconds = max(0.1, left / 2 if first else min(5.0, left))
    status = solver.solve(h.model)
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == cp_model.INFEASIBLE else []
    return status, core


def _sort_key(gate: Gate) -> tuple:
    return (gate.family not in PER_SLOT, gate.family, gate.who, gate.when)


def _sentences(data: ModelData, h: Handles, gates: tuple[Gate, ...]) -> list[str]:
    """One sentence per group: slot needs with who could have worked then; rules with their article."""
    out = []
    grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for gate in gates:
        if gate.family in PER_SLOT:
            out.append(f"{gate.when}: {gate.who} needs {gate.text} ({gate.reference}); {_who_could(data, gate)}.")
        else:
            grouped[(gate.family, gate.who, gate.text, gate.reference)].append(gate.when)
    for (_family, who, text, reference), whens in grouped.items():
        when = ", ".join(w for w in whens if w)
        where = f" ({when})" if when else ""
        out.append(f"{who}{where}: {text} ({reference}).")
    return out


def _who_could(data: ModelData, gate: Gate) -> str:
    """Who can serve the need at that time, and why the others cannot."""
    slot = _slot_of(data, gate.when)
    streams = [s for s in gate.who.split("+") if s in data.scenario.spec.streams]
    skills = {data.stream_skill(s) for s in streams}
    can, cannot = [], []
    for name, role in data.scenario.spec.roles.items():
        if not skills & set(role.skills) or role.kind == "trainee":
            continue
        if name in data.agency:
            info = data.agency[name]
            label = "the agency" if name == "agency" else f"the agency {name}"
            can.append(f"{label} (at most {info.max_concurrent} at a time)")
            continue
        members = [w for w in data.workers if w.role == name]
        if slot is not None and not any(
            data.shifts[name][i].start <= slot < data.shifts[name][i].end for w in members for i in w.shifts
        ):
            cannot.append(f"{name} ({_why_not(data, name, slot)})")
        else:
            existing = sum(1 for w in members if not w.hire)
            hires = sum(1 for w in members if w.hire)
            can.append(f"{name} ({existing} on the payroll, up to {hires} to hire)")
    parts = []
    if can:
        parts.append("able to work then: " + "; ".join(can))
    if cannot:
        parts.append("not allowed then: " + "; ".join(cannot))
    return ", ".join(parts) if parts else "nobody has the skill"


def _why_not(data: ModelData, role_name: str, slot: int) -> str:
    role = data.scenario.spec.roles[role_name]
    grid = data.scenario.grid
    reasons = []
    if grid.is_sunday[slot] and not role.sunday_work:
        reasons.append("no Sunday work")
    if data.scenario.night_slots[slot] and not role.night_work:
        reasons.append("no night work")
    if not reasons:
        reasons.append(f"shifts start {role.shifts.earliest_start}-{role.shifts.latest_start}")
    return ", ".join(reasons)


def _slot_of(data: ModelData, label: str) -> int | None:
    grid = data.scenario.grid
    for t in range(grid.n_slots):
        start = grid.instant(t)
        if label.startswith(f"{start:%a %d %b %H:%M}"):
            return t
    return None
