"""The response-time simulator: calibration against Erlang C, an exact comparison with a plain event-driven
simulation, determinism, misses, plan reading and the CLI."""

from __future__ import annotations

import heapq
import json
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import scheduler.simulate as sim_module
from scheduler.cli import main
from scheduler.errors import InputError, SchedulerError
from scheduler.plan import AGENCY_COLUMNS, ROSTER_COLUMNS, Plan, SolverStats
from scheduler.requirements import average_wait, service_level
from scheduler.scenario import Scenario, load_scenario
from scheduler.simulate import plan_agents, share_interval, simulate, t_quantile

DATA = Path(__file__).parent / "data"
CONSTANT = DATA / "sim_constant_agency.yaml"
DAY_TEAM = DATA / "sim_day_team.yaml"


# ------------------------------------------------------------------------------------------ helpers
def _instant(scenario: Scenario, minutes: float) -> str:
    return (scenario.grid.origin + timedelta(minutes=minutes)).astimezone(scenario.grid.tz).isoformat()


def shift(
    scenario: Scenario, person: str, role: str, start_hour: float, hours: float, break_hour: float | None = None
) -> dict:
    """A roster row: hours from the horizon's start (absolute time), an optional 20-minute break."""
    start = start_hour * 60
    return {
        "person": person,
        "role": role,
        "hired": " hire " in person,
        "date": _instant(scenario, start)[:10],
        "start": _instant(scenario, start),
        "end": _instant(scenario, start + hours * 60),
        "paid_hours": hours,
        "night_hours": 0.0,
        "sunday": False,
        "holiday": False,
        "break_start": _instant(scenario, break_hour * 60) if break_hour is not None else "",
        "break_minutes": 20 if break_hour is not None else 0,
    }


def block(scenario: Scenario, start_hour: float, hours: float, moderators: int, agency: str = "agency") -> dict:
    start = start_hour * 60
    return {
        "agency": agency,
        "start": _instant(scenario, start),
        "end": _instant(scenario, start + hours * 60),
        "moderators": moderators,
        "hours": hours * moderators,
        "cost": 0.0,
    }


def make_plan(scenario: Scenario, roster=(), agency=(), folder: Path | None = None) -> Plan:
    """A plan built by hand (saved and read back when a folder is given, as the CLI would read it)."""
    stats = SolverStats(
        status="FEASIBLE",
        objective=0.0,
        best_bound=None,
        gap=None,
        wall_time=0.0,
        time_to_first=None,
        time_to_best=None,
        time_limit=1.0,
        workers=1,
        seed=0,
        message="built by hand in a test",
    )
    plan = Plan(
        scenario=scenario.spec.name,
        scenario_hash=scenario.hash,
        variant=scenario.variant,
        stats=stats,
        roster=pd.DataFrame(list(roster), columns=ROSTER_COLUMNS),
        agency=pd.DataFrame(list(agency), columns=AGENCY_COLUMNS),
    )
    if folder is not None:
        plan.save(folder)
    return plan


@pytest.fixture(scope="module")
def constant() -> Scenario:
    return load_scenario(CONSTANT)


@pytest.fixture(scope="module")
def day_team() -> Scenario:
    return load_scenario(DAY_TEAM)


def _day_team_roster(s: Scenario) -> list[dict]:
    """Ana 08:00-16:00 and Ben 12:00-20:00 both days, with breaks: nobody from 20:00 to 08:00."""
    rows = []
    for day in (0, 1):
        rows.append(shift(s, "Ana", "senior", 24 * day + 8, 8, break_hour=24 * day + 12))
        rows.append(shift(s, "Ben", "junior", 24 * day + 12, 8, break_hour=24 * day + 16))
    return rows


