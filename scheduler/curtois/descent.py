"""Best responses: re-roster one employee at a time against everyone else's schedules, by the same labeling.

Cover is the only thing employees share, and it is soft: with the others fixed, adding one employee to a cell
lowers the penalty by its under weight while the cell is short and raises it by its over weight once it is
met, so the penalty of the whole roster is a constant plus one employee's own labeling cost at those cell
values. Each best response therefore never makes the roster worse, and a pass where no employee changes is a
local optimum. From no roster at all, the same step builds one employee after another (a greedy roster).
Ruin and recreate (re-roster a few employees together, in a random order) leaves such optima; it is kept
only when the roster is cheaper.

This gives a legal roster fast on instances whose column generation gives none in its time (the long
horizons), and polishes the roster of one that does.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from scheduler.curtois.evaluate import Roster
from scheduler.curtois.labeling import KEY_LIMIT, EmployeeRules, price
from scheduler.curtois.reader import Instance

RUIN_SHARE = 0.1  # of the employees re-rostered together in a ruin and recreate step
TOLERANCE = 1e-6
MAX_REPAIRS = 4  # re-pricings of one best response that bars shifts worked beyond a cap left out of the labels
WIDER = 10  # the beam's width, times the usual, for an employee the usual one leaves without a schedule


class Cover:
    """Each cover cell's requirement and weights as (day, shift) arrays, and how many the roster puts there."""

    def __init__(self, instance: Instance) -> None:
        shape = (instance.days, len(instance.shifts))
        names = instance.shift_names
        self.need = np.zeros(shape, dtype=np.int64)
        self.under = np.zeros(shape)
        self.over = np.zeros(shape)
        for c in instance.cover:
            s = names.index(c.shift)
            self.need[c.day, s] = c.requirement
            self.under[c.day, s] = c.weight_under
            self.over[c.day, s] = c.weight_over
        self.covered = np.zeros(shape, dtype=np.int64)

    def put(self, schedule: np.ndarray, amount: int) -> None:
        days = np.nonzero(schedule >= 0)[0]
        np.add.at(self.covered, (days, schedule[days]), amount)

    def values(self) -> np.ndarray:
        """What one more employee on each cell is worth: its under weight while short, minus its over weight."""
        return np.where(self.covered < self.need, self.under, -self.over)

    def penalty(self) -> float:
        short = np.maximum(self.need - self.covered, 0)
        extra = np.maximum(self.covered - self.need, 0)
        return float((short * self.under).sum() + (extra * self.over).sum())


def own_cost(rules: EmployeeRules, schedule: np.ndarray, values: np.ndarray | None = None) -> float:
    """A schedule's labeling cost at these cell values: its requests, less the values of the cells it works
    (no values: its requests alone, the schedule's own penalty)."""
    days = np.arange(schedule.shape[0])
    work = schedule >= 0
    worked = rules.request_work[days[work], schedule[work]]
    if values is not None:
        worked = worked - values[days[work], schedule[work]]
    return float(worked.sum() + rules.request_off[days[~work]].sum())


def roster_of(instance: Instance, schedules: list[np.ndarray]) -> Roster:
    """The roster of one schedule (shift indices, -1 off) per employee, in the instance's order."""
    names = instance.shift_names
    return {
        e.name: tuple(None if x < 0 else names[x] for x in s)
        for e, s in zip(instance.employees, schedules, strict=True)
    }


def fitted(rules: EmployeeRules) -> tuple[EmployeeRules, tuple[tuple[int, int], ...]]:
    """Rules whose labels fit the kernel's key: the largest shift caps (the last to bind) left out of the
    labels until the key fits, with those caps as (shift, cap) for ``capped`` to enforce."""
    dropped: list[tuple[int, int]] = []
    while rules.key_space > KEY_LIMIT and len(rules.cap_value):
        q = int(np.argmax(rules.cap_value))
        dropped += [(int(t), int(rules.cap_value[q])) for t in np.flatnonzero(rules.cap_index == q)]
        index = rules.cap_index.copy()
        index[index == q] = -1
        index[index > q] -= 1
        rules = replace(rules, cap_index=index, cap_value=np.delete(rules.cap_value, q))
    return rules, tuple(dropped)


