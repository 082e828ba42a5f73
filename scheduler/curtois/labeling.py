"""Exact pricing for one employee: a forward labeling over days, compiled with numba.

A label is one partial schedule's resource state packed into an int64 key:
``pos`` (never worked yet / off-run length / last shift and work-run length), minutes worked (in units of the
shifts' gcd), weekends worked and the counts of the shift types whose cap can bind. Two labels with the same key
have the same set of legal completions, so keeping the cheaper one is exact (dominance by equality). Keys are
deduplicated each day by sorting. Rules follow evaluate.py: min runs bind only on runs bounded by a day off on
both sides inside the horizon, nothing carries across the horizon edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from scheduler.curtois.reader import Employee, Instance

KEY_LIMIT = 2**62  # the packed key must fit an int64


@dataclass(frozen=True)
class EmployeeRules:
    """One employee's hard rules as arrays for the kernel; costs come per call."""

    employee: str
    allowed: np.ndarray  # (days, shifts) bool: fixed days off and zero caps removed
    forbidden: np.ndarray  # (shifts, shifts) bool: forbidden[s, t] when t may not follow s
    minutes: np.ndarray  # (shifts,) int64 in units of the gcd
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int
    cap_index: np.ndarray  # (shifts,) int64: which tracked cap a shift counts towards, -1 if none binds
    cap_value: np.ndarray  # (tracked,) int64
    request_work: np.ndarray  # (days, shifts) float64: request penalty of working s on day d
    request_off: np.ndarray  # (days,) float64: request penalty of a day off

    @property
    def key_space(self) -> int:
        """Number of distinct keys; above KEY_LIMIT the kernel cannot be used."""
        positions = 1 + max(self.min_days_off, 1) + len(self.minutes) * self.max_consecutive
        space = positions * (self.max_minutes + 1) * (self.max_weekends + 1)
        for c in self.cap_value:
            space *= int(c) + 1
        return space