# -------------------------------------------------------------------------------------- calibration
def test_calibration_agrees_with_erlang_c(constant: Scenario) -> None:
    """M/M/6 at 4.8 Erlangs (6-minute items, 48 an hour): Erlang C gives 71.6 % within 3 minutes and an
    average wait of 2.6 minutes; the simulation of a week, after a warm-up week, must agree."""
    servers, load, handle, within = 6, 4.8, 6.0, 3.0
    plan = make_plan(constant, agency=[block(constant, 0, 24 * 7, servers)])
    result = simulate(constant, plan, runs=40, seed=7)
    expected = service_level(load, servers, handle, within)
    assert 0.70 < expected < 0.73  # a mid-range service level, so the comparison means something
    (row,) = result.bands.itertuples()  # one band: the whole week
    assert row.items == pytest.approx(8064, rel=0.01)
    assert row.ci_low <= expected <= row.ci_high, (row.ci_low, expected, row.ci_high)
    assert row.ci_high - row.ci_low < 0.03  # narrow enough to catch a wrong queue discipline
    assert row.mean_response == pytest.approx(average_wait(load, servers, handle), rel=0.08)
    # Occupancy of the moderators: load / servers.
    assert result.agents["occupancy"].mean() == pytest.approx(load / servers, rel=0.03)


def test_calibration_detects_one_server_less(constant: Scenario) -> None:
    """With 5 servers Erlang C drops to 18 %: the simulated interval must move with it (the test above
    would not pass with a simulator that ignores the number of servers)."""
    plan = make_plan(constant, agency=[block(constant, 0, 24 * 7, 5)])
    result = simulate(constant, plan, runs=10, seed=7)
    expected = service_level(4.8, 5, 6.0, 3.0)
    assert (result.bands["share"] < 0.4).all()
    assert abs(result.bands["share"].mean() - expected) < 0.12  # heavy traffic: slow to settle, rough


# ----------------------------------------------------------------------- exact: a plain event simulation
def _reference(
    items: list[tuple[float, int, float]], agents: list[tuple[list, set, float]], rank: tuple[int, ...] = (0, 0, 0)
) -> list[float]:
    """Start times by a plain agent-driven event simulation: at every event (arrival, an agent's window
    opening, an agent finishing), the waiting items in order of their stream's rank, then age, go to the
    first free agent, in the simulator's order, that serves their stream. Free: on duty at that instant
    and not busy."""
    start = [math.inf] * len(items)
    busy = [-math.inf] * len(agents)
    events = [a for a, _, _ in items] + [w0 for windows, _, _ in agents for w0, _ in windows]
    heapq.heapify(events)
    waiting: list[int] = []
    following = 0
    last = None
    while events:
        now = heapq.heappop(events)
        if now == last:
            continue
        last = now
        while following < len(items) and items[following][0] <= now:
            waiting.append(following)
            following += 1
        for i in sorted(waiting, key=lambda i: (rank[items[i][1]], i)):
            _, stream, work = items[i]
            for j, (windows, serves, productivity) in enumerate(agents):
                on_duty = any(w0 <= now < w1 for w0, w1 in windows)
                if busy[j] <= now and on_duty and stream in serves:
                    start[i] = now
                    busy[j] = now + work * (1 / productivity)
                    heapq.heappush(events, busy[j])
                    waiting.remove(i)
                    break
    return start