def capped(
    rules: EmployeeRules,
    dropped: tuple[tuple[int, int], ...],
    values: np.ndarray,
    labels: int,
    repairs: int = MAX_REPAIRS,
) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest schedule (and its cost) that also keeps the caps left out of the labels: while a shift
    is worked more often than its cap, it is barred on its least valuable days and the schedule priced again;
    after ``repairs`` tries, each such shift is allowed on its most valuable days only, as many as its cap.
    A heuristic; every schedule it returns is legal."""
    if not dropped:
        return price(rules, values, 1, labels)[:2]
    allowed = rules.allowed.copy()
    cost = rules.request_work - values  # a higher cost: a day worth less
    for repair in range(repairs + 1):
        if repair == repairs:  # the last try: each such shift allowed on no more days than its cap
            for t, cap in dropped:
                days = np.flatnonzero(allowed[:, t])
                allowed[days[np.argsort(cost[days, t])[cap:]], t] = False
        schedules, costs, _ = price(replace(rules, allowed=allowed), values, 1, labels)
        if not len(costs):
            return schedules, costs
        schedule = schedules[0]
        over = [(t, cap) for t, cap in dropped if (schedule == t).sum() > cap]
        if not over:
            return schedules, costs
        for t, cap in over:
            days = np.flatnonzero(schedule == t)
            allowed[days[np.argsort(-cost[days, t])[: len(days) - cap]], t] = False
    return schedules[:0], costs[:0]


class Responses:
    """A roster as one schedule per employee (an array of shift indices, -1 off), improved in place."""

    def __init__(self, instance: Instance, rules: list[EmployeeRules], labels: int, seed: int = 0) -> None:
        self.instance, self.rules, self.labels = instance, rules, labels
        self.fitted = [fitted(r) for r in rules]
        self.cover = Cover(instance)
        self.schedules: list[np.ndarray | None] = [None] * len(rules)
        self.rng = np.random.default_rng(seed)
        self.responses = 0  # best responses priced, for the log

    @property
    def complete(self) -> bool:
        return all(s is not None for s in self.schedules)

    def penalty(self) -> float:
        """The roster's penalty: every employee's requests and the cover's under and over staffing."""
        own = sum(own_cost(r, s) for r, s in zip(self.rules, self.schedules, strict=True) if s is not None)
        return own + self.cover.penalty()

    def roster(self) -> Roster:
        return roster_of(self.instance, self.schedules)

    def load(self, roster: Roster) -> None:
        """Start from this roster (every employee's schedule replaced)."""
        index = {name: i for i, name in enumerate(self.instance.shift_names)}
        for e, employee in enumerate(self.instance.employees):
            days = roster[employee.name]
            self.set(e, np.array([-1 if s is None else index[s] for s in days], dtype=np.int64))

    def set(self, employee: int, schedule: np.ndarray | None) -> None:
        old = self.schedules[employee]
        if old is not None:
            self.cover.put(old, -1)
        self.schedules[employee] = schedule
        if schedule is not None:
            self.cover.put(schedule, 1)

    def respond(self, employee: int) -> bool:
        """Give the employee their cheapest schedule against the others; whether it changed the roster."""
        old = self.schedules[employee]
        self.set(employee, None)
        values = self.cover.values()
        # a first schedule goes straight to the caps' last try (on Instance 24 best responses took 1-1.7 s each)
        repairs = 0 if old is None else MAX_REPAIRS
        schedules, costs = capped(*self.fitted[employee], values, self.labels, repairs)
        if not len(costs) and old is None:  # the beam cut every label that would have lived: a wider one
            schedules, costs = capped(*self.fitted[employee], values, WIDER * self.labels, repairs)
        self.responses += 1
        better = len(costs) > 0 and (old is None or costs[0] < own_cost(self.rules[employee], old, values) - TOLERANCE)
        self.set(employee, schedules[0] if better else old)
        return better

    def descend(self, deadline: float, order: list[int] | None = None) -> bool:
        """Best responses in turn until a whole pass changes nothing (a local optimum) or the deadline; whether
        it reached the optimum. Employees without a schedule go first: a roster cut off by an earlier deadline is
        finished before anyone is re-priced (on Instance 24 the first pass takes 46 s; re-pricing the first
        employees again, with the caps' repairs, pushed its first roster past 60 s)."""
        order = list(range(len(self.rules))) if order is None else order
        order = [e for e in order if self.schedules[e] is None] + [e for e in order if self.schedules[e] is not None]
        while True:
            changed = False
            for e in order:
                if time.perf_counter() > deadline:
                    return False
                changed |= self.respond(e)
            if not changed:
                return True

    def improve(self, deadline: float) -> None:
        """Descend, then ruin and recreate until the deadline, keeping every step that lowers the penalty."""
        if not self.descend(deadline):
            return
        best = self.penalty()
        n = len(self.rules)
        while time.perf_counter() < deadline:
            saved = list(self.schedules)
            ruined = self.rng.choice(n, size=max(2, round(RUIN_SHARE * n)), replace=False)
            for e in ruined:
                self.set(e, None)
            order = [int(e) for e in self.rng.permutation(ruined)]
            self.descend(deadline, order)
            complete = self.complete and self.descend(deadline)
            value = self.penalty() if self.complete else np.inf
            if complete and value < best - TOLERANCE:
                best = value
                continue
            for e, schedule in enumerate(saved):  # back to the roster before the step
                self.set(e, schedule)
