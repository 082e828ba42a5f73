"""Many solves at once: variants side by side (``compare``), a grid of what-ifs (``sweep``) and the
break-even points between plans.

A job is a scenario, a variant and solver settings (plus the sweep's settings). The scenario travels as
data (the file's content and its demand files' text, read once on the client), never as a path: a Ray
cluster's workers do not share the client's disk. Each worker builds the variant and the settings itself.
A sweep runs its points in *chains* along the first axis, each point hinted with its neighbour's plan.
Infeasible or timed-out plans stay in every table with their status and no cost: they never rank.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import signal
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.errors import InputError
from scheduler.plan import Plan
from scheduler.scenario import Scenario, build_scenario, load_scenario
from scheduler.scenario.merge import deep_merge
from scheduler.solve import SolveParams, solve

BASE = "base"  # the scenario as written, beside its declared variants
MAX_POINTS = 400  # grid points of one sweep (every point is a solve)
NIGHT_WEEKEND_COMPONENTS = (
    "night premium",
    "Sunday premium",
    "holiday premium",
    "1 May premium",
    "agency hours (night)",
    "agency hours (weekend)",
)
SALARIED = ("senior", "junior")


# ============================================================================================ axes
@dataclass(frozen=True)
class Axis:
    """One swept quantity: a path (``demand.scale``, ``agency.rate`` or a dotted scenario path) and its
    values."""

    path: str
    values: tuple[float, ...]

    def unit(self, currency: str = "EUR") -> str:
        return axis_unit(self.path, currency)


_RANGE = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")


def parse_vary(text: str) -> Axis:
    """``PATH=START:STOP:STEP`` (STOP included) or ``PATH=V1,V2,...`` -> Axis; InputError otherwise."""
    allowed = "PATH=START:STOP:STEP (e.g. demand.scale=0.5:3:0.25) or PATH=V1,V2,... with numbers"
    if "=" not in text:
        raise InputError("--vary", "--vary", text, allowed)
    path, _, spec = text.partition("=")
    path = path.strip()
    if not path or not re.fullmatch(r"[A-Za-z0-9_*\-]+(\.[A-Za-z0-9_*\-]+)*", path):
        raise InputError("--vary", "--vary path", path, "a dotted path such as demand.scale or roles.junior.salary")
    match = _RANGE.match(spec)
    try:
        if match:
            start, stop, step = (float(g) for g in match.groups())
            if not all(math.isfinite(v) for v in (start, stop, step)) or step <= 0 or stop < start:
                raise InputError("--vary", f"--vary {path}", spec, "START <= STOP and STEP > 0, finite numbers")
            count = math.floor((stop - start) / step + 1e-9) + 1
            if count > MAX_POINTS:
                raise InputError("--vary", f"--vary {path}", spec, f"at most {MAX_POINTS} values (a solve each)")
            values = tuple(round(start + i * step, 10) for i in range(count))
        else:
            values = tuple(float(v) for v in spec.split(",") if v.strip())
            if not values or not all(math.isfinite(v) for v in values):
                raise ValueError
            if len(values) > MAX_POINTS:
                raise InputError("--vary", f"--vary {path}", spec, f"at most {MAX_POINTS} values (a solve each)")
    except ValueError:
        raise InputError("--vary", f"--vary {path}", spec, allowed) from None
    if len(set(values)) != len(values):
        raise InputError("--vary", f"--vary {path}", spec, "distinct values")
    return Axis(path, values)


def axis_unit(path: str, currency: str = "EUR") -> str:
    """The unit a swept value is stated in (for sentences and chart labels)."""
    money = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency)
    if path == "demand.scale":
        return "× demand"
    if path == "agency.rate" or ".rates_per_hour." in path:
        return f"{money}/h"
    leaf = path.rsplit(".", 1)[-1]
    return {
        "monthly_gross": f"{money} a month",
        "recruitment_cost": money,
        "training_cost": money,
        "monthly_fee": f"{money} a month",
        "stipend_per_hour": f"{money}/h",
        "handle_minutes": "min",
        "within_minutes": "min",
        "hours_per_week": "h a week",
        "weekly_items": "items a week",
        "max": "people",
        "max_concurrent": "moderators",
    }.get(leaf, "")


def apply_setting(scenario: Scenario, path: str, value: float) -> Scenario:
    """The scenario with one swept quantity set (validated again; InputError names ``--vary``)."""
    overrides = setting_overrides(scenario, path, value)
    try:
        return scenario.with_overrides(overrides)
    except InputError as exc:
        raise InputError(
            "--vary", f"{path}={value:g}", exc.value, f"a value the scenario accepts ({exc.field}: {exc.allowed})"
        ) from None


def setting_overrides(scenario: Scenario, path: str, value: float) -> dict[str, Any]:
    """What a swept value changes, as a dict to deep-merge over the scenario.

    ``demand.scale`` multiplies every stream's arrivals (on top of its own ``arrivals.scale``);
    ``agency.rate`` sets the day rate of every agency role and moves its night and weekend rates in
    proportion; any other dotted path (``*`` for every key) sets that field.
    """
    spec = scenario.spec
    if path == "demand.scale":
        if value < 0:
            raise InputError("--vary", path, value, "a demand factor >= 0")
        streams = {
            name: {"arrivals": {"scale": round(s.arrivals.scale * value, 12)}}
            for name, s in spec.streams.items()
            if s.arrivals is not None
        }
        return {"streams": streams}
    if path == "agency.rate":
        if value < 0:
            raise InputError("--vary", path, value, "an hourly rate >= 0")
        roles = {}
        for name, role in spec.roles.items():
            if role.kind != "agency" or role.rates_per_hour is None:
                continue
            rates = role.rates_per_hour
            if rates.day > 0:
                ratio = value / rates.day
                roles[name] = {
                    "rates_per_hour": {
                        "day": value,
                        "night": round(rates.night * ratio, 6),
                        "weekend": round(rates.weekend * ratio, 6),
                    }
                }
            else:
                roles[name] = {"rates_per_hour": {"day": value, "night": value, "weekend": value}}
        return {"roles": roles}
    dumped = spec.model_dump(by_alias=True, mode="json")
    return _path_overrides(dumped, dict(scenario.raw), path.split("."), value, path)


def _path_overrides(node: Any, raw: Any, parts: list[str], value: float, path: str, done: str = "") -> Any:
    """Walk ``parts`` through the validated scenario (``node``, defaults filled in) to check the path,
    and build the override from the file's own content (``raw``). Lists are replaced whole (that is how
    scenarios merge), with the indexed items changed: ``people.0.training_cost``, ``presence.*.min``."""
    key, rest = parts[0], parts[1:]
    where = f"'{done}'" if done else "the scenario"
    if isinstance(node, list):
        if key == "*":
            indices = list(range(len(node)))
        elif key.isdigit() and int(key) < len(node):
            indices = [int(key)]
        else:
            allowed = f"an index from 0 to {len(node) - 1} or *" if node else "(the list is empty)"
            raise InputError("--vary", "--vary path", path, f"an item of {where}: {allowed}")
        items = list(raw) if isinstance(raw, list) and len(raw) == len(node) else list(node)
        for i in indices:
            here = f"{done}.{i}"
            if rest:
                change = _path_overrides(node[i], items[i], rest, value, path, here)
                items[i] = deep_merge(items[i], change) if isinstance(change, Mapping) else change
            else:
                items[i] = _number(node[i], value, path, here)
        return items
    if not isinstance(node, Mapping):
        raise InputError("--vary", "--vary path", path, f"a path into the scenario ('{done}' holds no fields)")
    keys = list(node) if key == "*" else [key]
    if key != "*" and key not in node:
        allowed = ", ".join(str(k) for k in node) or "(nothing here)"
        raise InputError("--vary", "--vary path", path, f"a field of {where}; '{key}' is not one of: {allowed}")
    out: dict[str, Any] = {}
    for k in keys:
        here = f"{done}.{k}" if done else str(k)
        if rest:
            inner = raw.get(k) if isinstance(raw, Mapping) else None
            out[k] = _path_overrides(node[k], inner, rest, value, path, here)
        else:
            out[k] = _number(node[k], value, path, here)
    return out


def _number(current: Any, value: float, path: str, here: str) -> float | int:
    """The swept value in the field's own type (a whole number for integer fields)."""
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise InputError("--vary", "--vary path", path, f"a numeric field ({here} is {current!r})")
    return int(value) if isinstance(current, int) and float(value).is_integer() else value


