"""The staged path: the crew level, then the assignment of its shifts to people, repairs, and the person level's
improvement; every stage a CP-SAT model from ``scheduler.model``.

1. **aggregate** (crew level): how many of each crew take each shift, hires per role, agency bookings.
   It is a relaxation of the real problem, so its best bound is a valid bound for the final plan.
2. **assign** (person level, counts fixed): give the aggregate's shifts to named people under every
   per-person rule (rest, weekly rest, night workers...), more hires allowed. Costs other than overtime are
   already fixed. A shift nobody may take is priced, not dropped in silence; the plan is then priced with
   its short slots, completed greedily, and mended in small person-level neighbourhoods around them.
3. **improve** (person level, everything free), hinted with the best plan so far, when the gap is still
   above ``gap_limit`` or the assignment failed; its own bound also counts.

The greedy start, when it covers every need, is a plan from the first seconds, priced at the crew level; so
are the greedy's completions of crew plans. The cheapest of these and of the stages' plans is returned.
Above ``PRICE_SHIFT_LIMIT`` shift variables no person-level model is built: the greedy gives the crew plan's
shifts to people.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from scheduler.model.build import Handles, build_model
from scheduler.model.data import ModelData
from scheduler.model.extract import Assignment, plan_tables, read_crew_counts, read_person_solution
from scheduler.model.greedy import complete_people, disaggregate, repair
from scheduler.model.lp import lp_bound, lp_relaxation, rens_model
from scheduler.strategies import Candidate, Incumbent, Problem, gap_of
from scheduler.strategies.cpsat import (
    AGGREGATE_ONLY,
    UNMET_WEIGHT,
    Run,
    add_crew_hint,
    add_person_hint,
    as_hinted,
    candidate_of,
    complete_hint,
    copy_decisions,
    crew_model,
    describe,
    hint_all,
    merge,
    no_candidate,
    run_model,
    unproven,
)

if TYPE_CHECKING:
    from scheduler.solve import SolveParams


def staged(problem: Problem, budget: float, incumbent: Incumbent) -> Candidate:
    """The cheapest plan the stages find within ``budget`` seconds, with the highest bound they prove."""
    started = time.perf_counter()
    params = replace(problem.params, time_limit=budget)
    data, allow_shortfall, stop, progress = problem.data, problem.allow_shortfall, problem.stop, problem.progress
    start, unmet = incumbent.assignment, incumbent.unmet
    shift_variables = sum(len(w.shifts) for w in data.workers)
    deadline = started + budget
    runs: list[Run] = []

    def remaining() -> float:
        return deadline - time.perf_counter()

    def stopped() -> bool:
        return problem.stopped()

    # Stage 1: the crew-level relaxation. Unmet need is priced in it (a relaxation still, so its bound
    # holds), so that the greedy plan is always a starting point and the search never starts empty.
    crew = crew_model(data, allow_shortfall)
    # Person-level plans that cover everything, made on the way by the greedy (its start, its completions of
    # crew plans): the final plan is the cheapest of them and the pipeline's own (measured on ladder M, 60 s:
    # the RENS plan's completion, 128 228 EUR at 27 s, against 139 855 EUR from the later stages).
    complete: list[Run] = []
    if unmet == 0:  # the greedy start believes it covers everything: a first plan, whatever follows
        greedy_run = _crew_priced(data, crew, start, "greedy start", params, started, progress, runs)
        complete += [greedy_run] if greedy_run is not None else []
    lp_value, crew_start = _start_from_lp(crew, params, remaining, started, stop, progress, runs)
    complete += [crew_start] if crew_start is not None and crew_start.people is not None else []
    cheapest = min(complete, key=lambda r: r.objective, default=None)  # crew-level prices: comparable
    if cheapest is not None and (crew_start is None or cheapest.objective < crew_start.objective):
        hint_all(crew, cheapest)  # the crew search starts from the cheapest plan in hand
    elif lp_value is None or not crew.model.proto.solution_hint.vars:
        add_crew_hint(crew, data, start)
        complete_hint(crew, params, min(10.0, remaining() * 0.1))
    # Above PRICE_SHIFT_LIMIT no person-level model follows: only the greedy's completion, in seconds.
    person_too_big = shift_variables > PRICE_SHIFT_LIMIT  # known before building the person-level model
    share = CREW_SHARE_ALONE if person_too_big else CREW_SHARE
    until = max(1.0, started + share * params.time_limit - time.perf_counter())
    if stopped():  # interrupted before the crew search: keep the plan it was hinted with
        aggregate = as_hinted("aggregate", crew, params, 5.0, started, progress)
    else:
        aggregate = run_model("aggregate", crew, params, until, started, stop, progress, params.gap_limit)
    runs.append(aggregate)
    if aggregate.objective is None and aggregate.status == "UNKNOWN":
        # The search ran out of time before it took up the plan it was hinted with (seen on the retailer
        # with 4 s for it): that plan, the RENS one or the greedy's priced as it stands, goes on.
        # A plan, not a proof: the RENS bound holds in its narrowed domains only.
        in_hand = [r for r in (crew_start, *complete) if r is not None]
        if in_hand:
            aggregate = unproven(min(in_hand, key=lambda r: r.objective))
        else:
            aggregate = as_hinted("aggregate, as hinted", crew, params, 10.0, started, progress)
            runs.append(aggregate)
    if aggregate.objective is None:
        # INFEASIBLE is proven for the real problem too (even unmet need could not make it feasible).
        return no_candidate(runs, aggregate.status, aggregate.bound)
    bound = max(b for b in (aggregate.bound, lp_value, 0) if b is not None)
    filled: Run | None = None  # the greedy's completion of a crew plan that fell short, if any
    if aggregate.component("shortfall") and not allow_shortfall:
        # First a plan that covers everything (the greedy's completion, a second), then the local repair,
        # which is often cheaper; the cheaper of the two goes on. Measured on ladder M (60 s): the local
        # repairs alone left 47-71 slots short and no plan; the greedy's completion gave one.
        filled = _repaired(data, aggregate, params, started, progress, runs)
        complete += [filled] if filled is not None else []
        short = {t for (_, t), var in aggregate.handles.shortfall.items() if aggregate.solver.value(var)}
        # Measured on ladder M with 40 people: 224 short slots, three neighbourhoods in vain, 18 s lost.
        hopeless = filled is not None and len(short) > LOCAL_REPAIR_SLOTS
        local = None if hopeless else _repaired_locally(data, aggregate, params, started, stop, progress, runs)
        covering = [r for r in (filled, local) if r is not None]  # both return None while need is unmet
        aggregate = min(covering, key=lambda r: r.objective) if covering else aggregate
    if aggregate.component("shortfall") and not allow_shortfall:
        # The best plan so far leaves need uncovered: look for a plan that covers everything, or a proof
        # that none exists.
        strict = build_model(data, "crew", allow_shortfall=False)
        copy_decisions(aggregate, strict)
        check = run_model(
            "aggregate, no shortfall",
            strict,
            params,
            max(1.0, remaining() * 0.6),
            started,
            stop,
            progress,
            params.gap_limit,
        )
        runs.append(check)
        if check.status == "INFEASIBLE":
            return no_candidate(runs, check.status, None)
        if check.objective is not None:
            aggregate = check
            bound = max(bound, check.bound or 0)
        # Otherwise (no proof either way) the person level mends what the crew level left short.

    # Stage 2: assign the counts to people (more hires allowed if the counts need them).
    counts, hires = read_crew_counts(aggregate.handles, aggregate.solver.value)
    bookings = _bookings(aggregate)
    best: Run | None = None
    best_total: int | None = None
    safety: list[Run] = []  # the assignment's plan completed by the greedy, when it dropped shifts
    full: Handles | None = None
    improvable = shift_variables <= IMPROVE_SHIFT_LIMIT
    if person_too_big:
        # No person-level model at this size gives a plan in time (ladder XL: an assignment of 763 819
        # variables, UNKNOWN after 138 s, 7.4 GiB): the greedy gives the crew plan's shifts to people.
        completed = _repaired(data, aggregate, params, started, progress, runs)
        complete += [completed] if completed is not None else []
    else:
        split = disaggregate(data, counts, hires, bookings)
        # A shift nobody may take is priced above any person's pay, so the assignment starts from the split
        # (whatever it dropped) and drops as few as it can.
        drop_price = 2 * max(w.fixed_cost for w in data.workers) + 1 if data.workers else 1
        assign_model = build_model(data, "person", fixed_counts=counts, min_hires=hires, drop_price=drop_price)
        add_person_hint(assign_model, split)
        complete_hint(assign_model, params, min(5.0, max(0.5, remaining() * 0.1)))
        # After an interrupt the assignment still runs (briefly, unstoppable): it turns the counts into a plan.
        # When no person-level improvement can follow (too big a model), the assignment may take more of the
        # rest.
        assign_time = (
            min(10.0, max(3.0, remaining()))
            if stopped()
            else max(3.0, min(ASSIGN_MAX * params.time_limit, remaining() * (0.5 if improvable else 0.8)))
        )
        assign = run_model("assign", assign_model, params, assign_time, started, None if stopped() else stop, progress)
        runs.append(assign)
        # The assignment leaves coverage to the counts: it is a plan only when they covered every need.
        covered = allow_shortfall or not aggregate.component("shortfall")
        if assign.objective is not None and not assign.component("dropped shifts") and covered:
            best = assign
            best_total = assign.objective + sum(aggregate.component(c) for c in AGGREGATE_ONLY)
        elif assign.objective is not None:
            split = merge(read_person_solution(assign_model, assign.solver.value), aggregate)
            # A plan in a second: the greedy covers what the dropped shifts left, every person's shifts kept.
            # It is a safety net, kept aside: the mending below, when it has time, usually does better (ladder
            # S, 20 s: 12 055 EUR mended against 12 597 EUR completed).
            whole, left = complete_people(data, split, bookings)
            done = _crew_priced(data, crew, whole, "assign, completed", params, started, progress, runs)
            safety = [done] if not left and done is not None else []

    # Some of the aggregate's shifts cannot be given to people (per-person rules the crew level does not
    # see: one shift a day between two rests, leave, weekly rest): price the split plan as it stands; when
    # it falls short, first secure a plan (the greedy's completion of it), then mend the split where it
    # falls short if that is cheaper.
    # With a greedy plan in hand, they start only with time left to build and price the person-level model.
    def no_time() -> bool:
        return bool(complete) and remaining() < FALLBACK_SHARE * params.time_limit

    if best is None and not person_too_big and not no_time():
        # One priced model serves every candidate plan: each is a new hint on the same variables.
        soft = build_model(
            data, "person", allow_shortfall=True, shortfall_weight=1 if allow_shortfall else UNMET_WEIGHT
        )

        def priced(plan: Assignment, label: str) -> Run | None:
            return _priced(soft, plan, label, params, started, progress, runs, remaining)

        def legal(run: Run | None) -> bool:
            return run is not None and (allow_shortfall or not run.component("shortfall"))

        def mended(run: Run | None, have_plan: bool) -> Run | None:
            if run is None or allow_shortfall:
                return None
            late = 1.0 if have_plan else NO_PLAN_GRACE
            return _repaired_locally(data, run, params, started, None, progress, runs, not stopped(), late)

        chosen = split_run = priced(split, "split")
        if not legal(split_run):
            fill_run = priced(repair(data, counts, hires, bookings)[0], "repair")
            chosen = fill_run if legal(fill_run) else None
            # With a plan in hand (a greedy one), the mending keeps to the time limit.
            if not (stopped() and chosen is not None):
                local = mended(split_run, chosen is not None or bool(complete))
                if local is not None and (chosen is None or local.objective < chosen.objective):
                    chosen = local
            if chosen is None:
                chosen = mended(fill_run, bool(complete))
            # The greedy plan of the very start is the last resort: a plan of its own, whatever the crew did.
            late = time.perf_counter() >= started + NO_PLAN_GRACE * params.time_limit
            if chosen is None and not late and not complete:
                greedy_run = priced(start, "greedy")
                chosen = greedy_run if legal(greedy_run) else mended(greedy_run, False)
        if chosen is not None:
            best, best_total = chosen, chosen.objective
            # The strict person model is the priced one without its shortfall variables: its size is known.
            person_too_big = len(soft.model.proto.variables) - len(soft.shortfall) > PERSON_MODEL_LIMIT
            if not person_too_big:
                full = build_model(data, "person", allow_shortfall=allow_shortfall)
                copy_decisions(chosen, full)
                complete_hint(full, params, min(5.0, max(0.5, remaining() * 0.2)))

    # Stage 3: the full person-level model, started from the best plan, while the gap is open.
    gap_open = best_total is None or gap_of(best_total, bound) > params.gap_limit
    if not gap_open or remaining() <= 2.0 or stopped() or no_time() or (best is not None and not improvable):
        full = None
    elif full is None and not person_too_big:
        full = build_model(data, "person", allow_shortfall=allow_shortfall)
        if best is not None and len(full.model.proto.variables) > PERSON_MODEL_LIMIT:
            full = None
        elif best is not None:
            add_person_hint(full, merge(read_person_solution(assign_model, assign.solver.value), aggregate))
            complete_hint(full, params, min(10.0, remaining() * 0.3))
        # No plan yet: the LP relaxation of the person-level model and its RENS sub-problem, which see every
        # per-person rule, are the best way to a first plan; the greedy plan is the last resort.
        elif _start_from_lp(full, params, remaining, started, stop, progress, runs)[0] is None or not (
            full.model.proto.solution_hint.vars
        ):
            add_person_hint(full, start)
            complete_hint(full, params, min(10.0, remaining() * 0.3))
    if full is not None:
        improve = run_model("improve", full, params, remaining(), started, stop, progress, params.gap_limit)
        runs.append(improve)
        if improve.bound is not None:
            bound = max(bound, improve.bound)
        if improve.objective is not None and (best_total is None or improve.objective < best_total):
            best, best_total = improve, improve.objective
        elif improve.status == "INFEASIBLE" and best is None:
            return no_candidate(runs, "INFEASIBLE", None)
    complete += safety
    if complete:
        # The greedy's completions of crew plans are plans too, legal under every per-person rule it checks
        # and covering at the crew level (the only ones when no person-level model gave a plan in time).
        cheapest = min(complete, key=lambda r: r.people_cents)
        if best_total is None or cheapest.people_cents < best_total:
            return candidate_of(data, runs, best=cheapest, bound=bound)
    if best is None:
        return no_candidate(runs, "UNKNOWN", bound)
    return candidate_of(data, runs, best=best, bound=bound, aggregate=aggregate)


# Shares of the time limit: the crew level's search ends by CREW_SHARE (the assignment and its fallbacks need
# the rest); the assignment runs for at most ASSIGN_MAX (measured on the retailer: 3 s of it gave 65.0 k, 20 s

CREW_SHARE = 0.65
# When no person-level model follows: ladder XL's greedy completion, its pricing and the tables took 18-24 s.
CREW_SHARE_ALONE = 0.9
ASSIGN_MAX = 0.25
# With no plan in hand at the limit, the fallbacks may run on up to this multiple of it: a plan a little late
# is worth more to a user than none on time (the report shows the real wall time).
NO_PLAN_GRACE = 1.5
# The LP relaxation gives the bound: it may take 35 % of the time left, up to this (measured with HiGHS:
# ladder L's crew LP takes 39-49 s, which a cap of 30 s cut off, leaving CP-SAT's bound: a 69 % gap).
LP_MAX_SECONDS = 60.0
# With a greedy plan in hand, the person-level stages after the assignment need this share of the time limit
# left (ladder M: 8.7 s to build and hint the priced person model, then 2 s or more per plan priced).
FALLBACK_SHARE = 0.2
LOCAL_REPAIR_SLOTS = 24  # short slots above which the local repair is skipped when the greedy covered them
PERSON_MODEL_LIMIT = 40_000  # variables above which the person-level improvement is not worth its presolve
# The same limit in shift variables, known before any model is built: the retailer's 39 528 make a person model
# of 109 080 variables (2.8 each; 5 s to build on a slow day, only to be set aside).
IMPROVE_SHIFT_LIMIT = 14_000
# Shift variables above which no person-level model is built to price or improve a plan. Measured on ladder
# XL (715 425 shift variables, 1 944 983 variables in the priced model): it could not price even a complete
# hint in 34-42 s, three times over, and took the peak memory from 1.1 to 6.7 GiB; ladder L has 128 994.
PRICE_SHIFT_LIMIT = 300_000


def _start_from_lp(
    h: Handles, params: SolveParams, remaining, started: float, stop, progress, runs: list[Run]
) -> tuple[float | None, Run | None]:
    """Solve the model's LP relaxation, then the RENS sub-problem around it; hint the model with the plan
    found. Returns the LP bound (valid for the real problem, None when the LP was not solved) and the run
    whose plan the hint is, if any (its values are the model's: the sub-problem only narrows its domains)."""
    t0 = time.perf_counter()
    relaxation = lp_relaxation(h, min(LP_MAX_SECONDS, remaining() * 0.35))
    wall = time.perf_counter() - t0
    if relaxation is None:
        if progress:
            progress(f"[lp relaxation] not solved in {wall:.1f} s; starting from the greedy plan")
        return None, None
    bound = lp_bound(relaxation)
    if progress:
        progress(f"[lp relaxation] {bound / 100:,.2f} in {wall:.1f} s (a lower bound)")
    sub = dataclasses.replace(h, model=rens_model(h, relaxation))
    rens = run_model("rens", sub, params, min(15.0, remaining() * 0.2), started, stop, progress, params.gap_limit)
    runs.append(rens)
    if rens.objective is None:
        return bound, None
    # The greedy completes the plan in the model itself: the sub-problem's narrowed domains may exclude it.
    whole = dataclasses.replace(rens, handles=h)
    best = _repaired(h.data, whole, params, started, progress, runs) if rens.component("shortfall") else None
    hint_all(h, best or rens)
    return bound, best or whole


def _bookings(run: Run) -> dict[str, dict[int, int]]:
    """Agency moderators booked per block in a run's solution."""
    value = run.solver.value
    return {
        name: {b: int(value(v)) for b, v in blocks.items() if value(v)} for name, blocks in run.handles.agency.items()
    }


def _repaired_locally(
    data: ModelData,
    run: Run,
    params: SolveParams,
    started: float,
    stop,
    progress,
    runs: list[Run],
    improve: bool = True,
    late: float = 1.0,
) -> Run | None:
    """A plan that leaves a few slots short, mended where it falls short: every decision stays as it is
    except the shifts and agency blocks near the short slots, which a model of the same level (crew or
    person) may change. Unmet need stays allowed and dear in it, so the search starts from the plan in
    hand and only improves it; the neighbourhood widens from a day to a week until nothing is short, and
    while time is left (a wider one often finds a cheaper way than the one that first closed the gap)."""
    short = sorted({t for (_, t), var in run.handles.shortfall.items() if run.solver.value(var)})
    limit = min(8.0, max(2.0, 0.1 * params.time_limit))
    for hours in (24, 72, 168):
        left = started + params.time_limit - time.perf_counter()
        if not run.component("shortfall") and (not improve or left < 2 * limit):
            break
        if hours > 24 and time.perf_counter() > started + late * params.time_limit:
            break  # past the limit (or its grace when there is no plan yet): stop widening
        value = run.solver.value
        reach = data.scenario.grid.slots(hours)
        near = [(max(0, t - reach), t + reach) for t in short]

        def touches(item, near=near) -> bool:
            """Whether a shift or agency block overlaps the neighbourhood."""
            return any(item.start < hi and item.end > lo for lo, hi in near)

        free = [{i for i in take if touches(run.handles.shifts_of(u)[i])} for u, take in enumerate(run.handles.take)]
        # Only the shifts in use and those near the short slots get variables: a model of seconds, not minutes.
        support = {
            u: [i for i, var in take.items() if value(var) or i in free[u]] for u, take in enumerate(run.handles.take)
        }
        local = build_model(
            data,
            run.handles.level,
            allow_shortfall=True,
            shortfall_weight=run.handles.shortfall_weight,
            support=support,
        )
        m = local.model
        for u, take in enumerate(local.take):
            for i, var in take.items():
                current = int(value(run.handles.take[u][i]))
                m.add_hint(var, current)
                if i not in free[u]:
                    m.add(var == current)
            if not isinstance(local.active[u], int):
                m.add_hint(local.active[u], int(value(run.handles.active[u])))
        for name, blocks in local.agency.items():
            for b, var in blocks.items():
                current = int(value(run.handles.agency[name][b]))
                m.add_hint(var, current)
                if not touches(data.agency[name].blocks[b]):
                    m.add(var == current)
        complete_hint(local, params, limit / 2)
        label = f"repair ({hours} h around {len(short)} short slot(s))"
        mended = run_model(label, local, params, limit, started, stop, progress)
        runs.append(mended)
        if mended.objective is not None and mended.objective <= run.objective:
            run = mended
    return run if not run.component("shortfall") else None


def _priced(
    soft: Handles,
    person_plan: Assignment,
    label: str,
    params: SolveParams,
    started: float,
    progress,
    runs: list[Run],
    remaining,
) -> Run | None:
    """A person-level plan priced as it stands in ``soft``, a person model where unmet need is allowed."""
    soft.model.clear_hints()
    add_person_hint(soft, person_plan)
    run = run_model(label, soft, params, min(20.0, max(2.0, remaining())), started, None, progress, fix_hint=True)
    runs.append(run)
    return run if run.objective is not None else None


def _repaired(data: ModelData, run: Run, params: SolveParams, started: float, progress, runs: list[Run]) -> Run | None:
    """A crew-level plan that leaves need uncovered, made whole by the greedy (its shifts given to people,
    its bookings kept, the rest covered), then priced by the crew model with those decisions fixed."""
    counts, hires = read_crew_counts(run.handles, run.solver.value)
    plan, unmet = repair(data, counts, hires, _bookings(run))
    if unmet:
        return None
    return _crew_priced(data, run.handles, plan, "repair", params, started, progress, runs)


def _crew_priced(
    data: ModelData, h: Handles, plan: Assignment, label: str, params: SolveParams, started: float, progress, runs
) -> Run | None:
    """A greedy person-level plan (legal under every per-person rule it checks) priced by the crew model
    with its decisions fixed, which checks its coverage; None when it leaves need uncovered. A fraction of a
    second where pricing it at the person level takes seconds (ladder M: 0.2 s against 2 s and more)."""
    h = dataclasses.replace(h, model=h.model.clone())
    h.model.clear_hints()
    add_crew_hint(h, data, plan)
    fixed = run_model(label, h, params, 10.0, started, None, None, fix_hint=True)
    if fixed.objective is not None and not fixed.component("shortfall"):
        fixed = replace(fixed, people=plan, people_cents=plan_tables(data, plan).total_cents)
    runs.append(fixed)
    if progress:
        progress(describe(fixed))
    return fixed if fixed.people is not None else None
