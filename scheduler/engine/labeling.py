"""The pricing kernel: the cheapest legal schedule of one person, by labeling over the days (numba).

A label is a partial schedule up to the end of a day: its (reduced) cost and the resources the per-person
rules need (see ``scheduler.engine.pricing`` for their meaning). Day by day each label is extended by a day
off or by one of the day's shifts that the rules still allow; at the last day of a calendar week the week is
closed (weekly rest, agreed presence, overtime); labels that another label dominates (cheaper and no worse
in any resource) are dropped. Dominance is exact, so the cheapest final label is the cheapest legal schedule.
``max_labels`` caps the labels kept per day (cheapest first); the kernel says whether the cap dropped any,
so an answer under the cap is still exact when it did not.

Everything here is plain arrays and integers so that numba compiles it once (cached on disk).
"""

from __future__ import annotations

import numpy as np
from numba import njit

NONE = -(10**6)  # "no shift yet": a time long before the horizon


@njit(cache=True)
def _dominates(a, b, cost, earliest, last_end, hw, carry, dw, nw, fr, total, tol):
    return (
        cost[a] <= cost[b] + tol
        and earliest[a] <= earliest[b]
        and last_end[a] <= last_end[b]
        and hw[a] == hw[b]
        and carry[a] == carry[b]
        and dw[a] <= dw[b]
        and nw[a] <= nw[b]
        and fr[a] >= fr[b]
        and total[a] <= total[b]
    )