# ============================================================================================ jobs
@dataclass(frozen=True, eq=False)
class ScenarioData:
    """A scenario file and its demand files as the client read them: all a worker needs to build the
    scenario again without the client's disk."""

    source: str  # the path as given: for messages only, never opened by a worker
    raw: Mapping[str, Any]  # the file's content, variants included
    demand_texts: Mapping[str, str]  # demand CSV text by the name the file gives

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioData:
        """The data of a loaded scenario (plain dicts: they pickle, read-only views do not)."""
        return cls(scenario.source, dict(scenario.base_raw or scenario.raw), dict(scenario.demand_texts))

    def build(self, variant: str | None = None) -> Scenario:
        """The scenario (or one of its variants), validated as ``load_scenario`` does."""
        base = build_scenario(self.raw, source=self.source, demand_texts=self.demand_texts)
        return base.with_variant(variant) if variant else base

    @property
    def name(self) -> str:
        name = self.raw.get("name")
        return name if isinstance(name, str) else Path(self.source).stem


@dataclass(frozen=True)
class Job:
    """One solve: which scenario (its path names it; its data is what workers use), which variant, solver
    settings and the sweep's settings."""

    scenario_path: str
    variant: str | None  # None: the base scenario
    params: SolveParams
    settings: tuple[tuple[str, float], ...] = ()
    simulate_runs: int = 0  # > 0: also simulate the plan (if scheduler.simulate exists)
    discipline: str = "oldest"  # the simulation's queue discipline (see scheduler.simulate)
    # The scenario as data; None only for jobs made by hand, which run_chains fills in before sending.
    scenario: ScenarioData | None = field(default=None, compare=False, repr=False)

    @property
    def variant_name(self) -> str:
        return self.variant or BASE

    @property
    def label(self) -> str:
        point = ", ".join(f"{p}={v:g}" for p, v in self.settings)
        return f"{Path(self.scenario_path).stem} / {self.variant_name}" + (f" @ {point}" if point else "")


@dataclass
class Outcome:
    """What a job gave: the plan (None only when the job failed with an error) and its summary row."""

    job: Job
    plan: Plan | None
    row: dict[str, Any]
    error: str | None = None
    notes: tuple[str, ...] = ()


def job_scenario(job: Job) -> Scenario:
    """Build the job's scenario as a worker does: its data (the file only for a job made by hand and run
    here), the variant, then the sweep's settings."""
    if job.scenario is not None:
        scenario = job.scenario.build(job.variant)
    else:
        scenario = load_scenario(job.scenario_path, variant=job.variant)
    for path, value in job.settings:
        scenario = apply_setting(scenario, path, value)
    return scenario


def run_job(job: Job, hint: Plan | None = None) -> Outcome:
    """Solve one job. Errors become an outcome with ``error`` set, so one bad job never loses a batch; a
    simulation that fails leaves the plan in place with a note."""
    scenario: Scenario | None = None
    try:
        scenario = job_scenario(job)
        plan = solve(scenario, job.params, hint=hint if hint is not None and hint.is_feasible() else None)
        row = plan_row(scenario, plan, job.settings)
    except Exception as exc:  # reported in the table; the batch goes on
        text = exc.message if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        detail = "" if isinstance(exc, InputError) else traceback.format_exc(limit=6)
        return failed(job, text, detail=detail, scenario=scenario)
    notes: list[str] = []
    if job.simulate_runs and plan.is_feasible():
        try:
            shares, note, meets = simulated_service(scenario, plan, job.simulate_runs, job.discipline)
        except Exception as exc:  # the plan stands without its simulation
            text = exc.message if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            shares, note, meets = {}, f"--simulate failed for {job.label}: {text}", None
        row.update({f"simulated_{stream}": share for stream, share in shares.items()})
        if shares and meets is not None:
            row["simulated_meets_targets"] = meets
        if note:
            notes.append(note)
    return Outcome(job, plan, row, notes=tuple(notes))