@pytest.mark.parametrize("discipline", ["oldest", "priority"])
def test_engine_matches_a_plain_event_simulation(discipline: str, tmp_path: Path, monkeypatch) -> None:
    """Same arrivals, same agents (breaks, a specialist, a slower junior, agency blocks, workload tasks,
    items carried from block to block): the vectorised engine (oldest first) and the event-driven one
    (priority: comments, an Erlang stream, before messages, a backlog one, before posts) give exactly the
    reference start times, queue lengths and shares."""
    text = DAY_TEAM.read_text().replace(
        "    handle_minutes: 5\n", "    handle_minutes: 5\n    response_model: backlog\n"
    )
    (tmp_path / "team.yaml").write_text(text)
    s = load_scenario(tmp_path / "team.yaml")
    assert s.spec.streams["messages"].response_model == "backlog"
    rng = np.random.default_rng(3)
    n, slot = s.grid.n_slots, s.grid.slot_minutes
    items: list[tuple[float, int, float]] = []
    for t in range(n):
        tasks = [(t * slot, 2, 12.0)] if 9 <= t % 24 < 17 else []  # posts: stream 2, a workload
        count = rng.poisson(30)
        kind = (rng.random(count) < 0.1).astype(int)  # 10 % messages (5 min), else comments (0.5 min)
        work = rng.exponential(1.0, count) * np.where(kind, 5.0, 0.5)
        arrivals = list(zip((t + np.sort(rng.random(count))) * slot, kind.tolist(), work.tolist(), strict=True))
        items.extend(tasks + arrivals)
    roster = [*_day_team_roster(s), shift(s, "senior hire 1", "senior", 30, 6)]  # a hire, day 2 06:00-12:00
    plan = make_plan(s, roster=roster, agency=[block(s, 0, 8, 1), block(s, 18, 14, 2), block(s, 40, 8, 1)])

    def fake_draw(self, lo: int, hi: int):
        mine = [(a, k, w) for a, k, w in items if lo * slot <= a < hi * slot]
        width = np.array([sum(1 for a, _, _ in mine if t * slot <= a < (t + 1) * slot) for t in range(lo, hi)])
        column = lambda values, dtype: np.array(values, dtype=dtype).reshape(-1, 1)  # noqa: E731
        return sim_module._Block(
            np.arange(lo, hi),
            np.zeros(hi - lo, dtype=np.int64),
            width,
            np.repeat(np.arange(hi - lo), width),
            column([a for a, _, _ in mine], float),
            column([k for _, k, _ in mine], np.int16),
            column([w for _, _, w in mine], float),
        )

    monkeypatch.setattr(sim_module._Engine, "_draw", fake_draw)
    monkeypatch.setattr(sim_module, "_CHUNK_ITEMS", 1)  # one slot per block: exercises the carried items
    result = simulate(s, plan, runs=1, seed=0, warmup=False, discipline=discipline)

    # The reference, with the simulator's agents (cycles 0 and +1) in its documented order.
    stream_skills = [s.spec.streams[name].skill for name in ("comments", "messages", "posts")]
    agents = []
    for agent in plan_agents(s, plan):
        serves = {k for k, skill in enumerate(stream_skills) if skill in agent.skills}
        windows = [(w0 + c * n * slot, w1 + c * n * slot) for c in (0, 1) for w0, w1 in agent.windows.tolist()]
        agents.append((agent, windows, serves))
    agents.sort(key=lambda x: (len(x[2]), -x[0].productivity, x[0].kind, x[0].name))
    rank = (0, 1, 2) if discipline == "priority" else (0, 0, 0)
    starts = _reference(items, [(w, serves, a.productivity) for a, w, serves in agents], rank)

    table = result.slots.set_index(["stream", "slot"])
    within = {"comments": {"day": 30, "night": 60}, "messages": {"day": 60, "night": 120}}
    checked = 0
    for k, name in enumerate(("comments", "messages")):
        mine = [(a, st) for (a, kk, _), st in zip(items, starts, strict=True) if kk == k]
        for t in range(n):
            here = [(a, st) for a, st in mine if t * slot <= a < (t + 1) * slot]
            row = table.loc[(name, t)]
            assert row["items"] == len(here)
            if not here:
                continue
            target = within[name][s.bands[t]]
            assert row["share"] == pytest.approx(sum(st - a <= target for a, st in here) / len(here))
            assert row["mean_response"] == pytest.approx(np.mean([st - a for a, st in here]), abs=1e-9)
            queue = max(sum(1 for b, sb in mine if b <= a and sb > a) for a, _ in here)
            assert row["max_queue"] == queue, (name, t)
            checked += 1
    assert checked > 60
    # The night really waits for the morning shift, and some morning items wait behind it.
    assert table.loc[("messages", 2), "mean_response"] > 5 * 60