@njit(cache=True)
def label_schedules(
    day_first,  # [days + 1] CSR offsets of each day's shifts
    sh_start,
    sh_end,
    sh_len,
    sh_wa,  # slots in the week of the shift's day
    sh_wb,  # slots in the following week (a shift across Sunday midnight)
    sh_night,
    sh_cost,  # float: the shift's price minus what the master pays for it
    day_week,
    day_start,  # [days + 1] first slot of each day (and n_slots)
    day_closes,  # whether the day is the last of its calendar week inside the horizon
    wk_lo,
    wk_hi,
    wk_min,  # agreed presence in slots per week (0: none)
    wk_days,  # working days allowed per week
    max_weekly,
    max_total,
    rest,
    weekly_rest,
    within_week,  # the strict reading: the weekly rest lies inside the week
    legal_week,
    tier2,
    ot1,
    ot2,
    night_free,  # night shifts a week allowed
    keep,  # how many schedules to return
    max_labels,  # 0: exact
    tol,
):
    n_days = day_week.shape[0]
    cap = 1024
    # The label pool: every label ever kept, with its parent and the shift it took (-1: a day off).
    p_cost = np.empty(cap, np.float64)
    p_earliest = np.empty(cap, np.int64)
    p_last = np.empty(cap, np.int64)
    p_hw = np.empty(cap, np.int64)
    p_carry = np.empty(cap, np.int64)
    p_dw = np.empty(cap, np.int64)
    p_nw = np.empty(cap, np.int64)
    p_fr = np.empty(cap, np.int64)
    p_total = np.empty(cap, np.int64)
    p_parent = np.empty(cap, np.int64)
    p_shift = np.empty(cap, np.int64)
    n_pool = 1
    truncated = False  # whether the cap on labels dropped any: then the answer is a heuristic's
    p_cost[0] = 0.0
    p_earliest[0] = NONE
    p_last[0] = NONE
    p_hw[0] = 0
    p_carry[0] = 0
    p_dw[0] = 0
    p_nw[0] = 0
    p_fr[0] = 0
    p_total[0] = 0
    p_parent[0] = -1
    p_shift[0] = -1
    current = np.zeros(1, np.int64)  # pool indices of the labels alive after the previous day
    # Candidate buffers, reused day after day.
    c_cap = 4096
    c_cost = np.empty(c_cap, np.float64)
    c_earliest = np.empty(c_cap, np.int64)
    c_last = np.empty(c_cap, np.int64)
    c_hw = np.empty(c_cap, np.int64)
    c_carry = np.empty(c_cap, np.int64)
    c_dw = np.empty(c_cap, np.int64)
    c_nw = np.empty(c_cap, np.int64)
    c_fr = np.empty(c_cap, np.int64)
    c_total = np.empty(c_cap, np.int64)
    c_parent = np.empty(c_cap, np.int64)
    c_shift = np.empty(c_cap, np.int64)
    for d in range(n_days):
        w = day_week[d]
        lo = wk_lo[w]
        hi = wk_hi[w]
        n_shifts = day_first[d + 1] - day_first[d]
        need = current.shape[0] * (n_shifts + 1)
        if need > c_cap:
            c_cap = max(need, 2 * c_cap)
            c_cost = np.empty(c_cap, np.float64)
            c_earliest = np.empty(c_cap, np.int64)
            c_last = np.empty(c_cap, np.int64)
            c_hw = np.empty(c_cap, np.int64)
            c_carry = np.empty(c_cap, np.int64)
            c_dw = np.empty(c_cap, np.int64)
            c_nw = np.empty(c_cap, np.int64)
            c_fr = np.empty(c_cap, np.int64)
            c_total = np.empty(c_cap, np.int64)
            c_parent = np.empty(c_cap, np.int64)
            c_shift = np.empty(c_cap, np.int64)
        n = 0
        for k in range(current.shape[0]):
            q = current[k]
            # A day off.
            c_cost[n] = p_cost[q]
            c_earliest[n] = p_earliest[q]
            c_last[n] = p_last[q]
            c_hw[n] = p_hw[q]
            c_carry[n] = p_carry[q]
            c_dw[n] = p_dw[q]
            c_nw[n] = p_nw[q]
            c_fr[n] = p_fr[q]
            c_total[n] = p_total[q]
            c_parent[n] = q
            c_shift[n] = -1
            n += 1
            if p_dw[q] + 1 > wk_days[w]:
                continue
            for j in range(day_first[d], day_first[d + 1]):
                # A shift that costs more than it earns is never worth taking unless a week's agreed
                # presence needs it: dropping a shift breaks no other rule and saves its cost.
                if (
                    sh_cost[j] >= 0.0
                    and wk_min[w] == 0
                    and (sh_wb[j] == 0 or w + 1 >= wk_min.shape[0] or wk_min[w + 1] == 0)
                ):
                    continue
                if sh_start[j] < p_earliest[q]:
                    continue
                if p_hw[q] + sh_wa[j] > max_weekly or sh_wb[j] > max_weekly:
                    continue
                if p_total[q] + sh_len[j] > max_total:
                    continue
                if p_nw[q] + sh_night[j] > night_free:
                    continue
                fr = p_fr[q]
                if fr == 0:
                    since = p_last[q] if p_last[q] > lo else lo
                    if sh_start[j] - since >= weekly_rest:
                        fr = 1
                c_cost[n] = p_cost[q] + sh_cost[j]
                c_earliest[n] = sh_end[j] + rest
                c_last[n] = sh_end[j]
                c_hw[n] = p_hw[q] + sh_wa[j]
                c_carry[n] = sh_wb[j]
                c_dw[n] = p_dw[q] + 1
                c_nw[n] = p_nw[q] + sh_night[j]
                c_fr[n] = fr
                c_total[n] = p_total[q] + sh_len[j]
                c_parent[n] = q
                c_shift[n] = j
                n += 1
        # Close the week: weekly rest, agreed presence, overtime; then the next week starts.
        alive = np.ones(n, np.bool_)
        if day_closes[d]:
            last_day = d == n_days - 1
            for i in range(n):
                since = c_last[i] if c_last[i] > lo else lo
                if c_fr[i] == 0:
                    if within_week:
                        if hi - since < weekly_rest:
                            alive[i] = False
                            continue
                    else:
                        if since >= hi:
                            alive[i] = False
                            continue
                        # The window runs on into the next week: no shift before it ends.
                        if not last_day and since + weekly_rest > c_earliest[i]:
                            c_earliest[i] = since + weekly_rest
                if c_hw[i] < wk_min[w]:
                    alive[i] = False
                    continue
                over = c_hw[i] - legal_week
                if over > 0:
                    c_cost[i] += over * ot1
                over = c_hw[i] - tier2
                if over > 0:
                    c_cost[i] += over * ot2
                c_hw[i] = c_carry[i]
                c_carry[i] = 0
                c_dw[i] = 0
                c_nw[i] = 0
                c_fr[i] = 0
        # Normalise states that the future cannot tell apart, so that dominance merges them.
        if d + 1 < n_days:
            nxt = day_start[d + 1]
            w2 = day_week[d + 1]
            lo2 = wk_lo[w2]
            for i in range(n):
                if not alive[i]:
                    continue
                if c_earliest[i] < nxt:
                    c_earliest[i] = nxt
                if c_last[i] < lo2:
                    c_last[i] = lo2  # gaps of the coming week are counted from its start at the earliest
                # Free from the last end until the next day starts, inside this week: the rest is had
                # whatever comes (the next shift starts no earlier, and the week ends no earlier).
                if c_fr[i] == 0 and nxt - c_last[i] >= weekly_rest:
                    c_fr[i] = 1
                if c_fr[i] == 1 and c_last[i] < nxt:
                    c_last[i] = nxt  # the rest is had: the last end only matters through `earliest`
        # Dominance: sort by cost, keep a label unless a kept one with the same hours dominates it.
        idx = np.flatnonzero(alive)
        order = idx[np.argsort(c_cost[idx], kind="mergesort")]
        # Bucket by (hours this week, carried hours): only labels with the same ones are compared.
        key = c_hw[order] * 4096 + c_carry[order]
        border = order[np.argsort(key, kind="mergesort")]
        kept = np.empty(border.shape[0], np.int64)
        n_kept = 0
        start = 0
        nb = border.shape[0]
        while start < nb:
            stop = start
            kk = c_hw[border[start]] * 4096 + c_carry[border[start]]
            while stop < nb and c_hw[border[stop]] * 4096 + c_carry[border[stop]] == kk:
                stop += 1
            first_kept = n_kept
            for s in range(start, stop):
                b = border[s]
                dominated = False
                for t in range(first_kept, n_kept):
                    if _dominates(
                        kept[t], b, c_cost, c_earliest, c_last, c_hw, c_carry, c_dw, c_nw, c_fr, c_total, tol
                    ):
                        dominated = True
                        break
                if not dominated:
                    kept[n_kept] = b
                    n_kept += 1
            start = stop
        kept = kept[:n_kept]
        if max_labels > 0 and n_kept > max_labels:
            kept = kept[np.argsort(c_cost[kept], kind="mergesort")[:max_labels]]
            n_kept = max_labels
            truncated = True
        # Move the kept labels into the pool.
        if n_pool + n_kept > cap:
            new_cap = max(2 * cap, n_pool + n_kept)
            p_cost = _grow_f(p_cost, new_cap)
            p_earliest = _grow_i(p_earliest, new_cap)
            p_last = _grow_i(p_last, new_cap)
            p_hw = _grow_i(p_hw, new_cap)
            p_carry = _grow_i(p_carry, new_cap)
            p_dw = _grow_i(p_dw, new_cap)
            p_nw = _grow_i(p_nw, new_cap)
            p_fr = _grow_i(p_fr, new_cap)
            p_total = _grow_i(p_total, new_cap)
            p_parent = _grow_i(p_parent, new_cap)
            p_shift = _grow_i(p_shift, new_cap)
            cap = new_cap
        current = np.empty(n_kept, np.int64)
        for t in range(n_kept):
            b = kept[t]
            p_cost[n_pool] = c_cost[b]
            p_earliest[n_pool] = c_earliest[b]
            p_last[n_pool] = c_last[b]
            p_hw[n_pool] = c_hw[b]
            p_carry[n_pool] = c_carry[b]
            p_dw[n_pool] = c_dw[b]
            p_nw[n_pool] = c_nw[b]
            p_fr[n_pool] = c_fr[b]
            p_total[n_pool] = c_total[b]
            p_parent[n_pool] = c_parent[b]
            p_shift[n_pool] = c_shift[b]
            current[t] = n_pool
            n_pool += 1
    # The cheapest final labels and their shifts (walking the parents back).
    finals = current[np.argsort(p_cost[current], kind="mergesort")]
    count = min(keep, finals.shape[0])
    costs = np.empty(count, np.float64)
    paths = np.full((count, n_days), -1, np.int64)
    for r in range(count):
        q = finals[r]
        costs[r] = p_cost[q]
        day = n_days - 1
        while q > 0:
            paths[r, day] = p_shift[q]
            q = p_parent[q]
            day -= 1
    return costs, paths, n_pool, truncated


@njit(cache=True)
def _grow_f(a, n):
    out = np.empty(n, np.float64)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_i(a, n):
    out = np.empty(n, np.int64)
    out[: a.shape[0]] = a
    return out