def failed(
    job: Job, text: str, *, status: str = "ERROR", detail: str = "", scenario: Scenario | None = None
) -> Outcome:
    """The outcome of a job that gave no plan: a row with its status and no cost, and the error."""
    if scenario is not None:
        name, description = scenario.spec.name, scenario.spec.description.strip()
    else:
        name, description = (job.scenario.name if job.scenario else Path(job.scenario_path).stem), ""
    row = {
        "scenario": name,
        "variant": job.variant_name,
        **{path: value for path, value in job.settings},
        "description": description,
        "status": status,
        "feasible": False,
        "total_cost": None,
        "message": text,
    }
    return Outcome(job, None, row, error=text + ("\n" + detail if detail else ""))


_PROGRESS = None  # a multiprocessing queue in pool workers: one message per finished point


def _init_worker(queue) -> None:
    global _PROGRESS
    _PROGRESS = queue


def run_chain(chain: Sequence[Job]) -> list[Outcome]:
    """Solve jobs in order, each hinted with the previous feasible plan (neighbouring sweep points)."""
    outcomes = []
    hint: Plan | None = None
    for job in chain:
        outcome = run_job(job, hint)
        if outcome.plan is not None and outcome.plan.is_feasible():
            hint = outcome.plan
        outcomes.append(outcome)
        if _PROGRESS is not None:
            _PROGRESS.put(job.label)
    return outcomes


Progress = Callable[[str], None]


def run_chains(
    chains: Sequence[Sequence[Job]],
    *,
    jobs: int = 1,
    backend: str = "local",
    address: str | None = None,
    on_done: Progress | None = None,
) -> list[Outcome]:
    """Run every chain; outcomes come back in the order of the chains and of the jobs inside them.

    ``local`` uses a process pool of ``jobs`` processes (in this process when ``jobs`` is 1); ``ray``
    sends each chain as a Ray task (``ray.init(address)``, else ``$RAY_ADDRESS``, else a local Ray). Jobs
    made by hand get their scenario's data here: each file is read once, on this machine.
    """
    chains = with_data(chains)
    if backend == "ray":
        return _run_ray(chains, jobs=jobs, address=address, on_done=on_done)
    if backend != "local":
        raise InputError("--backend", "--backend", backend, "local or ray")
    if jobs <= 1 or len(chains) <= 1:
        out: list[Outcome] = []
        for chain in chains:
            for outcome in run_chain(chain):
                out.append(outcome)
                if on_done:
                    on_done(outcome.job.label)
        return out
    return _run_pool(chains, jobs=jobs, on_done=on_done)


def with_data(chains: Sequence[Sequence[Job]]) -> list[list[Job]]:
    """Every job with its scenario's data (each file read once), so that no worker opens a client path."""
    read: dict[str, ScenarioData] = {}
    out = []
    for chain in chains:
        jobs = []
        for job in chain:
            if job.scenario is None:
                if job.scenario_path not in read:
                    read[job.scenario_path] = ScenarioData.of(load_scenario(job.scenario_path))
                job = replace(job, scenario=read[job.scenario_path])
            jobs.append(job)
        out.append(jobs)
    return out