# -------------------------------------------------------------------------------------- determinism
def test_same_seed_same_result_other_seed_other_samples(day_team: Scenario) -> None:
    plan = make_plan(day_team, roster=_day_team_roster(day_team), agency=[block(day_team, 18, 6, 1)])
    first = simulate(day_team, plan, runs=5, seed=11)
    again = simulate(day_team, plan, runs=5, seed=11)
    other = simulate(day_team, plan, runs=5, seed=12)
    pd.testing.assert_frame_equal(first.bands, again.bands)
    pd.testing.assert_frame_equal(first.slots, again.slots)
    pd.testing.assert_frame_equal(first.agents, again.agents)
    assert first.to_dict() == again.to_dict()
    assert not np.array_equal(first.slots["items"].to_numpy(), other.slots["items"].to_numpy())
    assert not np.allclose(first.bands["mean_response"], other.bands["mean_response"])


def test_priority_runs_in_groups_when_memory_is_short(day_team: Scenario, monkeypatch) -> None:
    plan = make_plan(day_team, roster=_day_team_roster(day_team), agency=[block(day_team, 18, 6, 1)])
    whole = simulate(day_team, plan, runs=6, seed=4, discipline="priority")
    monkeypatch.setattr(sim_module, "_PRIORITY_CELLS", 1)  # one run per group
    assert sim_module._run_groups(day_team, sim_module._streams(day_team), 6, True, "priority") == [1] * 6
    assert sim_module._run_groups(day_team, sim_module._streams(day_team), 6, True, "oldest") == [6]
    split = simulate(day_team, plan, runs=6, seed=4, discipline="priority")
    assert split.to_dict() == simulate(day_team, plan, runs=6, seed=4, discipline="priority").to_dict()
    assert split.bands["items"].sum() == pytest.approx(whole.bands["items"].sum(), rel=0.05)
    ratio = split.agents["occupancy"] / whole.agents["occupancy"]
    assert ratio.between(0.8, 1.25).all()  # busy time divided by all the runs, not by the last group's


# ------------------------------------------------------------------------------------------- misses
def test_nobody_on_duty_at_night_misses_the_night_band(day_team: Scenario) -> None:
    plan = make_plan(day_team, roster=_day_team_roster(day_team))
    result = simulate(day_team, plan, runs=20, seed=1)
    bands = result.bands.set_index(["stream", "band"])
    for stream in ("comments", "messages"):
        night = bands.loc[(stream, "night")]
        assert not night["meets"]
        assert night["ci_high"] < night["target_share"]
        assert night["share"] < 0.2  # the night waits for 08:00: hours, not minutes
        assert night["max_queue"] > 0
    assert not result.meets_targets()
    assert set(result.misses()["band"]) >= {"night"}
    # With a senior and an agency moderator on duty around the clock every target is met.
    roster = [
        *_day_team_roster(day_team),
        *(shift(day_team, "senior hire 1", "senior", hour, 12) for hour in (0, 24)),
        *(shift(day_team, "Ana", "senior", hour, 8) for hour in (16, 40)),
        *(shift(day_team, "Ana", "senior", hour, 8) for hour in (0, 24)),
    ]
    agency = [block(day_team, 0, 48, 1)]
    covered = simulate(day_team, make_plan(day_team, roster=roster, agency=agency), runs=20, seed=1)
    assert covered.meets_targets(), covered.bands
    assert covered.bands["share"].min() > 0.95


def test_warmup_carries_the_last_evening_into_the_first_morning(day_team: Scenario) -> None:
    """The horizon repeats: with a warm-up, the items of the last evening (after 20:00 of day 2) wait for
    the first morning too; starting empty, the first morning has only its own night."""
    plan = make_plan(day_team, roster=_day_team_roster(day_team))
    warm = simulate(day_team, plan, runs=20, seed=5, warmup=True).slots.set_index(["stream", "slot"])
    cold = simulate(day_team, plan, runs=20, seed=5, warmup=False).slots.set_index(["stream", "slot"])
    first_morning, second_morning = 8, 32
    assert warm.loc[("comments", first_morning), "max_queue"] > cold.loc[("comments", first_morning), "max_queue"]
    assert (
        warm.loc[("comments", first_morning), "max_queue"] >= 0.8 * warm.loc[("comments", second_morning), "max_queue"]
    )


