"""Monte Carlo response times of a saved plan: random arrivals served by the rostered people and agency
moderators, first in first out, one discrete-event simulation per run.

The simulation reads the plan's roster and agency tables (never the optimization model), so it checks the
model's Erlang C / backlog arithmetic from the outside, including plans edited by hand.

Modelling choices (the report repeats them):

- Arrivals: Poisson counts per slot around the forecast, optionally gamma-Poisson (negative binomial) with
  ``overdispersion`` X: the slot's rate is multiplied by a Gamma(1/X, X) factor (mean 1, variance X), drawn
  independently per slot and stream. Arrival times are uniform inside the slot.
- Handle times: exponential with the stream's mean, or lognormal with that mean and a coefficient of
  variation; divided by the agent's productivity (a person's own, else the role's; agency: the role's).
- Agents: each roster shift is one agent on duty from its start to its end, away during its break; each
  agency row gives ``moderators`` agents (packed into as few agents as overlap allows). Trainees work (extra
  capacity). An agent serves the streams whose skill it has (a person's skills, else the role's).
- Discipline: an agent who becomes free takes the item that has waited longest among the streams it can
  serve; an item is answered when an agent starts it. When several agents are free at once, the one that can
  serve the fewest streams takes the item (then the most productive): generalists stay free for the rest.
  An agent starts items only while on duty and finishes the item in hand (a break or the shift end waits for
  it: an overrun of at most one handle time).
- Because the oldest item always goes first, an item is never delayed by younger ones, so the items can be
  processed in arrival order: each takes the eligible agent who can start it first. That is exact and lets
  the runs advance side by side (numpy over runs, one step per arrival rank).
- Discipline ``priority`` (an option): an agent who becomes free takes the oldest item of the most urgent
  class it can serve: Erlang streams first (answered within the slot, as the model staffs them), then
  backlog streams (the model serves them with the capacity left over), then workload tasks; never
  interrupting an item in hand. Younger urgent items then overtake older ones, so the items are served by
  an event-driven simulation, one run after the other over the whole timeline (slower: see the README).
- Workload streams (publishing) are not queues and have no target: each calendar week's hours are spread
  over the window's slots in proportion to the slack of the agents who have the skill (their capacity on
  duty beyond the forecast load of the queues), as a team fits posts into quiet hours, and fed in as tasks
  of at most 15 minutes at the start of those slots. Skilled agents take them in the same oldest-first
  order, so they delay the other streams as they would in reality. They are not reported.
- The horizon repeats (plans are built for a repeating cycle): by default one whole cycle is simulated as a
  warm-up and the second is measured, so the queues at the start are those the plan carries over. Items of
  the measured cycle still waiting at its end are served by the next cycle's agents (same plan) and counted
  with their real response time; an item no agent can ever take counts as unanswered.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from scheduler.errors import InputError, SchedulerError
from scheduler.plan import Plan
from scheduler.requirements import workload_windows
from scheduler.scenario import Scenario
from scheduler.timegrid import BANDS

HandleModel = Literal["exponential", "lognormal"]
HANDLE_MODELS = ("exponential", "lognormal")
Discipline = Literal["oldest", "priority"]
DISCIPLINES = ("oldest", "priority")
_CLASS_OF_MODEL = {"erlang": 0, "backlog": 1, "workload": 2}  # priority discipline: lower goes first
MAX_RUNS = 1_000  # per-run tallies are kept per stream and slot (tens of kB per run)
CONFIDENCE = 0.95

_NEVER = 1e12  # start time of an item no agent can take (finite, so free times stay finite)
_DUMMY_ARRIVAL = -1e18  # padding: a no-op item that every agent "serves" in zero time
_KEY = 1e7  # offset per group in sorted keys (times stay within +-3 horizons of 56 days)
_KEY_NEVER = 5e6
_HIST_PER_DECADE = 100  # response-time histogram: 100 log bins per decade from 0.001 to 100 000 min
_HIST_LOW, _HIST_HIGH = -3, 5
_HIST_BINS = 2 + (_HIST_HIGH - _HIST_LOW) * _HIST_PER_DECADE  # + a bin for 0 and one for never
_CHUNK_ITEMS = 400_000  # items (all runs) drawn and served per block of slots
_PRIORITY_CELLS = 12_000_000  # items x runs held at once by the priority discipline (about 1.2 GB)
_TASK_MINUTES = 15.0  # workload is fed in as tasks of at most this length
_HIRE = re.compile(r"^(?P<role>.+) hire (?P<k>\d+)$")
_ISO_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True)
class Agent:
    """One server of the simulation: a person, or a chain of agency moderator blocks that never overlap."""

    name: str
    role: str
    kind: str
    skills: frozenset[str]
    productivity: float
    windows: np.ndarray  # (k, 2) minutes from the horizon's start, sorted, disjoint, one cycle

    @property
    def minutes_on_duty(self) -> float:
        return float((self.windows[:, 1] - self.windows[:, 0]).sum()) if len(self.windows) else 0.0


@dataclass(frozen=True)
class Simulation:
    """The simulated service of a plan. Deterministic for a given seed: no wall-clock figures inside.

    ``bands``, one row per queue stream and band (of the arrival's slot): ``items`` per run; ``share``
    answered within the target (mean over runs) and its 95 % t interval over runs ``ci_low``-``ci_high``
    (NaN with one run); ``mean_response`` and ``p90_response`` in minutes (all runs pooled, inf when more than
    a tenth is never answered); ``max_queue`` the most items waiting just after an arrival in any run,
    ``mean_max_queue`` its mean over runs; ``unanswered`` the share no agent ever starts; ``planned_share``
    the plan's own estimate; ``meets`` False when ``target_share`` lies above the interval.
    ``slots``: the same per stream and slot (runs pooled). ``agents``: who serves what, hours on duty and
    occupancy (work started in the measured cycle / time on duty; above 1 when items run past a shift's end).
    """

    scenario: str
    variant: str | None
    runs: int
    seed: int
    overdispersion: float
    handle_time: str
    cv: float
    warmup: bool
    bands: pd.DataFrame
    slots: pd.DataFrame
    agents: pd.DataFrame
    notes: tuple[str, ...] = ()
    confidence: float = CONFIDENCE
    discipline: str = "oldest"

    def misses(self) -> pd.DataFrame:
        """Bands whose target share lies above the confidence interval of the simulated share."""
        return self.bands[~self.bands["meets"].astype(bool)]

    def meets_targets(self) -> bool:
        return bool(self.bands["meets"].all()) if not self.bands.empty else True

    def summary(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "variant": self.variant,
            "runs": self.runs,
            "seed": self.seed,
            "overdispersion": self.overdispersion,
            "handle_time": self.handle_time,
            "cv": self.cv,
            "warmup": self.warmup,
            "discipline": self.discipline,
            "confidence": self.confidence,
            "meets_targets": self.meets_targets(),
            "misses": len(self.misses()),
            "description": describe_model(self),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN and infinity become null."""
        return {
            **self.summary(),
            "notes": list(self.notes),
            "bands": _records(self.bands),
            "agents": _records(self.agents),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, float | np.floating) and not math.isfinite(value):
                value = None
            elif isinstance(value, np.generic):
                value = value.item()
            clean[key] = value
        out.append(clean)
    return out


# ------------------------------------------------------------------------------------------ agents
def plan_agents(scenario: Scenario, plan: Plan, *, source: str = "plan") -> tuple[Agent, ...]:
    """The plan's servers: one agent per rostered person (all their shifts, breaks cut out) and agency
    moderators packed into chains of blocks. Times are minutes from the start of the horizon."""
    return (*_people(scenario, plan.roster, f"{source}/roster.csv"), *_agency(scenario, plan.agency, source))


def _people(scenario: Scenario, roster: pd.DataFrame, where: str) -> list[Agent]:
    spec = scenario.spec
    people = {p.name: p for p in spec.people}
    if roster.empty:
        return []
    starts = _minutes(scenario, roster["start"], where, "start")
    ends = _minutes(scenario, roster["end"], where, "end")
    has_break = roster["break_start"].notna() & (roster["break_start"].astype(str).str.strip() != "")
    break_starts = np.full(len(roster), np.nan)
    if has_break.any():
        break_starts[has_break.to_numpy()] = _minutes(
            scenario, roster.loc[has_break, "break_start"], where, "break_start"
        )
    break_minutes = pd.to_numeric(roster["break_minutes"], errors="coerce").fillna(0).to_numpy(dtype=float)
    windows: dict[str, list[tuple[float, float]]] = {}
    role_of: dict[str, str] = {}
    for i, row in enumerate(roster.itertuples(index=False)):
        line = f"row {i + 2}"
        name, role = str(row.person), str(row.role)
        if role not in spec.roles:
            raise InputError(where, f"{line}, column role", role, f"a role of the scenario: {', '.join(spec.roles)}")
        if spec.roles[role].kind == "agency":
            raise InputError(where, f"{line}, column role", role, "a staff role (agency moderators are in agency.csv)")
        if name in people:
            if people[name].role != role:
                raise InputError(
                    where, f"{line}, column role", role, f"{name}'s role in the scenario: {people[name].role}"
                )
        else:
            match = _HIRE.match(name)
            if match is None or match["role"] != role:
                raise InputError(
                    where,
                    f"{line}, column person",
                    name,
                    f"a person of the scenario or a hire slot named '{role} hire <k>'",
                )
        if not ends[i] > starts[i]:
            raise InputError(where, f"{line}, column end", row.end, "a time after the shift's start")
        if break_minutes[i] < 0:
            raise InputError(where, f"{line}, column break_minutes", row.break_minutes, "minutes >= 0")
        pieces = [(starts[i], ends[i])]
        if not np.isnan(break_starts[i]) and break_minutes[i] > 0:
            b0, b1 = break_starts[i], break_starts[i] + break_minutes[i]
            pieces = [(starts[i], min(b0, ends[i])), (max(b1, starts[i]), ends[i])]
        windows.setdefault(name, []).extend((a, b) for a, b in pieces if b > a)
        role_of[name] = role
    out = []
    for name, spans in windows.items():
        role = spec.roles[role_of[name]]
        person = people.get(name)
        skills = scenario.skills_of(person) if person is not None else frozenset(role.skills)
        productivity = (
            person.productivity if person is not None and person.productivity is not None else role.productivity
        )
        out.append(Agent(name, role_of[name], role.kind, skills, float(productivity), _union(spans)))
    return out


def _agency(scenario: Scenario, agency: pd.DataFrame, source: str) -> list[Agent]:
    """Agency moderators as agents: each block row brings ``moderators`` people; blocks are chained into
    as few agents as their overlaps allow (interval partitioning), which changes nothing but the count."""
    where = f"{source}/agency.csv"
    spec = scenario.spec
    if agency.empty:
        return []
    starts = _minutes(scenario, agency["start"], where, "start")
    ends = _minutes(scenario, agency["end"], where, "end")
    counts = pd.to_numeric(agency["moderators"], errors="coerce").to_numpy(dtype=float)
    blocks: dict[str, list[tuple[float, float]]] = {}
    for i, row in enumerate(agency.itertuples(index=False)):
        line = f"row {i + 2}"
        name = str(row.agency)
        if name not in spec.roles or spec.roles[name].kind != "agency":
            agencies = [n for n, r in spec.roles.items() if r.kind == "agency"]
            raise InputError(
                where, f"{line}, column agency", name, f"an agency role: {', '.join(agencies) or '(none)'}"
            )
        if not np.isfinite(counts[i]) or counts[i] < 0 or counts[i] != int(counts[i]):
            raise InputError(where, f"{line}, column moderators", row.moderators, "a whole number >= 0")
        if not ends[i] > starts[i]:
            raise InputError(where, f"{line}, column end", row.end, "a time after the block's start")
        blocks.setdefault(name, []).extend([(starts[i], ends[i])] * int(counts[i]))
    out = []
    for name, spans in blocks.items():
        role = spec.roles[name]
        chains: list[list[tuple[float, float]]] = []
        free: list[tuple[float, int]] = []  # (end of the chain's last block, chain)
        for start, end in sorted(spans):
            if free and free[0][0] <= start:
                _, k = heapq.heappop(free)
            else:
                k = len(chains)
                chains.append([])
            chains[k].append((start, end))
            heapq.heappush(free, (end, k))
        for k, chain in enumerate(chains):
            out.append(
                Agent(
                    f"{name} moderator {k + 1}",
                    name,
                    "agency",
                    frozenset(role.skills),
                    role.productivity,
                    _union(chain),
                )
            )
    return out


def _minutes(scenario: Scenario, values: pd.Series, where: str, column: str) -> np.ndarray:
    """ISO 8601 times with a UTC offset -> minutes from the horizon's first instant."""
    text = values.astype(str).str.strip()
    for i, (index, value) in enumerate(text.items()):
        if not _ISO_OFFSET.search(value):
            row = index + 2 if isinstance(index, int | np.integer) else i + 2
            raise InputError(where, f"row {row}, column {column}", value, "an ISO 8601 time with its UTC offset")
    try:
        stamps = pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise InputError(where, f"column {column}", str(exc)[:60], "ISO 8601 times with a UTC offset") from None
    origin = pd.Timestamp(scenario.grid.origin)
    return ((stamps - origin).dt.total_seconds() / 60).to_numpy(dtype=float)


def _presence(agents: Sequence[Agent], n_slots: int, slot_minutes: float) -> np.ndarray:
    """Share of each slot each agent is on duty (breaks excluded), one cycle."""
    edges = np.arange(n_slots + 1) * slot_minutes
    out = np.zeros((len(agents), n_slots))
    for j, agent in enumerate(agents):
        if len(agent.windows):
            bounds = agent.windows.ravel()
            on_duty = np.concatenate([[0.0], np.cumsum(np.diff(bounds) * np.tile([1.0, 0.0], len(agent.windows))[:-1])])
            out[j] = np.diff(np.interp(edges, bounds, on_duty)) / slot_minutes
    return out


def _union(spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """Sorted, disjoint windows (overlapping or touching spans merged)."""
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.asarray(merged, dtype=float).reshape(-1, 2)


# --------------------------------------------------------------------------------------- simulate
@dataclass(frozen=True)
class _Streams:
    """The streams in the event loop: queues first (reported), then workload tasks (not reported)."""

    names: tuple[str, ...]
    n_queues: int
    handle: np.ndarray  # mean handle minutes per queue stream
    within: np.ndarray  # (queues, bands) target minutes
    share: np.ndarray  # (queues, bands) target share
    workloads: tuple[tuple[int, np.ndarray, float], ...]  # (stream index, window slots of a week, hours)


def simulate(
    scenario: Scenario,
    plan: Plan,
    runs: int = 100,
    seed: int = 0,
    *,
    overdispersion: float = 0.0,
    handle_time: HandleModel = "exponential",
    cv: float | None = None,
    warmup: bool = True,
    discipline: Discipline = "oldest",
    progress: Callable[[str], None] | None = None,
) -> Simulation:
    """Simulate ``runs`` random realisations of the scenario's demand served by the plan's agents.

    Parameters
    ----------
    scenario, plan
        The scenario (its forecast, targets, skills) and a plan for it (roster and agency tables).
    runs, seed
        Number of independent runs and the seed of numpy's generator (same inputs and seed: same result).
    overdispersion
        0 for Poisson arrivals; X > 0 for gamma-Poisson arrivals with variance ``mean + X mean^2`` per slot.
    handle_time, cv
        ``exponential`` (cv 1) or ``lognormal`` with the stream's mean and coefficient of variation ``cv``.
    warmup
        Simulate one whole cycle first and measure the second (True), or start empty (False).
    discipline
        ``oldest``: the oldest item the agent can serve goes first. ``priority``: Erlang streams before
        backlog streams before workload tasks, the oldest first within a class.
    progress
        Called with a line of text every tenth of the work.

    Returns
    -------
    Simulation

    Raises
    ------
    InputError
        A parameter out of range or a plan table that does not fit the scenario.
    SchedulerError
        The plan has no roster (its solve found no plan).
    """
    cv = _check_params(runs, seed, overdispersion, handle_time, cv)
    if discipline not in DISCIPLINES:
        raise InputError("--discipline", "discipline", discipline, f"one of {', '.join(DISCIPLINES)}")
    if not plan.is_feasible():
        raise SchedulerError(f"the plan's status is {plan.status}: there is no roster to simulate")
    base_name = plan.scenario.split(" [", 1)[0]  # a variant's plan is named "<scenario> [<variant>]"
    if plan.scenario and base_name != scenario.spec.name:
        raise InputError(
            "plan.json", "scenario", plan.scenario, f"a plan of the scenario given ('{scenario.spec.name}')"
        )
    notes = []
    if plan.variant != scenario.variant:
        notes.append(f"the plan was solved for variant {plan.variant!r}, simulated with variant {scenario.variant!r}")
    elif plan.scenario_hash and plan.scenario_hash != scenario.hash:
        notes.append("the scenario changed since the plan was solved (its hash differs)")
    agents = plan_agents(scenario, plan)
    streams = _streams(scenario)
    tallies = []
    for group, size in enumerate(_run_groups(scenario, streams, runs, warmup, discipline)):
        # One group keeps the seed as given; more (only to bound memory) draw from (seed, group).
        group_seed = seed if group == 0 else [seed, group]
        engine = _Engine(
            scenario, agents, streams, size, group_seed, overdispersion, handle_time, cv, warmup, progress, discipline
        )
        tallies.append(engine.run())
    tally = _merged(tallies)
    notes.extend(engine.notes)
    return Simulation(
        scenario=scenario.name,
        variant=scenario.variant,
        runs=runs,
        seed=seed,
        overdispersion=float(overdispersion),
        handle_time=handle_time,
        cv=cv,
        warmup=warmup,
        discipline=discipline,
        bands=_band_table(scenario, streams, tally, plan),
        slots=_slot_table(scenario, streams, tally),
        agents=_agent_table(engine, tally),
        notes=tuple(notes),
    )


def _run_groups(scenario: Scenario, streams: _Streams, runs: int, warmup: bool, discipline: str) -> list[int]:
    """Runs simulated together. The priority discipline keeps every arrival of its runs in memory (about 100
    bytes per item and run at the peak, while drawing: the retailer's 4 weeks x 100 runs, 29 M items x runs,
    peaked at 2.9 GB in one group), so its runs are split into groups of at most ``_PRIORITY_CELLS`` items x
    runs; the vectorised engine works in blocks anyway."""
    if discipline != "priority":
        return [runs]
    items = sum(float(np.sum(scenario.arrivals[name])) for name in streams.names[: streams.n_queues])
    per_run = max(1.0, 1.2 * items * (2 if warmup else 1))  # the busiest run of a slot sets its rows
    size = max(1, min(runs, int(_PRIORITY_CELLS // per_run)))
    return [size] * (runs // size) + ([runs % size] if runs % size else [])


def _merged(tallies: list[_Tally]) -> _Tally:
    """Tallies of groups of runs as one: per-run arrays side by side, pooled counts added."""
    if len(tallies) == 1:
        return tallies[0]
    return _Tally(
        items=np.concatenate([t.items for t in tallies]),
        within=np.concatenate([t.within for t in tallies]),
        answered=np.concatenate([t.answered for t in tallies]),
        response=np.concatenate([t.response for t in tallies]),
        queue=np.concatenate([t.queue for t in tallies]),
        histogram=sum(t.histogram for t in tallies),
        busy=sum(t.busy for t in tallies),
    )


def _check_params(runs: Any, seed: Any, overdispersion: Any, handle_time: Any, cv: Any) -> float:
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or not 1 <= runs <= MAX_RUNS:
        raise InputError("--runs", "runs", runs, f"a whole number from 1 to {MAX_RUNS}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("--seed", "seed", seed, "a whole number >= 0")
    if not isinstance(overdispersion, int | float) or not math.isfinite(overdispersion) or overdispersion < 0:
        raise InputError("--overdispersion", "overdispersion", overdispersion, "a number >= 0 (0: Poisson)")
    if handle_time not in HANDLE_MODELS:
        raise InputError("--handle-time", "handle_time", handle_time, f"one of {', '.join(HANDLE_MODELS)}")
    if handle_time == "exponential":
        if cv is not None and cv != 1:
            raise InputError("--cv", "cv", cv, "only with --handle-time lognormal (exponential times have a CV of 1)")
        return 1.0
    if cv is None:
        return 1.0
    if not isinstance(cv, int | float) or not math.isfinite(cv) or not 0 < cv <= 10:
        raise InputError("--cv", "cv", cv, "a coefficient of variation above 0 and at most 10")
    return float(cv)


def _streams(scenario: Scenario) -> _Streams:
    spec = scenario.spec
    queues = [n for n, s in spec.streams.items() if s.response_model != "workload"]
    work = [n for n, s in spec.streams.items() if s.response_model == "workload"]
    within = np.array([[spec.streams[n].target(b).within_minutes for b in BANDS] for n in queues]).reshape(-1, 3)
    share = np.array([[spec.streams[n].target(b).share for b in BANDS] for n in queues]).reshape(-1, 3)
    workloads = []
    for k, name in enumerate(work):
        for _, slots, hours in workload_windows(scenario, name):
            if len(slots):
                workloads.append((len(queues) + k, slots, hours))
    return _Streams(
        names=(*queues, *work),
        n_queues=len(queues),
        handle=np.array([spec.streams[n].handle_minutes for n in queues], dtype=float),
        within=within,
        share=share,
        workloads=tuple(workloads),
    )


@dataclass
class _Tally:
    """Counts per run, queue stream and measured slot (and a pooled response-time histogram)."""

    items: np.ndarray  # (runs, queues, slots)
    within: np.ndarray
    answered: np.ndarray
    response: np.ndarray  # sum of response minutes of answered items
    queue: np.ndarray  # largest number waiting, seen just after each arrival in the slot
    histogram: np.ndarray  # (queues, bands, bins), all runs pooled
    busy: np.ndarray  # (agents,) service minutes started inside the measured cycle, all runs


@dataclass
class _Block:
    """The items of a block of slots for every run, laid out rank by rank: row c holds, for each run, one
    item of the same slot (or padding), rows of a slot in arrival order."""

    slot: np.ndarray  # (slots,) horizon slot of each of the block's slots
    cycle: np.ndarray  # (slots,) -1 warm-up, 0 measured
    width: np.ndarray  # (slots,) rows per slot
    row_slot: np.ndarray  # (rows,) block-local slot of each row
    arrival: np.ndarray  # (rows, runs) minutes from the measured cycle's start
    stream: np.ndarray  # (rows, runs) stream index (len(streams) for padding)
    work: np.ndarray  # (rows, runs) handle minutes at productivity 1
    start: np.ndarray | None = None  # (rows, runs) when an agent starts the item
    chosen: np.ndarray | None = None  # (rows, runs) the agent


class _Engine:
    """The event loop: every run advances one arrival rank per step; each step is a few numpy operations
    over (runs x agents), so the cost grows with the arrivals of one run, hardly with the number of runs."""

    def __init__(
        self,
        scenario: Scenario,
        agents: Sequence[Agent],
        streams: _Streams,
        runs: int,
        seed: int,
        overdispersion: float,
        handle_time: str,
        cv: float,
        warmup: bool,
        progress: Callable[[str], None] | None,
        discipline: str = "oldest",
    ) -> None:
        self.scenario = scenario
        self.discipline = discipline
        self.streams = streams
        self.runs = runs
        self.rng = np.random.default_rng(seed)
        self.overdispersion = overdispersion
        self.handle_time = handle_time
        self.cv = cv
        self.warmup = warmup
        self.progress = progress
        self.notes: list[str] = []
        grid = scenario.grid
        self.n = grid.n_slots
        self.slot = float(grid.slot_minutes)
        self.cycle = self.n * self.slot
        self.lead = self.n if warmup else 0  # timeline slots before the measured cycle
        skills = [scenario.spec.streams[name].skill for name in streams.names]
        eligible = np.array([[skill in a.skills for skill in skills] for a in agents], dtype=bool)
        eligible = eligible.reshape(len(agents), len(skills))
        useful = eligible.any(axis=1)
        # Specialists first: when several agents are free, argmin picks the lowest index.
        order = sorted(
            (i for i in range(len(agents)) if useful[i]),
            key=lambda i: (int(eligible[i].sum()), -agents[i].productivity, agents[i].kind, agents[i].name),
        )
        self.agents = tuple(agents[i] for i in order)
        self.eligible = eligible[order].T.reshape(len(skills), len(order))  # (streams, agents)
        for k, name in enumerate(streams.names):
            if not self.eligible[k].any():
                what = "never answered" if k < streams.n_queues else "its tasks are left undone"
                self.notes.append(f"no agent of the plan has the skill '{skills[k]}' of stream {name}: {what}")
        self.rates = np.array([scenario.arrivals[name] for name in streams.names[: streams.n_queues]], dtype=float)
        self.rates = self.rates.reshape(streams.n_queues, self.n).T  # (slots, queues)
        self.band_of_slot = np.array([BANDS.index(b) for b in scenario.bands], dtype=np.int64)
        self.tasks_of_slot = self._tasks()

    def _tasks(self) -> list[list[tuple[int, float]]]:
        """Workload tasks per slot: (stream, minutes), pieces of at most a quarter of an hour.

        Each calendar week's hours are spread over the window's slots in proportion to the slack of the
        agents who have the skill (their capacity on duty beyond the forecast load of the queues, at most
        their own capacity), as a team fits its posts into quiet hours; evenly over the skilled agents'
        presence when there is no slack, evenly over the window when nobody skilled is on duty."""
        presence = _presence(self.agents, self.n, self.slot)  # (agents, slots)
        productivity = np.array([a.productivity for a in self.agents])
        capacity = productivity @ presence if len(self.agents) else np.zeros(self.n)
        load = (self.rates * self.streams.handle).sum(axis=1) / self.slot if self.streams.n_queues else 0.0
        tasks: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        for k, slots, hours in self.streams.workloads:
            skilled = (productivity * self.eligible[k]) @ presence if len(self.agents) else np.zeros(self.n)
            weight = np.minimum(skilled, np.maximum(0.0, capacity - load))[slots]
            for fallback in (skilled[slots], np.ones(len(slots))):
                if weight.sum() <= 1e-9:
                    weight = fallback
            minutes = hours * 60 * weight / weight.sum()
            for t, total in zip(slots.tolist(), minutes.tolist(), strict=True):
                if total > 1e-9:
                    pieces = math.ceil(total / _TASK_MINUTES - 1e-9)
                    tasks[t].extend([(k, total / pieces)] * pieces)
        return tasks

    # ------------------------------------------------------------------ windows of every agent, 3 cycles
    def _windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat window starts and ends (each agent's windows contiguous, then a sentinel that never
        opens) and each agent's first index. The plan repeats: cycles -1, 0 and +1."""
        starts, ends, first, count = [], [], [], 0
        for agent in self.agents:
            first.append(count)
            shifted = [tuple(w + c * self.cycle) for c in (-1, 0, 1) for w in agent.windows]
            merged = _union(shifted)
            starts.append(np.append(merged[:, 0], _NEVER))
            ends.append(np.append(merged[:, 1], np.inf))
            count += len(merged) + 1
        if not starts:
            return np.array([_NEVER]), np.array([np.inf]), np.zeros(0, dtype=np.int64)
        return np.concatenate(starts), np.concatenate(ends), np.asarray(first, dtype=np.int64)

    def run(self) -> _Tally:
        runs, n_queues, n_agents = self.runs, self.streams.n_queues, len(self.agents)
        self.tally = _Tally(
            items=np.zeros((runs, n_queues, self.n)),
            within=np.zeros((runs, n_queues, self.n)),
            answered=np.zeros((runs, n_queues, self.n)),
            response=np.zeros((runs, n_queues, self.n)),
            queue=np.zeros((runs, n_queues, self.n), dtype=np.int64),
            histogram=np.zeros((n_queues, len(BANDS), _HIST_BINS), dtype=np.int64),
            busy=np.zeros(n_agents),
        )
        self.win_start, self.win_end, first = self._windows()
        self.first_window = first
        begin = -self.lead * self.slot
        self.free = np.full((runs, n_agents), begin - 1.0)  # when each agent can take its next item
        self.pointer = np.tile(first, (runs, 1))  # each agent's current window
        self.cur_start = self.win_start[self.pointer]
        self.cur_end = self.win_end[self.pointer]
        penalty = np.where(self.eligible, 0.0, np.inf)
        self.penalty = np.vstack([penalty, np.zeros((1, n_agents))])  # last row: padding items
        self.inv_productivity = np.array([1 / a.productivity for a in self.agents])
        # Items waiting at the end of the last block, per stream: run and start, sorted; never-answered
        # items are only counted.
        self.carry = [(np.zeros(0, dtype=np.int64), np.zeros(0)) for _ in range(n_queues)]
        self.never = np.zeros((n_queues, runs), dtype=np.int64)
        total = self.lead + self.n
        per_slot = max(1.0, float(self.rates.sum(axis=1).mean()) * runs)
        step = int(max(1, min(total, _CHUNK_ITEMS // per_slot)))
        if self.discipline == "priority":
            step = total  # the event-driven service needs every arrival: one block
        reported = 0
        for lo in range(0, total, step):
            hi = min(total, lo + step)
            block = self._draw(lo, hi)
            if self.discipline == "priority":
                self._serve_by_priority(block)
            else:
                self._serve(block)
            self._tally(block, hi)
            done = int(10 * hi / total)
            if self.progress is not None and done > reported:
                reported = done
                phase = "warm-up cycle" if hi <= self.lead else "measured cycle"
                self.progress(f"simulated {10 * done}% ({runs} runs, {phase})")
        return self.tally

    # ------------------------------------------------------------------------------------ arrivals
    def _draw(self, lo: int, hi: int) -> _Block:
        """Arrivals of every run in timeline slots [lo, hi): a Poisson (or gamma-Poisson) count per slot
        and run, arrival times as sorted uniforms (cumulated exponential spacings, no sort), stream labels
        in proportion to the streams' rates, handle times; workload tasks first in their slots."""
        rng, runs, n_queues = self.rng, self.runs, self.streams.n_queues
        padding = len(self.streams.names)
        u = np.arange(lo, hi)
        slot = np.mod(u - self.lead, self.n)
        cycle = np.floor_divide(u - self.lead, self.n)
        slot_start = (u - self.lead) * self.slot
        n_slots = hi - lo
        rates = self.rates[slot][:, :, None]  # (slots, queues, 1)
        if self.overdispersion > 0:
            shape = 1 / self.overdispersion
            rates = rates * rng.gamma(shape, self.overdispersion, size=(n_slots, n_queues, runs))
        else:
            rates = np.broadcast_to(rates, (n_slots, n_queues, runs))
        total = rates.sum(axis=1)  # (slots, runs)
        counts = rng.poisson(total)
        tasks = [self.tasks_of_slot[t] for t in slot]
        n_tasks = np.array([len(t) for t in tasks], dtype=np.int64)
        most = counts.max(axis=1) if runs else np.zeros(n_slots, dtype=np.int64)
        width = most + n_tasks
        seg_first = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
        rows = int(width.sum())
        arrival = np.full((rows, runs), _DUMMY_ARRIVAL)
        stream = np.full((rows, runs), padding, dtype=np.int16)
        work = np.zeros((rows, runs))
        for i in np.flatnonzero(n_tasks):
            for k, (task_stream, minutes) in enumerate(tasks[i]):
                arrival[seg_first[i] + k] = slot_start[i]
                stream[seg_first[i] + k] = task_stream
                work[seg_first[i] + k] = minutes
        n_items = int(most.sum())
        if n_items:
            local = np.repeat(np.arange(n_slots), most)
            rank = np.arange(n_items) - np.repeat(np.cumsum(most) - most, most)
            row = seg_first[local] + n_tasks[local] + rank
            # Sorted uniforms: the k-th of n is (E_1 + ... + E_k) / (E_1 + ... + E_{n+1}).
            spacing_first = np.cumsum(most + 1) - (most + 1)
            spacings = np.cumsum(rng.standard_exponential((n_items + n_slots, runs)), axis=0)
            before = np.vstack([np.zeros((1, runs)), spacings[spacing_first[1:] - 1]])
            whole = spacings[spacing_first[:, None] + counts, np.arange(runs)] - before
            position = (spacings[spacing_first[local] + rank] - before[local]) / whole[local]
            valid = rank[:, None] < counts[local]
            arrival[row] = np.where(valid, slot_start[local][:, None] + position * self.slot, _DUMMY_ARRIVAL)
            label = np.zeros((n_items, runs), dtype=np.int16)
            if n_queues > 1:
                with np.errstate(invalid="ignore", divide="ignore"):
                    cumulative = np.cumsum(rates, axis=1) / total[:, None, :]
                draw = rng.random((n_items, runs))
                for q in range(n_queues - 1):
                    label += draw > cumulative[local, q]
            stream[row] = np.where(valid, label, padding)
            if self.handle_time == "exponential":
                factor = rng.standard_exponential((n_items, runs))
            else:
                factor = self._lognormal((n_items, runs))
            work[row] = np.where(valid, factor * self.streams.handle[label], 0.0)
        return _Block(slot, cycle, width, np.repeat(np.arange(n_slots), width), arrival, stream, work)

    def _lognormal(self, size: tuple[int, int]) -> np.ndarray:
        """Lognormal factors of mean 1 and the chosen coefficient of variation."""
        sigma2 = math.log(1 + self.cv**2)
        return np.exp(self.rng.normal(-sigma2 / 2, math.sqrt(sigma2), size))

    # ------------------------------------------------------------------------------------ service
    def _serve(self, block: _Block) -> None:
        """Serve the block's items rank by rank: each takes the eligible agent who can start it first.

        An agent can start at ``max(free, arrival)`` if that lies in its current window, else at its next
        window's start. Padding items (arrival -1e18, no work, any agent) only move an idle agent's free
        time to the start of its next window, which changes nothing."""
        rows, runs = block.arrival.shape
        start = np.empty((rows, runs))
        chosen = np.zeros((rows, runs), dtype=np.int64)
        block.start, block.chosen = start, chosen
        if not len(self.agents):
            start.fill(_NEVER)
            return
        free, penalty, inv_productivity = self.free, self.penalty, self.inv_productivity
        cur_start, cur_end = self.cur_start, self.cur_end  # updated in place by _advance
        arrival, stream, work = block.arrival, block.stream, block.work
        orphan = ~self.eligible.any(axis=1)  # streams no agent serves: their items are never started
        if orphan.any():
            unserved = orphan[np.minimum(stream, len(orphan) - 1)] & (stream < len(orphan))
            arrival = np.where(unserved, _DUMMY_ARRIVAL, arrival)
            stream = np.where(unserved, len(orphan), stream)  # served as padding: a no-op
            work = np.where(unserved, 0.0, work)
        arrival = arrival[:, :, None]
        ready, begin, blocked = np.empty_like(free), np.empty_like(free), np.empty_like(free)
        late = np.empty(free.shape, dtype=bool)
        flat = free.reshape(-1)  # a view (free is contiguous): writing it updates free
        row_first = np.arange(runs) * free.shape[1]
        for c in range(rows):
            np.maximum(free, arrival[c], out=ready)
            np.greater_equal(ready, cur_end, out=late)
            if late.any():
                self._advance(ready)
            np.maximum(ready, cur_start, out=begin)
            penalty.take(stream[c], axis=0, out=blocked)
            begin += blocked
            j = begin.argmin(axis=1)
            cell = row_first + j
            s = begin.reshape(-1)[cell]
            flat[cell] = s + work[c] * inv_productivity[j]
            start[c] = s
            chosen[c] = j
        if orphan.any():
            start[unserved] = _NEVER

    def _serve_by_priority(self, block: _Block) -> None:
        """Serve every run's items event by event: an agent who becomes free (or whose window opens) takes
        the oldest item of the most urgent class it can serve; an arriving item goes to the first idle
        eligible agent on duty (specialists first), else waits in its stream's queue."""
        rows, runs = block.arrival.shape
        block.start = np.full((rows, runs), _NEVER)
        block.chosen = np.zeros((rows, runs), dtype=np.int64)
        if not len(self.agents):
            return
        names, spec = self.streams.names, self.scenario.spec.streams
        rank = [_CLASS_OF_MODEL[spec[name].response_model] for name in names]
        # Per agent: the streams it serves, grouped by class, most urgent class first (empty groups left out).
        classes = [
            [group for c in sorted(set(rank)) if (group := [k for k, r in enumerate(rank) if r == c and serves[k]])]
            for serves in self.eligible.T.tolist()
        ]
        eligible = self.eligible.tolist()
        win_start, win_end = self.win_start.tolist(), self.win_end.tolist()
        inv_productivity = self.inv_productivity.tolist()
        begin = -self.lead * self.slot
        for r in range(runs):
            real = np.flatnonzero(block.stream[:, r] < len(names))
            start, chosen = _serve_run(
                block.arrival[real, r].tolist(),
                block.stream[real, r].tolist(),
                block.work[real, r].tolist(),
                classes,
                eligible,
                win_start,
                win_end,
                list(self.first_window),
                inv_productivity,
                begin,
            )
            block.start[real, r] = start
            block.chosen[real, r] = chosen
            if self.progress is not None and runs >= 10 and (r + 1) % (runs // 10) == 0:
                self.progress(f"served {r + 1} of {runs} runs")

    def _advance(self, ready: np.ndarray) -> None:
        """Move agents whose current window ends before they can next start to their next window."""
        rows, cols = np.nonzero(ready >= self.cur_end)
        while len(rows):
            self.pointer[rows, cols] += 1
            p = self.pointer[rows, cols]
            self.cur_start[rows, cols] = self.win_start[p]
            self.cur_end[rows, cols] = self.win_end[p]
            still = ready[rows, cols] >= self.cur_end[rows, cols]
            rows, cols = rows[still], cols[still]

    # ---------------------------------------------------------------------------------------- tallies
    def _tally(self, block: _Block, hi: int) -> None:
        tally, n_queues = self.tally, self.streams.n_queues
        start, arrival, stream = block.start, block.arrival, block.stream
        real = stream < len(self.streams.names)
        started = real & (start >= 0) & (start < self.cycle)
        if started.any() and len(self.agents):
            who = block.chosen[started]
            minutes = block.work[started] * self.inv_productivity[who]
            tally.busy += np.bincount(who, weights=minutes, minlength=len(self.agents))
        end = (hi - self.lead) * self.slot  # the block's end, minutes from the measured cycle's start
        measured_rows = block.cycle[block.row_slot] == 0
        for q in range(n_queues):
            self._queue_lengths(q, block, stream == q, measured_rows, end)
        if not measured_rows.any():
            return
        first_row = int(np.argmax(measured_rows))  # warm-up rows come first
        measured = np.flatnonzero((block.cycle == 0) & (block.width > 0))
        segments = (np.cumsum(block.width) - block.width)[measured] - first_row
        slots = block.slot[measured]
        start, arrival, stream = start[first_row:], arrival[first_row:], stream[first_row:]
        answered = start < _NEVER / 2
        response = np.where(answered, start - arrival, np.inf)
        band = self.band_of_slot[block.slot[block.row_slot[first_row:]]][:, None]
        for q in range(n_queues):
            mine = stream == q
            ok = mine & (response <= self.streams.within[q][band] + 1e-9)
            done = mine & answered
            for target, values in (
                (tally.items, mine),
                (tally.within, ok),
                (tally.answered, done),
                (tally.response, np.where(done, response, 0.0)),
            ):
                target[:, q, slots] += np.add.reduceat(values, segments, axis=0, dtype=float).T
        mine = stream < n_queues
        cell = (stream[mine].astype(np.int64) * len(BANDS) + np.broadcast_to(band, mine.shape)[mine]) * _HIST_BINS
        tally.histogram += np.bincount(cell + _histogram_bin(response[mine]), minlength=tally.histogram.size).reshape(
            tally.histogram.shape
        )

    def _queue_lengths(self, q: int, block: _Block, mine: np.ndarray, measured_rows: np.ndarray, end: float) -> None:
        """Items of stream q waiting just after each of its arrivals, per run; then the items still waiting
        at the block's end are carried to the next block.

        Within a stream, starts follow arrival order (the oldest goes first), so the items waiting at an
        arrival are the arrived ones minus those started by then, counted with sorted searches over the
        items carried from earlier blocks and this block's."""
        carry_run, carry_start = self.carry[q]
        if not measured_rows.any():  # warm-up only: just carry what is still waiting
            never = mine & (block.start >= _NEVER / 2)
            self.never[q] += never.sum(axis=0)
            run, row = np.nonzero((mine & (block.start > end) & ~never).T)
            self._carry(q, carry_run, carry_start, end, run, block.start[row, run])
            return
        run, row = np.nonzero(mine.T)  # by run, then arrival order
        s = block.start[row, run]
        never = s >= _NEVER / 2
        runs = np.arange(self.runs)
        check = measured_rows[row]
        if check.any():
            r = run[check]
            a = block.arrival[row[check], r]
            slot = block.slot[block.row_slot[row[check]]]
            key = run * _KEY + np.minimum(s, _KEY_NEVER)
            query = r * _KEY + a
            block_first = np.searchsorted(run, runs)
            carry_first = np.searchsorted(carry_run, runs)
            carried = np.diff(np.append(carry_first, len(carry_run)))
            rank = np.flatnonzero(check) - block_first[r]
            started = np.searchsorted(key, query, side="right") - block_first[r]
            started += np.searchsorted(carry_run * _KEY + carry_start, query, side="right") - carry_first[r]
            waiting = self.never[q, r] + carried[r] + rank + 1 - started
            np.maximum.at(self.tally.queue, (r, q, slot), waiting)
        self.never[q] += np.bincount(run[never], minlength=self.runs)
        keep = (s > end) & ~never
        self._carry(q, carry_run, carry_start, end, run[keep], s[keep])

    def _carry(
        self, q: int, carry_run: np.ndarray, carry_start: np.ndarray, end: float, run: np.ndarray, start: np.ndarray
    ) -> None:
        """Items of stream q still waiting after ``end``: the older carried ones and the block's, by run."""
        still = carry_start > end
        carry_run = np.concatenate([carry_run[still], run])
        carry_start = np.concatenate([carry_start[still], start])
        order = np.lexsort((carry_start, carry_run))
        self.carry[q] = (carry_run[order], carry_start[order])


def _serve_run(
    arrival: list[float],
    stream: list[int],
    work: list[float],
    classes: list[list[list[int]]],
    eligible: list[list[bool]],
    win_start: list[float],
    win_end: list[float],
    pointer: list[int],
    inv_productivity: list[float],
    begin: float,
) -> tuple[list[float], list[int]]:
    """One run of the priority discipline: items in arrival order; returns each item's start and agent.

    Agents are free from ``begin``; an agent can start an item only inside one of its windows (each agent's
    windows end with a sentinel that never opens) and finishes the item in hand past a window's end."""
    n = len(arrival)
    start = [_NEVER] * n
    chosen = [0] * n
    queues: list[deque[int]] = [deque() for _ in eligible]
    ready = [(begin, j) for j in range(len(pointer))]  # agents not idle: when they can next start
    heapq.heapify(ready)
    idle: list[int] = []  # sorted: the specialists (low indices) first
    i = 0
    while True:
        next_arrival = arrival[i] if i < n else math.inf
        if ready and ready[0][0] <= next_arrival:
            t, j = heapq.heappop(ready)
            p = pointer[j]
            while t >= win_end[p]:
                p += 1
            pointer[j] = p
            if t < win_start[p]:
                if win_start[p] < _NEVER / 2:
                    heapq.heappush(ready, (win_start[p], j))
                continue  # no window left: the agent retires
            item = _most_urgent(queues, classes[j], arrival)
            if item is None:
                bisect.insort(idle, j)
                continue
            start[item], chosen[item] = t, j
            heapq.heappush(ready, (t + work[item] * inv_productivity[j], j))
        elif i < n:
            item, a, k = i, next_arrival, stream[i]
            i += 1
            for j in list(idle):
                if not eligible[k][j]:
                    continue
                p = pointer[j]
                while a >= win_end[p]:
                    p += 1
                pointer[j] = p
                idle.remove(j)
                if a < win_start[p]:  # off duty until its next window opens
                    if win_start[p] < _NEVER / 2:
                        heapq.heappush(ready, (win_start[p], j))
                    continue
                start[item], chosen[item] = a, j
                heapq.heappush(ready, (a + work[item] * inv_productivity[j], j))
                break
            else:
                queues[k].append(item)
        else:
            return start, chosen


def _most_urgent(queues: list[deque[int]], groups: list[list[int]], arrival: list[float]) -> int | None:
    """Pop the oldest waiting item of the most urgent class among an agent's streams, if any."""
    for group in groups:
        best = None
        for k in group:
            if queues[k] and (best is None or arrival[queues[k][0]] < arrival[queues[best][0]]):
                best = k
        if best is not None:
            return queues[best].popleft()
    return None


def _histogram_bin(response: np.ndarray) -> np.ndarray:
    """Bin 0: answered on arrival; last bin: never answered; log bins in between."""
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.floor((np.log10(np.maximum(response, 10.0**_HIST_LOW)) - _HIST_LOW) * _HIST_PER_DECADE)
    bins = 1 + np.clip(np.nan_to_num(index, posinf=_HIST_BINS), 0, _HIST_BINS - 3).astype(np.int64)
    bins = np.where(response <= 0, 0, bins)
    return np.where(np.isinf(response), _HIST_BINS - 1, bins)


def _quantile(histogram: np.ndarray, q: float) -> float:
    """Quantile of the pooled response times from the histogram (log interpolation inside a bin)."""
    total = histogram.sum()
    if total == 0:
        return math.nan
    cumulative = np.cumsum(histogram)
    b = int(np.searchsorted(cumulative, q * total, side="left"))
    if b == 0:
        return 0.0
    if b >= _HIST_BINS - 1:
        return math.inf
    before = cumulative[b - 1]
    inside = (q * total - before) / histogram[b] if histogram[b] else 0.0
    low = _HIST_LOW + (b - 1) / _HIST_PER_DECADE
    return float(10 ** (low + inside / _HIST_PER_DECADE))


# ------------------------------------------------------------------------------------------- tables
def t_quantile(df: int) -> float:
    """Student's t quantile for a two-sided 95 % interval: the table up to 30 degrees of freedom, then
    the Cornish-Fisher expansion around the normal quantile (error below 1e-4)."""
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959963984540054
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def share_interval(shares: np.ndarray) -> tuple[float, float, float]:
    """Mean of the runs' shares and its 95 % t confidence interval (NaN bounds with a single run)."""
    shares = np.asarray(shares, dtype=float)
    mean = float(shares.mean())
    if len(shares) < 2:
        return mean, math.nan, math.nan
    half = t_quantile(len(shares) - 1) * float(shares.std(ddof=1)) / math.sqrt(len(shares))
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def _band_table(scenario: Scenario, streams: _Streams, tally: _Tally, plan: Plan) -> pd.DataFrame:
    band_of_slot = np.array([BANDS.index(b) for b in scenario.bands])
    planned = {}
    if not plan.service.empty and {"stream", "band", "expected_share"} <= set(plan.service.columns):
        planned = {(str(r.stream), str(r.band)): r.expected_share for r in plan.service.itertuples(index=False)}
    rows = []
    for k, name in enumerate(streams.names[: streams.n_queues]):
        model = scenario.spec.streams[name].response_model
        for b, band in enumerate(BANDS):
            mask = band_of_slot == b
            if not mask.any():
                continue
            items = tally.items[:, k, mask].sum(axis=1)
            within = tally.within[:, k, mask].sum(axis=1)
            answered = tally.answered[:, k, mask].sum(axis=1)
            with_items = items > 0
            if not with_items.any():
                continue
            share, low, high = share_interval(within[with_items] / items[with_items])
            target = float(streams.share[k, b])
            meets = not (target > high) if len(items[with_items]) >= 2 else share >= target
            total_answered = answered.sum()
            largest = tally.queue[:, k, mask].max(axis=1)
            rows.append(
                {
                    "stream": name,
                    "band": band,
                    "model": model,
                    "target_share": target,
                    "target_minutes": float(streams.within[k, b]),
                    "items": float(items.mean()),
                    "share": share,
                    "ci_low": low,
                    "ci_high": high,
                    "mean_response": float(tally.response[:, k, mask].sum() / total_answered)
                    if total_answered
                    else math.inf,
                    "p90_response": _quantile(tally.histogram[k, b], 0.9),
                    "max_queue": int(largest.max()),
                    "mean_max_queue": float(largest.mean()),
                    "unanswered": float(1 - total_answered / items.sum()),
                    "planned_share": float(planned.get((name, band), math.nan)),
                    "meets": bool(meets),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "stream", "band", "model", "target_share", "target_minutes", "items", "share", "ci_low", "ci_high",
            "mean_response", "p90_response", "max_queue", "mean_max_queue", "unanswered", "planned_share", "meets",
        ],
    )  # fmt: skip


def _slot_table(scenario: Scenario, streams: _Streams, tally: _Tally) -> pd.DataFrame:
    """Per stream and slot, all runs pooled: items, share within target, mean response, largest queue."""
    grid = scenario.grid
    starts = [t.isoformat() for t in grid.local_starts]
    frames = []
    for k, name in enumerate(streams.names[: streams.n_queues]):
        items = tally.items[:, k].sum(axis=0)
        answered = tally.answered[:, k].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(items > 0, tally.within[:, k].sum(axis=0) / items, np.nan)
            mean_response = np.where(answered > 0, tally.response[:, k].sum(axis=0) / answered, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "slot": np.arange(grid.n_slots),
                    "start": starts,
                    "band": scenario.bands,
                    "stream": name,
                    "items": items / tally.items.shape[0],
                    "target_share": [streams.share[k, BANDS.index(b)] for b in scenario.bands],
                    "share": share,
                    "mean_response": mean_response,
                    "max_queue": tally.queue[:, k].max(axis=0),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["slot", "start", "band", "stream", "items", "target_share", "share"])
    return pd.concat(frames, ignore_index=True)


def _agent_table(engine: _Engine, tally: _Tally) -> pd.DataFrame:
    names = engine.streams.names
    rows = []
    for j, agent in enumerate(engine.agents):
        on_duty = agent.minutes_on_duty
        rows.append(
            {
                "agent": agent.name,
                "role": agent.role,
                "serves": ", ".join(n for k, n in enumerate(names) if engine.eligible[k, j]),
                "productivity": agent.productivity,
                "hours_on_duty": on_duty / 60,
                "occupancy": float(tally.busy[j] / len(tally.items) / on_duty) if on_duty else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=["agent", "role", "serves", "productivity", "hours_on_duty", "occupancy"])


def describe_model(simulation: Simulation) -> str:
    """One sentence on what was simulated, for tables and reports."""
    arrivals = (
        "Poisson arrivals"
        if simulation.overdispersion == 0
        else f"gamma-Poisson arrivals (overdispersion {simulation.overdispersion:g})"
    )
    handle = (
        "exponential handle times"
        if simulation.handle_time == "exponential"
        else (f"lognormal handle times (CV {simulation.cv:g})")
    )
    start = "after a warm-up cycle" if simulation.warmup else "starting empty"
    order = "oldest item first" if simulation.discipline == "oldest" else "Erlang streams before backlog streams"
    return f"{simulation.runs} runs, seed {simulation.seed}, {arrivals}, {handle}, {order}, measured {start}"