def _pool_context():
    """forkserver where there is one (safe with threads, starts workers quickly), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["scheduler.batch"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_pool(chains: Sequence[Sequence[Job]], *, jobs: int, on_done: Progress | None) -> list[Outcome]:
    ctx = _pool_context()
    queue = ctx.Queue()
    results: dict[int, list[Outcome]] = {}
    executor = ProcessPoolExecutor(
        max_workers=min(jobs, len(chains)), mp_context=ctx, initializer=_init_worker, initargs=(queue,)
    )
    try:
        futures = {executor.submit(run_chain, list(chain)): i for i, chain in enumerate(chains)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(queue, on_done)
            for future in done:
                results[futures[future]] = future.result()
        _drain(queue, on_done)
    except BaseException:
        # Ctrl-C or a broken pool: stop the workers this pool started, then re-raise.
        for process in list(getattr(executor, "_processes", {}).values()):
            if process.is_alive():
                process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return [outcome for i in range(len(chains)) for outcome in results[i]]


def _drain(queue, on_done: Progress | None) -> None:
    import queue as queue_lib

    while True:
        try:
            label = queue.get_nowait()
        except queue_lib.Empty:
            return
        except (OSError, EOFError, ValueError):
            return
        if on_done:
            on_done(label)


RAY_MISSING = "the Ray backend needs the optional extra: pip install .[ray]  (or: pip install 'ray[default]')"
WORKER_DIED = "WORKER_DIED"  # the status of a job whose Ray worker died on both attempts
RAY_RETRIES = 1  # a chain whose worker dies (killed, out of memory, node lost) is run once more
# Tests only: "VARIANT" kills the worker of every chain that solves that variant, "VARIANT:FILE" only the
# first one (the one that creates FILE), so that the retry succeeds.
KILL_HOOK = "SCHEDULER_TEST_KILL_WORKER"


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scheduler")
    except PackageNotFoundError:
        return "unknown"


def _remote_chain(chain: list[Job], places: list[int], client_version: str, *datas: ScenarioData) -> list[Outcome]:
    """What a Ray worker runs: the chain with its scenarios' data put back (``datas`` come from the object
    store, each sent once), and the outcomes without that data (the client has it)."""
    _kill_hook(chain)
    jobs = [replace(job, scenario=datas[k]) for job, k in zip(chain, places, strict=True)]
    mine = _version()
    if mine != client_version:
        text = (
            f"this Ray worker has scheduler {mine}, the client {client_version}: "
            "install the same version on every node of the cluster"
        )
        outcomes = [failed(job, text) for job in jobs]
    else:
        outcomes = run_chain(jobs)
    return [replace(o, job=replace(o.job, scenario=None)) for o in outcomes]


def _kill_hook(chain: Sequence[Job]) -> None:
    spec = os.environ.get(KILL_HOOK)
    if not spec:
        return
    variant, _, marker = spec.partition(":")
    if not any(job.variant_name == variant for job in chain):
        return
    if marker:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return  # killed once already: this attempt lives
    os.kill(os.getpid(), signal.SIGKILL)


def _run_ray(
    chains: Sequence[Sequence[Job]], *, jobs: int, address: str | None, on_done: Progress | None
) -> list[Outcome]:
    try:
        import ray
    except ImportError:
        raise InputError("--backend", "--backend", "ray", RAY_MISSING) from None
    address = address or os.environ.get("RAY_ADDRESS") or None
    started_here = not ray.is_initialized()
    if started_here:
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False, "include_dashboard": False}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = max(1, jobs * max(c[0].params.workers for c in chains if c))
        try:
            ray.init(**kwargs)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise InputError("--address", "--address", address, f"a reachable Ray cluster ({exc})") from None
    try:
        cpus = max(1, max((c[0].params.workers for c in chains if c), default=1))
        remote = ray.remote(num_cpus=cpus, max_retries=RAY_RETRIES)(_remote_chain)
        refs: dict[int, Any] = {}  # each scenario's data goes to the object store once
        for chain in chains:
            for job in chain:
                if id(job.scenario) not in refs:
                    refs[id(job.scenario)] = ray.put(job.scenario)
        version = _version()
        limit = max(1, jobs)
        queue = list(enumerate(chains))
        running: dict[Any, int] = {}
        results: dict[int, list[Outcome]] = {}
        while queue or running:
            while queue and len(running) < limit:
                i, chain = queue.pop(0)
                used = list(dict.fromkeys(id(job.scenario) for job in chain))
                places = [used.index(id(job.scenario)) for job in chain]
                stripped = [replace(job, scenario=None) for job in chain]
                running[remote.remote(stripped, places, version, *[refs[k] for k in used])] = i
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
            for ref in ready:
                i = running.pop(ref)
                results[i] = _ray_result(ray, ref, chains[i])
                if on_done:
                    for outcome in results[i]:
                        on_done(outcome.job.label)
        return [outcome for i in range(len(chains)) for outcome in results[i]]
    finally:
        if started_here:
            ray.shutdown()


def _ray_result(ray: Any, ref: Any, chain: Sequence[Job]) -> list[Outcome]:
    """A chain's outcomes with the client's own jobs; a chain whose worker died twice, or whose task could
    not run, is one failed outcome per job (the rest of the batch is not lost)."""
    from ray import exceptions as ray_errors

    try:
        outcomes = ray.get(ref)
    except ray_errors.RayTaskError as exc:  # the task raised (run_job itself never does)
        cause = exc.cause if isinstance(exc.cause, BaseException) else exc
        lines = str(cause).strip().splitlines()
        text = f"the Ray task failed: {type(cause).__name__}" + (f": {lines[0]}" if lines else "")
        if isinstance(cause, ImportError):
            text += " (is the scheduler package installed on every node of the cluster?)"
        return [failed(job, text) for job in chain]
    except ray_errors.RayError as exc:  # the worker or its node died, on every attempt
        lines = str(exc).strip().splitlines()
        text = f"the Ray worker died on all {RAY_RETRIES + 1} attempts ({type(exc).__name__}" + (
            f": {lines[0]})" if lines else ")"
        )
        return [failed(job, text, status=WORKER_DIED) for job in chain]
    return [replace(outcome, job=job) for outcome, job in zip(outcomes, chain, strict=True)]


def default_jobs(workers: int = 1) -> int:
    """Processes such that jobs x CP-SAT workers stays within the machine's cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, workers))


# ========================================================================================= metrics
def plan_row(scenario: Scenario, plan: Plan, settings: Iterable[tuple[str, float]] = ()) -> dict[str, Any]:
    """The figures a comparison shows for one plan. Plans without a roster have no cost figures (None),
    never zeros, so they cannot look cheap."""
    spec = scenario.spec
    grid = scenario.grid
    feasible = plan.is_feasible()
    items = float(sum(float(a.sum()) for a in scenario.arrivals.values()))
    total = plan.total_cost
    kinds = {name: role.kind for name, role in spec.roles.items()}
    row: dict[str, Any] = {
        "scenario": spec.name,
        "variant": scenario.variant or BASE,
        **{path: value for path, value in settings},
        "description": spec.description.strip(),
        "status": plan.status,
        "feasible": feasible,
        "total_cost": total,
        "best_bound": plan.stats.best_bound,
        "gap": plan.stats.gap,
        "wall_time": round(plan.stats.wall_time, 2),
        "items": round(items, 3),
        "items_per_week": round(items / grid.days * 7, 3),
        "cost_per_item": round(total / items, 4) if total is not None and items > 0 else None,
        "currency": plan.currency,
    }
    for role in spec.hire:
        row[f"hires_{role}"] = int(plan.hires.get(role, 0)) if feasible else None
    if feasible:
        roster = plan.roster
        by_kind = roster.groupby(roster["role"].map(kinds))["paid_hours"].sum() if not roster.empty else pd.Series()
        row["in_house_hours"] = round(float(sum(by_kind.get(k, 0.0) for k in SALARIED)), 2)
        row["trainee_hours"] = round(float(by_kind.get("trainee", 0.0)), 2)
        row["agency_hours"] = round(float(plan.agency["hours"].sum()) if not plan.agency.empty else 0.0, 2)
        costs = plan.costs
        night = costs[costs["component"].isin(NIGHT_WEEKEND_COMPONENTS)]["amount"].sum() if not costs.empty else 0
        row["night_weekend_cost"] = round(float(night), 2)
        row["meets_targets"] = bool(plan.service["meets"].astype(bool).all()) if not plan.service.empty else True
    else:
        row.update(
            in_house_hours=None, trainee_hours=None, agency_hours=None, night_weekend_cost=None, meets_targets=None
        )
    for stream, share in expected_service(scenario, plan).items():
        row[f"service_{stream}"] = share
    row["message"] = plan.stats.message
    return row


def expected_service(scenario: Scenario, plan: Plan) -> dict[str, float | None]:
    """Per stream: the expected share answered within target, the bands weighted by their items."""
    bands = np.asarray(scenario.bands)
    out: dict[str, float | None] = {}
    for name, stream in scenario.spec.streams.items():
        if stream.response_model == "workload":
            continue
        if not plan.is_feasible() or plan.service.empty:
            out[name] = None
            continue
        mine = plan.service[plan.service["stream"] == name]
        items = scenario.arrivals[name]
        weights = [float(items[bands == band].sum()) for band in mine["band"]]
        if not len(mine) or sum(weights) <= 0:
            out[name] = None
            continue
        out[name] = round(float(np.average(mine["expected_share"].astype(float), weights=weights)), 4)
    return out