def employee_rules(instance: Instance, emp: Employee) -> EmployeeRules:
    """Arrays of one employee's rules; caps that cannot bind (by days or minutes) are not tracked."""
    H, S = instance.days, len(instance.shifts)
    names = instance.shift_names
    g = 0
    for s in instance.shifts:
        g = np.gcd(g, s.minutes)
    g = int(g)
    minutes = np.array([s.minutes // g for s in instance.shifts], dtype=np.int64)
    allowed = np.ones((H, S), dtype=np.bool_)
    for d in emp.days_off:
        allowed[d, :] = False
    forbidden = np.zeros((S, S), dtype=np.bool_)
    for i, s in enumerate(instance.shifts):
        for t in s.forbidden_next:
            forbidden[i, names.index(t)] = True
    free_days = H - len(emp.days_off)
    cap_index = np.full(S, -1, dtype=np.int64)
    caps: list[int] = []
    max_units = emp.max_minutes // g
    for i, s in enumerate(instance.shifts):
        cap = emp.max_shifts[s.name]
        if cap == 0:
            allowed[:, i] = False
        elif cap < min(free_days, max_units // minutes[i]):
            cap_index[i] = len(caps)
            caps.append(cap)
    request_work = np.zeros((H, S))
    request_off = np.zeros(H)
    for r in instance.on_requests:
        if r.employee == emp.name:
            request_off[r.day] += r.weight
            request_work[r.day, :] += r.weight
            request_work[r.day, names.index(r.shift)] -= r.weight
    for r in instance.off_requests:
        if r.employee == emp.name:
            request_work[r.day, names.index(r.shift)] += r.weight
    return EmployeeRules(
        emp.name,
        allowed,
        forbidden,
        minutes,
        max_units,
        -(-emp.min_minutes // g),
        emp.max_consecutive,
        emp.min_consecutive,
        emp.min_days_off,
        min(emp.max_weekends, instance.weekends),
        cap_index,
        np.array(caps, dtype=np.int64),
        request_work,
        request_off,
    )


@numba.njit(cache=True, nogil=True)
def _label(
    work_cost,
    off_cost,
    allowed,
    forbidden,
    minutes,
    max_m,
    min_m,
    max_c,
    min_c,
    min_off,
    max_w,
    cap_index,
    cap_value,
    n_best,
    max_labels,
):  # pragma: no cover - compiled
    H, S = work_cost.shape
    J = max(min_off, 1)
    n_pos = 1 + J + S * max_c
    K = cap_value.shape[0]
    stride = np.ones(K, dtype=np.int64)
    acc = np.int64(1)
    for i in range(K):
        stride[i] = acc
        acc *= cap_value[i] + 1
    r_m = np.int64(n_pos)
    r_w = r_m * (max_m + 1)
    r_c = r_w * (max_w + 1)
    # Exact prunings that keep a beam from filling with labels bound to die: the minutes still reachable after
    # each day (fixed days off earn none), and the first day after each on which no shift is allowed (a run
    # started before it must reach the minimum length first).
    reach_after = np.zeros(H, dtype=np.int64)
    blocked_after = np.full(H, H, dtype=np.int64)
    for d in range(H - 2, -1, -1):
        best_m = 0
        for s in range(S):
            if allowed[d + 1, s]:
                best_m = max(best_m, minutes[s])
        reach_after[d] = reach_after[d + 1] + best_m
        blocked_after[d] = d + 1 if best_m == 0 else blocked_after[d + 1]
    keys = np.zeros(1, dtype=np.int64)
    costs = np.zeros(1)
    exact = True
    parents_per_day = []
    choices_per_day = []
    for d in range(H):
        n = keys.shape[0]
        ck = np.empty(n * (S + 1), dtype=np.int64)
        cc = np.empty(n * (S + 1))
        cp = np.empty(n * (S + 1), dtype=np.int64)
        ch = np.empty(n * (S + 1), dtype=np.int64)
        m_out = 0
        weekend_day = d % 7 >= 5
        reach = reach_after[d]  # minutes still reachable after today
        # a run started today (after a day off inside the horizon) that a fixed day off would cut too short
        short_run = d > 0 and blocked_after[d] < H and blocked_after[d] - d < min_c
        for i in range(n):
            key = keys[i]
            pos = key % r_m
            m = (key // r_m) % (max_m + 1)
            w = (key // r_w) % (max_w + 1)
            c = key // r_c
            base = keys[i] - pos
            # a day off
            ok = True
            if pos == 0:
                npos = 0
            elif pos <= J:
                npos = min(pos + 1, J)
            else:
                k = (pos - 1 - J) % max_c + 1
                if d - k > 0 and k < min_c:  # a run with a day off before it ends here too short
                    ok = False
                npos = 1
            if ok and m + reach >= min_m:
                ck[m_out] = base + npos
                cc[m_out] = costs[i] + off_cost[d]
                cp[m_out] = i
                ch[m_out] = -1
                m_out += 1
            # a shift
            if 0 < pos <= J and pos < min_off:
                continue  # an off-run after work may not end this short
            if pos > J:
                last = (pos - 1 - J) // max_c
                k = (pos - 1 - J) % max_c + 1
                if k >= max_c:
                    continue
            else:
                last = -1
                k = 0
                if short_run:
                    continue
            nw = w
            if weekend_day and (d % 7 == 5 or pos <= J):
                nw = w + 1
                if nw > max_w:
                    continue
            for t in range(S):
                if not allowed[d, t]:
                    continue
                if last >= 0 and forbidden[last, t]:
                    continue
                nm = m + minutes[t]
                if nm > max_m or nm + reach < min_m:
                    continue
                nc = c
                q = cap_index[t]
                if q >= 0:
                    digit = (c // stride[q]) % (cap_value[q] + 1)
                    if digit >= cap_value[q]:
                        continue
                    nc = c + stride[q]
                npos = 1 + J + t * max_c + k
                ck[m_out] = nc * r_c + nw * r_w + nm * r_m + npos
                cc[m_out] = costs[i] + work_cost[d, t]
                cp[m_out] = i
                ch[m_out] = t
                m_out += 1
        order = np.argsort(ck[:m_out])
        nk = np.empty(m_out, dtype=np.int64)
        ncost = np.empty(m_out)
        npar = np.empty(m_out, dtype=np.int64)
        nch = np.empty(m_out, dtype=np.int64)
        u = -1
        prev = np.int64(-1)
        for j in range(m_out):
            o = order[j]
            if ck[o] != prev:
                u += 1
                prev = ck[o]
                nk[u] = ck[o]
                ncost[u] = cc[o]
                npar[u] = cp[o]
                nch[u] = ch[o]
            elif cc[o] < ncost[u]:
                ncost[u] = cc[o]
                npar[u] = cp[o]
                nch[u] = ch[o]
        keep = np.arange(u + 1)
        if u + 1 > max_labels:  # beam: the result is then no longer exact
            keep = _beam(nk[: u + 1], ncost[: u + 1], r_m, (max_m + 1) * (max_w + 1), max_labels)
            exact = False
        keys = nk[keep]
        costs = ncost[keep]
        parents_per_day.append(npar[keep])
        choices_per_day.append(nch[keep])
    # final labels meeting the minimum minutes, cheapest first
    n = keys.shape[0]
    final_m = (keys // r_m) % (max_m + 1)
    valid = np.where(final_m >= min_m)[0]
    out = np.full((min(n_best, valid.shape[0]), H), -2, dtype=np.int64)
    out_cost = np.empty(out.shape[0])
    if valid.shape[0] == 0:
        return out, out_cost, exact
    order = valid[np.argsort(costs[valid])]
    for b in range(out.shape[0]):
        i = order[b]
        out_cost[b] = costs[i]
        for d in range(H - 1, -1, -1):
            out[b, d] = choices_per_day[d][i]
            i = parents_per_day[d][i]
    return out, out_cost, exact


@numba.njit(cache=True, nogil=True)
def _beam(keys, costs, r_m, n_groups, max_labels):  # pragma: no cover - compiled
    """The labels a beam keeps: the cheapest of each count of minutes worked, an equal quota per count, then
    the cheapest of the rest. Cheapest alone starves the labels that work enough to meet the minimum minutes
    (on Instance 22, 18 of 50 employees had no schedule at a beam of 1 000)."""
    m = (keys // r_m) % n_groups
    n = keys.shape[0]
    groups = np.unique(m).shape[0]
    quota = max(1, max_labels // (2 * groups))
    order = np.argsort(costs)
    seen = np.zeros(n_groups, dtype=np.int64)
    taken = np.zeros(n, dtype=np.bool_)
    kept = 0
    for o in order:
        if seen[m[o]] < quota and kept < max_labels:
            seen[m[o]] += 1
            taken[o] = True
            kept += 1
    for o in order:
        if kept >= max_labels:
            break
        if not taken[o]:
            taken[o] = True
            kept += 1
    return np.nonzero(taken)[0]


def price(
    rules: EmployeeRules, duals: np.ndarray, n_best: int = 1, max_labels: int = 200_000
) -> tuple[np.ndarray, np.ndarray, bool]:
    """The ``n_best`` cheapest legal schedules (distinct end states) at cover duals ``duals[day, shift]``.

    Returns (schedules, costs, exact): schedules[b, d] is a shift index or -1 (off); costs are the reduced costs
    (request penalty minus the duals of the shifts worked). No row: the employee has no legal schedule. ``exact``
    is False when a day held more than ``max_labels`` labels and only the cheapest were kept (a heuristic).
    """
    return _label(
        rules.request_work - duals,
        rules.request_off,
        rules.allowed,
        rules.forbidden,
        rules.minutes,
        rules.max_minutes,
        rules.min_minutes,
        rules.max_consecutive,
        rules.min_consecutive,
        rules.min_days_off,
        rules.max_weekends,
        rules.cap_index,
        rules.cap_value,
        n_best,
        max_labels,
    )