def test_a_trainee_works_and_a_skill_nobody_has_is_never_answered(day_team: Scenario) -> None:
    """Trainees are extra capacity but they do answer; messages need 'care', which a trainee lacks."""
    plan = make_plan(
        day_team, roster=[shift(day_team, "Tea", "trainee", 8, 7), shift(day_team, "Tea", "trainee", 32, 7)]
    )
    result = simulate(day_team, plan, runs=5, seed=0)
    bands = result.bands.set_index(["stream", "band"])
    assert bands.loc[("comments", "day"), "unanswered"] == 0
    assert bands.loc[("comments", "day"), "share"] > 0.3  # answered in office hours
    assert (bands.loc["messages", "unanswered"] == 1).all()
    assert (bands.loc["messages", "share"] == 0).all()
    assert math.isinf(bands.loc[("messages", "day"), "p90_response"])
    assert any("care" in note and "messages" in note for note in result.notes)
    assert result.agents["productivity"].tolist() == [0.6]  # the trainee role's default


# ---------------------------------------------------------------------------- arrivals and handle times
def test_overdispersion_and_lognormal_handle_times(constant: Scenario) -> None:
    plan = make_plan(constant, agency=[block(constant, 0, 24 * 7, 7)])
    poisson = simulate(constant, plan, runs=20, seed=2)
    spread = simulate(constant, plan, runs=20, seed=2, overdispersion=0.2)
    # slots["items"] is the mean over 20 runs of each hour's count: variance (48 + X 48^2) / 20 across hours.
    assert spread.slots["items"].mean() == pytest.approx(48, rel=0.05)  # the gamma factor has mean 1
    assert 15 < spread.slots["items"].var() < 40  # (48 + 0.2 * 48^2) / 20 = 25.4
    assert 1.2 < poisson.slots["items"].var() < 4  # 48 / 20 = 2.4
    assert spread.bands["share"].mean() < poisson.bands["share"].mean()  # bursts hurt
    steady = simulate(constant, plan, runs=20, seed=2, handle_time="lognormal", cv=0.3)
    assert steady.bands["share"].mean() > poisson.bands["share"].mean()  # less variable work: shorter waits
    assert steady.cv == 0.3 and poisson.cv == 1.0


# ----------------------------------------------------------------------------------- reading the plan
def test_agents_from_the_roster_and_the_agency_table(day_team: Scenario) -> None:
    s = day_team
    plan = make_plan(
        s,
        roster=[shift(s, "Ana", "senior", 8, 8, break_hour=12), shift(s, "senior hire 1", "senior", 10, 6)],
        agency=[block(s, 8, 4, 2), block(s, 10, 4, 1), block(s, 12, 4, 1)],
    )
    agents = {a.name: a for a in plan_agents(s, plan)}
    ana = agents["Ana"]
    assert ana.windows.tolist() == [[480.0, 720.0], [740.0, 960.0]]  # 08:00-12:00, 12:20-16:00
    assert ana.skills == frozenset({"moderation", "care", "writing"})
    assert agents["senior hire 1"].productivity == 1.0
    # Blocks 08-12 (x2), 10-14, 12-16: at most three at once, chained into three moderators.
    moderators = [a for a in agents.values() if a.kind == "agency"]
    assert len(moderators) == 3
    assert sum(a.minutes_on_duty for a in moderators) == 60 * (8 + 4 + 4)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": "Zoe"}, "row 2, column person"),
        ({"role": "trainee"}, "row 2, column role"),
        ({"role": "junior"}, "row 2, column role"),  # Ana is a senior
        ({"start": "2026-03-02T08:00:00"}, "row 2, column start"),  # no UTC offset
        ({"end": "2026-03-02T07:00:00+01:00"}, "row 2, column end"),  # before the start
    ],
)
def test_bad_roster_rows_are_named(day_team: Scenario, change: dict, field: str) -> None:
    row = shift(day_team, "Ana", "senior", 8, 8) | change
    with pytest.raises(InputError) as info:
        simulate(day_team, make_plan(day_team, roster=[row]), runs=1)
    assert info.value.field == field


