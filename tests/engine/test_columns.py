"""Every schedule the column generation makes is legal and priced to the cent, by the plan checker's own
reading of the rules (the checker never imports the model or the engine)."""

from __future__ import annotations

import time

import pytest

from scheduler.bench import ladder_scenario
from scheduler.check import check
from scheduler.engine.colgen import Pricer, generate, seed_columns
from scheduler.engine.master import build_master
from scheduler.model.data import compile_model_data
from scheduler.model.extract import Assignment, plan_tables
from scheduler.requirements import compute_requirements
from scheduler.solve import SolveParams, _plan
from tests.conftest import scenario

COST_RULES = ("cost",)  # violations about the plan's cost lines start with this


def _columns(s, seconds: float):
    data = compile_model_data(s, compute_requirements(s))
    master = build_master(data, 100)
    pricer = Pricer(master)
    seed_columns(master, pricer, None)
    generate(master, pricer, time.perf_counter() + seconds)
    return data, master


@pytest.mark.parametrize(
    ("make", "seconds", "sample"),
    [
        (lambda: scenario("check_two_weeks"), 3.0, 40),
        (lambda: scenario("trainee_with_tutor"), 2.0, 20),
        (lambda: ladder_scenario("S"), 4.0, 40),
    ],
)
def test_every_generated_schedule_passes_the_checker(make, seconds: float, sample: int) -> None:
    s = make()
    data, master = _columns(s, seconds)
    columns = master.columns
    assert len(columns) > len(master.groups)  # the generation added schedules beyond the seeds
    step = max(1, len(columns) // sample)
    for schedule in columns[::step]:
        group = master.groups[schedule.group]
        w = group.worker
        a = Assignment({w: schedule.shifts}, frozenset({w}) if group.hire else frozenset(), {})
        tables = plan_tables(data, a)
        plan = _plan(s, SolveParams(), tables, None, (), None, None, time.perf_counter())
        verdict = check(s, plan)
        person = data.workers[w].id
        broken = [v for v in verdict.violations if v.subject == person or v.rule.startswith(COST_RULES)]
        assert broken == [], (schedule, broken)
        # The column's price is the person's cost lines (fixed pay, shifts, overtime), to the cent.
        mine = tables.costs[tables.costs["who"] == person]["amount"].sum()
        assert round(mine * 100) == schedule.cost