def simulated_service(
    scenario: Scenario, plan: Plan, runs: int, discipline: str = "oldest"
) -> tuple[dict[str, float], str | None, bool | None]:
    """Per stream simulated share within target, from ``scheduler.simulate`` when it is installed, and
    whether every band met its target (None when the result does not say).

    Returns the shares and a note when they could not be had (module missing, or a result this code does
    not know how to read). The result is read as a table with a ``stream`` column, a share column and
    optionally ``items`` (``Simulation.bands``: one row per stream and band), bands weighted by items.
    """
    try:
        from scheduler.simulate import simulate
    except ImportError:
        return {}, SIMULATE_MISSING, None
    result = simulate(scenario, plan, runs, discipline=discipline)
    check_targets = getattr(result, "meets_targets", None)
    meets = bool(check_targets()) if callable(check_targets) else None
    frame = _simulation_frame(result)
    if frame is None:
        return {}, f"--simulate: could not read the simulation result ({type(result).__name__})", None
    column = next((c for c in SHARE_COLUMNS if c in frame.columns), None)
    if column is None or "stream" not in frame.columns:
        return {}, f"--simulate: the simulation table has no stream/share columns ({', '.join(frame.columns)})", None
    out = {}
    for stream, part in frame.groupby("stream"):
        weights = part["items"].astype(float) if "items" in part.columns else None
        values = part[column].astype(float)
        if weights is not None and weights.sum() > 0:
            out[str(stream)] = round(float(np.average(values, weights=weights)), 4)
        else:
            out[str(stream)] = round(float(values.mean()), 4)
    return out, None, meets


SIMULATE_MISSING = "--simulate: scheduler.simulate is not installed yet, so there is no simulated service level"
SHARE_COLUMNS = ("simulated_share", "share_within_target", "within_target", "service_level", "share")


def _simulation_frame(result: Any) -> pd.DataFrame | None:
    if isinstance(result, pd.DataFrame):
        return result
    for name in ("bands", "service", "by_stream"):
        value = getattr(result, name, None)
        if isinstance(value, pd.DataFrame):
            return value
    summary = getattr(result, "summary", None)
    if callable(summary):
        value = summary()
        if isinstance(value, pd.DataFrame):
            return value
    return None


# ========================================================================================= compare
def compare_jobs(
    scenario_paths: Sequence[str],
    variants: Sequence[str] | None,
    params: SolveParams,
    *,
    simulate_runs: int = 0,
    discipline: str = "oldest",
) -> tuple[list[Job], dict[tuple[str, str], Scenario]]:
    """Every scenario x variant (``base`` included unless ``variants`` restricts), validated before any
    solve; returns the jobs and the loaded scenarios by (path, variant name)."""
    jobs, scenarios = [], {}
    for path in scenario_paths:
        base = load_scenario(path)
        data = ScenarioData.of(base)
        names = _variant_names(base, variants)
        for name in names:
            scenario = base if name == BASE else base.with_variant(name)
            scenarios[(path, name)] = scenario
            variant = None if name == BASE else name
            jobs.append(Job(path, variant, params, simulate_runs=simulate_runs, discipline=discipline, scenario=data))
    return jobs, scenarios


def _variant_names(base: Scenario, variants: Sequence[str] | None) -> list[str]:
    declared = list(base.variant_names())
    if BASE in declared:
        raise InputError(
            base.source, f"variants.{BASE}", BASE, "another name: 'base' stands for the scenario as written"
        )
    if not variants:
        return [BASE, *declared]
    allowed = ", ".join([BASE, *declared])
    for name in variants:
        if name != BASE and name not in declared:
            raise InputError(base.source, "--variants", name, f"names among: {allowed}")
    return list(dict.fromkeys(variants))