def test_bad_parameters_and_plans(day_team: Scenario, constant: Scenario) -> None:
    plan = make_plan(day_team, roster=_day_team_roster(day_team))
    for kwargs, field in [
        ({"runs": 0}, "runs"),
        ({"seed": -1}, "seed"),
        ({"overdispersion": -0.1}, "overdispersion"),
        ({"handle_time": "gamma"}, "handle_time"),
        ({"cv": 0.5}, "cv"),  # only with lognormal
        ({"handle_time": "lognormal", "cv": 0.0}, "cv"),
        ({"discipline": "random"}, "discipline"),
    ]:
        with pytest.raises(InputError) as info:
            simulate(day_team, plan, **{"runs": 2, **kwargs})
        assert info.value.field == field
    with pytest.raises(InputError):  # the plan of another scenario
        simulate(constant, plan, runs=1)
    no_plan = Plan(
        scenario=day_team.spec.name,
        scenario_hash="",
        variant=None,
        stats=SolverStats("UNKNOWN", None, None, None, 1.0, None, None, 1.0, 1, 0),
    )
    with pytest.raises(SchedulerError, match="no roster"):
        simulate(day_team, no_plan, runs=1)


def test_confidence_interval_helpers() -> None:
    assert t_quantile(1) == 12.706
    assert t_quantile(30) == 2.042
    assert t_quantile(40) == pytest.approx(2.0211, abs=2e-4)
    assert t_quantile(120) == pytest.approx(1.9799, abs=2e-4)
    mean, low, high = share_interval(np.array([0.8, 0.9, 1.0]))
    assert mean == pytest.approx(0.9)
    assert (low, high) == pytest.approx((0.9 - 4.303 * 0.1 / math.sqrt(3), 1.0))  # capped at 100 %
    assert math.isnan(share_interval(np.array([0.5]))[1])


# ------------------------------------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def plan_folders(tmp_path_factory, day_team: Scenario, constant: Scenario) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sim_plans")
    return {
        "good": make_plan(constant, agency=[block(constant, 0, 24 * 7, 8)], folder=root / "good") and root / "good",
        "night_gap": make_plan(day_team, roster=_day_team_roster(day_team), folder=root / "gap") and root / "gap",
    }


def test_cli_exit_codes_and_json(plan_folders: dict[str, Path]) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["simulate", str(CONSTANT), str(plan_folders["good"]), "--runs", "5"])
    assert ok.exit_code == 0, ok.output
    assert "Every band meets its target" in ok.output
    assert "care" in ok.output

    gap = runner.invoke(
        main, ["simulate", str(DAY_TEAM), str(plan_folders["night_gap"]), "--runs", "5", "--format", "json"]
    )
    assert gap.exit_code == 1, gap.output
    data = json.loads(gap.stdout)
    assert data["meets_targets"] is False and data["runs"] == 5
    night = [b for b in data["bands"] if b["band"] == "night"]
    assert night and not any(b["meets"] for b in night)
    assert {"share", "ci_low", "ci_high", "p90_response", "max_queue"} <= set(night[0])

    table = runner.invoke(main, ["simulate", str(DAY_TEAM), str(plan_folders["night_gap"]), "--runs", "3"])
    assert table.exit_code == 1
    assert "NO" in table.output and "miss their target" in table.output


@pytest.mark.parametrize(
    "args",
    [
        ["--runs", "0"],
        ["--cv", "0.5"],
        ["--overdispersion", "-1"],
        ["--variant", "nope"],
    ],
)
def test_cli_bad_input_exits_2(plan_folders: dict[str, Path], args: list[str]) -> None:
    result = CliRunner().invoke(main, ["simulate", str(DAY_TEAM), str(plan_folders["night_gap"]), *args])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output
    assert "Traceback" not in result.output


def test_cli_missing_plan_folder_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(DAY_TEAM), str(tmp_path / "nothing"), "--format", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert error["error"] == "bad input" and error["field"] == "plan folder"