def parse_variants(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise InputError("--variants", "--variants", text, "a comma-separated list of variant names, e.g. base,recruit")
    return names


def rank(rows: pd.DataFrame) -> pd.DataFrame:
    """Cheapest first; plans without a cost (infeasible, timed out, failed) last, in their given order."""
    out = rows.copy()
    out["_order"] = range(len(out))
    out["_missing"] = out["total_cost"].isna()
    out = out.sort_values(["_missing", "total_cost", "_order"], kind="stable", na_position="last")
    rank_values = []
    n = 0
    for missing in out["_missing"]:
        if missing:
            rank_values.append(None)
        else:
            n += 1
            rank_values.append(n)
    out["rank"] = pd.array(rank_values, dtype="Int64")
    return out.drop(columns=["_order", "_missing"]).reset_index(drop=True)


def plan_label(row: Mapping[str, Any], several_scenarios: bool) -> str:
    """How tables name a plan: its ``plan`` label when the row has one, else variant (with scenario)."""
    label = row.get("plan")
    if isinstance(label, str) and label:
        return label
    return f"{row['scenario']} / {row['variant']}" if several_scenarios else str(row["variant"])


def cheapest_sentence(ranked: pd.DataFrame) -> str:
    """Which plan is cheapest among those with a plan, and whether that ranking is proven."""
    from scheduler.report.table import money, percent

    several = ranked["scenario"].nunique() > 1
    feasible = ranked[ranked["total_cost"].notna()]
    if feasible.empty:
        return "No plan was found for any variant: nothing to rank."
    best = feasible.iloc[0]
    currency = str(best.get("currency") or "EUR")
    text = (
        f"Cheapest plan: {plan_label(best, several)} at {money(best['total_cost'], currency)} "
        f"({best['status']}"
        + (f", gap {percent(best['gap'])}" if best["status"] != "OPTIMAL" and pd.notna(best["gap"]) else "")
        + ")."
    )
    tied = [
        plan_label(r, several)
        for _, r in feasible.iloc[1:].iterrows()
        if abs(r["total_cost"] - best["total_cost"]) < 0.005
    ]
    if tied:
        text = text[:-1] + f", tied with {', '.join(tied)}."
    # Any other plan whose proven lower bound is below the cheapest cost could still beat it.
    doubts = []
    for _, row in ranked.iloc[1:].iterrows():
        bound = row.get("best_bound")
        if bound is not None and pd.notna(bound) and bound < best["total_cost"] - 0.005:
            doubts.append(f"{plan_label(row, several)} (bound {money(bound, currency)}, {row['status']})")
    # Plans with neither a cost nor a bound (not proven infeasible) could be anything.
    unknown = [
        plan_label(r, several)
        for _, r in ranked.iloc[1:].iterrows()
        if pd.isna(r["total_cost"])
        and r["status"] != "INFEASIBLE"
        and (r.get("best_bound") is None or pd.isna(r.get("best_bound")))
    ]
    if doubts:
        text += " Cheapest found, not proven: gaps overlap with " + "; ".join(doubts) + "."
    elif unknown:
        text += f" Cheapest found, not proven: no plan and no bound for {', '.join(unknown)}."
    elif len(ranked) > 1:
        text += " Proven cheapest: every other plan's bound is at or above its cost, or it has no legal plan."
    missing = ranked[ranked["total_cost"].isna()]
    if not missing.empty:
        listed = ", ".join(f"{plan_label(r, several)} ({r['status']})" for _, r in missing.iterrows())
        text += f" Without a plan: {listed}."
    return text


# =========================================================================================== sweep
@dataclass(frozen=True)
class BreakEven:
    """Where two plans cost the same along the first axis (linear between grid points)."""

    cheaper_above: str  # the variant that is cheaper past the point (larger values)
    cheaper_below: str
    axis: str
    value: float
    unit: str
    at: tuple[tuple[str, float], ...]  # the other axis' value, if any
    display_value: float  # in the stated unit (items a week for demand.scale)
    display_unit: str
    sentence: str
    between: tuple[float, float]  # the grid points around it
    gap: float | None  # the largest solver gap of the four plans around it
    # The grid points between which the bounds prove it lies: at the first, the plan cheaper below costs no
    # more than the other's best bound; at the second, the reverse. None when the bounds do not prove it.
    proven: tuple[float, float] | None = None


def sweep_chains(
    scenario_path: str,
    variants: Sequence[str] | None,
    axes: Sequence[Axis],
    params: SolveParams,
    jobs: int,
) -> tuple[list[list[Job]], dict[str, Scenario]]:
    """Chains of jobs along the first axis (one per variant and value of the second axis), checked at every
    point before any solve; chains are split when there are fewer chains than processes."""
    if not 1 <= len(axes) <= 2:
        raise InputError("--vary", "--vary", len(axes), "one or two --vary options")
    if len(axes) == 2 and axes[0].path == axes[1].path:
        raise InputError("--vary", "--vary", axes[1].path, "two different paths")
    base = load_scenario(scenario_path)
    data = ScenarioData.of(base)
    names = _variant_names(base, variants)
    scenarios = {name: base if name == BASE else base.with_variant(name) for name in names}
    first, second = axes[0], (axes[1] if len(axes) == 2 else None)
    for name, scenario in scenarios.items():
        for axis in axes:
            _check_axis(scenario, axis, name)
    # Demand is walked from the highest value down: a plan for more items still covers fewer, so each
    # point starts from a feasible plan.
    walk = sorted(first.values, reverse=True) if first.path == "demand.scale" else first.values
    chains: list[list[Job]] = []
    for name in names:
        for other in second.values if second else (None,):
            chain = []
            for value in walk:
                settings = ((first.path, value),) + (((second.path, other),) if second else ())
                job = Job(scenario_path, None if name == BASE else name, params, settings, scenario=data)
                _check_point(scenarios[name], settings, name)
                chain.append(job)
            chains.append(chain)
    return split_chains(chains, jobs), scenarios


def _check_axis(scenario: Scenario, axis: Axis, variant: str) -> None:
    if axis.path == "agency.rate" and not any(r.kind == "agency" for r in scenario.spec.roles.values()):
        raise InputError(scenario.source, "--vary agency.rate", variant, "a scenario with an agency role")
    if axis.path not in ("demand.scale", "agency.rate"):
        setting_overrides(scenario, axis.path, axis.values[0])  # raises on a wrong path


def _check_point(scenario: Scenario, settings: Sequence[tuple[str, float]], variant: str) -> None:
    for path, value in settings:
        try:
            scenario = apply_setting(scenario, path, value)
        except InputError as exc:
            raise InputError("--vary", f"{path}={value:g}", exc.value, f"{exc.allowed} (variant {variant})") from None


def split_chains(chains: list[list[Job]], jobs: int) -> list[list[Job]]:
    """Halve the longest chains until every process has one (points of 2 or more keep their hints)."""
    chains = [list(c) for c in chains if c]
    while len(chains) < jobs:
        longest = max(range(len(chains)), key=lambda i: len(chains[i]), default=None)
        if longest is None or len(chains[longest]) < 4:
            break
        chain = chains.pop(longest)
        half = len(chain) // 2
        chains[longest:longest] = [chain[:half], chain[half:]]
    return chains


def sweep_frame(outcomes: Sequence[Outcome], axes: Sequence[Axis]) -> pd.DataFrame:
    """One row per variant and grid point, sorted by variant then axis values."""
    rows = [o.row for o in outcomes]
    frame = pd.DataFrame(rows)
    keys = ["variant", *[a.path for a in axes]]
    order = {o.job.variant_name: i for i, o in enumerate(outcomes)}
    frame["_v"] = frame["variant"].map(order)
    frame = frame.sort_values(["_v", *[a.path for a in axes]], kind="stable").drop(columns="_v")
    return frame.reset_index(drop=True)[[*keys, *[c for c in frame.columns if c not in keys]]]


def cost_table(frame: pd.DataFrame, axes: Sequence[Axis]) -> pd.DataFrame:
    """Cost per variant (columns) at each grid point (rows); no plan -> NaN."""
    index = [a.path for a in axes]
    table = frame.pivot_table(index=index, columns="variant", values="total_cost", aggfunc="first", dropna=False)
    variants = list(dict.fromkeys(frame["variant"]))
    return table.reindex(columns=variants)


def cost_cells(frame: pd.DataFrame, axes: Sequence[Axis], currency: str = "EUR") -> pd.DataFrame:
    """The sweep for people: one row per grid point, one column per variant, money where there is a plan
    and the status where there is none; demand points also say how many items a week they are."""
    from scheduler.report.table import money

    table = cost_table(frame, axes)
    status = frame.set_index(["variant", *[a.path for a in axes]])["status"]
    keys = [k if isinstance(k, tuple) else (k,) for k in table.index]
    out = {}
    for variant in table.columns:
        out[variant] = [
            money(float(value), currency) if pd.notna(value) else str(status.get((variant, *key), "—"))
            for key, value in zip(keys, table[variant], strict=True)
        ]
    labels = [", ".join(f"{a.path}={v:g}" for a, v in zip(axes, key, strict=True)) for key in keys]
    if axes[0].path == "demand.scale" and "items_per_week" in frame:
        per_point = frame.groupby(axes[0].path)["items_per_week"].first()
        labels = [
            f"{label} ({format_number(float(per_point.get(key[0])), 0)} items a week)"
            if pd.notna(per_point.get(key[0]))
            else label
            for label, key in zip(labels, keys, strict=True)
        ]
    return pd.DataFrame(out, index=labels)


def missing_points(frame: pd.DataFrame) -> list[str]:
    """One sentence per variant that lacks a plan at some points (break-even needs plans on both sides)."""
    out = []
    for variant, part in frame.groupby("variant", sort=False):
        missing = part[part["total_cost"].isna()]
        if missing.empty:
            continue
        statuses = ", ".join(f"{n} {s}" for s, n in missing["status"].value_counts().items())
        advice = "; allow more time (--time-limit)" if (missing["status"] == "UNKNOWN").any() else ""
        out.append(f"{variant}: no plan at {len(missing)} of {len(part)} points ({statuses}){advice}.")
    return out


def break_even(
    frame: pd.DataFrame,
    axes: Sequence[Axis],
    scenarios: Mapping[str, Scenario],
    currency: str = "EUR",
) -> list[BreakEven]:
    """Every point along the first axis where two variants swap places, interpolated linearly between the
    neighbouring grid points at which both have a plan."""
    first = axes[0]
    second = axes[1] if len(axes) == 2 else None
    variants = list(dict.fromkeys(frame["variant"]))
    out = []
    for other in second.values if second else (None,):
        part = frame if second is None else frame[np.isclose(frame[second.path], other)]
        # Each variant's costs, gaps and bounds along the axis (a bound may be missing: nothing is proven).
        indexed = part.reindex(columns=[*part.columns, *({"best_bound"} - set(part.columns))])
        indexed = indexed.set_index(["variant", first.path])

        def along(column: str, indexed: pd.DataFrame = indexed) -> dict[str, pd.Series]:
            table = indexed[column].unstack("variant").reindex(index=first.values, columns=variants)
            return {v: table[v] for v in variants}

        costs, gaps, bounds = along("total_cost"), along("gap"), along("best_bound")
        for i, a in enumerate(variants):
            for b in variants[i + 1 :]:
                diff = (costs[a] - costs[b]).to_numpy(dtype=float)  # > 0: a dearer
                for x0, x1, value, j0, j1 in _crossings(np.asarray(first.values, dtype=float), diff):
                    if diff[j1] < 0:  # a cheaper past the point
                        above, below = a, b
                    else:
                        above, below = b, a
                    near = [gaps[v].iloc[j] for v in (a, b) for j in (j0, j1)]
                    near = [g for g in near if g is not None and pd.notna(g)]
                    at = ((second.path, other),) if second else ()
                    worst_gap = max(near) if near else None
                    proven = _proven_between(first.values, costs, bounds, above, below, j0, j1)
                    out.append(
                        _break_even(
                            above, below, first, value, at, (x0, x1), worst_gap, part, scenarios, currency, j1, proven
                        )
                    )
    return out


def _proven_between(
    x: Sequence[float],
    costs: Mapping[str, pd.Series],
    bounds: Mapping[str, pd.Series],
    above: str,
    below: str,
    j0: int,
    j1: int,
) -> tuple[float, float] | None:
    """The nearest grid points, at or outside the crossing's, where each side is proven cheaper: ``below``'s
    cost at or under ``above``'s bound before it, and the reverse after it (None when either is missing)."""

    def proven(cheap: str, dear: str, j: int) -> bool:
        cost, bound = costs[cheap].iloc[j], bounds[dear].iloc[j]
        return bool(pd.notna(cost) and pd.notna(bound) and cost <= bound + 0.005)

    lower = next((j for j in range(j0, -1, -1) if proven(below, above, j)), None)
    upper = next((j for j in range(j1, len(x)) if proven(above, below, j)), None)
    return None if lower is None or upper is None else (float(x[lower]), float(x[upper]))


def _crossings(x: np.ndarray, diff: np.ndarray) -> list[tuple[float, float, float, int, int]]:
    """Sign changes of ``diff`` (a's cost minus b's) along the grid, skipping points where either has no
    plan: (x before, x after, interpolated x, index before, index after). Between a positive and a negative
    side, a run of equal costs puts the point where the tie starts."""
    out = []
    previous: tuple[int, int] | None = None  # (index, sign) of the last known, untied difference
    tie: int | None = None
    for j in range(len(x)):
        d = diff[j]
        if not np.isfinite(d):
            continue
        sign = 0 if abs(d) < 0.005 else (1 if d > 0 else -1)
        if sign == 0:
            tie = j if tie is None else tie
            continue
        if previous is not None and previous[1] != sign:
            j0 = previous[0]
            d0 = diff[j0]
            value = float(x[tie]) if tie is not None else float(x[j0] + (x[j] - x[j0]) * d0 / (d0 - d))
            out.append((float(x[j0]), float(x[j]), value, j0, j))
        previous, tie = (j, sign), None
    return out


def _break_even(
    above: str,
    below: str,
    axis: Axis,
    value: float,
    at: tuple[tuple[str, float], ...],
    between: tuple[float, float],
    gap: float | None,
    part: pd.DataFrame,
    scenarios: Mapping[str, Scenario],
    currency: str,
    j_after: int,
    proven: tuple[float, float] | None = None,
) -> BreakEven:
    from scheduler.report.table import percent

    display_value, display_unit, stated = state_value(axis, value, part, currency)
    after = part[np.isclose(part[axis.path], axis.values[j_after])]
    what_above = describe_plan(above, after, scenarios)
    what_below = describe_plan(below, after, scenarios)
    where = "".join(f"at {p} = {format_number(v)} {axis_unit(p, currency)}".rstrip() + ", " for p, v in at)
    sentence = f"{where}above {stated}, {what_above} costs less than {what_below}; below it, {below} is cheaper."
    sentence = sentence[0].upper() + sentence[1:]
    if gap is not None and gap > 0.001:
        sentence += f" (Plans within a gap of up to {percent(gap)}: the point is approximate.)"
    if proven is not None:
        low, high = (state_value(axis, v, part, currency)[2] for v in proven)
        sentence += f" The bounds prove it lies between {low} and {high}."
    else:
        sentence += " The bounds do not prove where it lies: the gaps overlap."
    return BreakEven(
        above,
        below,
        axis.path,
        value,
        axis.unit(currency),
        at,
        display_value,
        display_unit,
        sentence,
        between,
        gap,
        proven,
    )


def state_value(axis: Axis, value: float, part: pd.DataFrame, currency: str) -> tuple[float, str, str]:
    """A swept value in words: demand as items a week (and the factor), other paths in their unit."""
    if axis.path == "demand.scale":
        # items a week grow linearly with the factor: read the rate at one computed point.
        sample = part[part["items_per_week"].notna() & (part[axis.path] > 0)].iloc[0]
        per_week = float(sample["items_per_week"]) / float(sample[axis.path]) * value
        return per_week, "items a week", f"{format_number(per_week, 0)} items a week (demand × {value:.2f})"
    unit = axis.unit(currency)
    name = "the agency's day rate" if axis.path == "agency.rate" else axis.path
    return value, unit, f"{format_number(value)} {unit} ({name})".replace("  ", " ")


def describe_plan(variant: str, rows: pd.DataFrame, scenarios: Mapping[str, Scenario]) -> str:
    """'recruit ("Recruit a junior CM"; hiring 1 junior, no agency)': the variant's name, the first
    sentence of its description and what its plan uses at a grid point."""
    mine = rows[rows["variant"] == variant]
    parts = []
    scenario = scenarios.get(variant)
    summary = short_description(scenario.spec.description if scenario is not None else "")
    if summary:
        parts.append(f"“{summary}”")
    if not mine.empty:
        row = mine.iloc[0]
        hires = [
            f"{int(row[c])} {c.removeprefix('hires_')}"
            for c in row.index
            if c.startswith("hires_") and pd.notna(row[c]) and row[c]
        ]
        uses = ["hiring " + ", ".join(hires) if hires else "no hires"]
        agency = row.get("agency_hours")
        if agency is not None and pd.notna(agency):
            uses.append(f"{format_number(agency, 0)} h of agency" if agency else "no agency")
        parts.append(", ".join(uses))
    return f"{variant} ({'; '.join(parts)})" if parts else variant


def short_description(text: str) -> str:
    """The first sentence of a description (without its full stop)."""
    text = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    return (match.group(1) if match else text).rstrip(".")


def format_number(value: float, digits: int | None = None) -> str:
    """1 913, 31.50, 1.25: thin grouping, as many decimals as the value needs (or ``digits``)."""
    if digits is None:
        digits = 0 if float(value).is_integer() or abs(value) >= 1000 else 2
    return f"{value:,.{digits}f}".replace(",", " ")


# ========================================================================================== output
def side_by_side(ranked: pd.DataFrame) -> pd.DataFrame:
    """The comparison for people: one column per plan (cheapest first), one row per figure, as text."""
    from scheduler.report.table import hours, money, percent, seconds

    several = ranked["scenario"].nunique() > 1
    columns = [plan_label(row, several) for _, row in ranked.iterrows()]
    lines: dict[str, list[str]] = {}

    def put(name: str, cells: Iterable[str]) -> None:
        lines[name] = list(cells)

    def each(column: str, fmt: Callable[[Any, Mapping[str, Any]], str]) -> list[str]:
        out = []
        for _, row in ranked.iterrows():
            value = row.get(column)
            missing = value is None or (not isinstance(value, str) and pd.isna(value))
            out.append("—" if missing else fmt(value, row))
        return out

    put("rank", each("rank", lambda v, r: str(int(v))))
    put("status", each("status", lambda v, r: str(v)))
    put("gap", each("gap", lambda v, r: percent(float(v))))
    put("total cost", each("total_cost", lambda v, r: money(float(v), str(r.get("currency") or "EUR"))))
    put("best bound", each("best_bound", lambda v, r: money(float(v), str(r.get("currency") or "EUR"))))
    put("cost per item", each("cost_per_item", lambda v, r: money(float(v), str(r.get("currency") or "EUR"))))
    put("items over the horizon", each("items", lambda v, r: format_number(float(v), 0)))
    for column in [c for c in ranked.columns if c.startswith("hires_")]:
        put(f"hires: {column.removeprefix('hires_')}", each(column, lambda v, r: str(int(v))))
    put("in-house hours", each("in_house_hours", lambda v, r: hours(float(v))))
    put("trainee hours", each("trainee_hours", lambda v, r: hours(float(v))))
    put("agency hours", each("agency_hours", lambda v, r: hours(float(v))))
    put(
        "night and weekend cost",
        each("night_weekend_cost", lambda v, r: money(float(v), str(r.get("currency") or "EUR"))),
    )
    for column in [c for c in ranked.columns if c.startswith("service_")]:
        put(f"service: {column.removeprefix('service_')} (expected)", each(column, lambda v, r: percent(float(v), 1)))
    for column in [c for c in ranked.columns if c.startswith("simulated_") and c != "simulated_meets_targets"]:
        name = column.removeprefix("simulated_")
        put(f"service: {name} (simulated)", each(column, lambda v, r: percent(float(v), 1)))
    put("meets every target (expected)", each("meets_targets", lambda v, r: "yes" if bool(v) else "no"))
    if "simulated_meets_targets" in ranked.columns:
        put("meets every band (simulated)", each("simulated_meets_targets", lambda v, r: "yes" if bool(v) else "no"))
    put("solve time", each("wall_time", lambda v, r: seconds(float(v))))
    return pd.DataFrame(lines, index=columns).T
