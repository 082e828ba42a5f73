"""The LP relaxation: HiGHS by default, silent on stdout, and the same value as GLOP."""

from __future__ import annotations

import pytest

from scheduler.model.data import compile_model_data
from scheduler.model.lp import linear_solver, lp_relaxation
from scheduler.requirements import compute_requirements
from scheduler.strategies.cpsat import crew_model
from tests.conftest import scenario


def test_the_lp_relaxation_is_glops_value_and_writes_nothing_on_stdout(capfd) -> None:
    """HiGHS prints a banner on stdout unless told not to: that would break ``--format json``."""
    tiny = scenario("cm_beats_agency")
    crew = crew_model(compile_model_data(tiny, compute_requirements(tiny)), allow_shortfall=False)
    relaxation = lp_relaxation(crew, 10)
    assert relaxation is not None
    assert capfd.readouterr().out == ""
    glop, _ = linear_solver(crew.model.proto, "GLOP", integer=False)
    glop.Solve()
    assert relaxation.value == pytest.approx(glop.Objective().Value(), rel=1e-7)


def test_the_crew_model_in_highs_has_cp_sats_optimum() -> None:
    """The translation row by row: solved as a MIP, the tiny crew model has the optimum CP-SAT proves."""
    from ortools.sat.python import cp_model

    from scheduler.engine.master import quiet_highs
    from scheduler.model.lp import highs_model

    tiny = scenario("cm_beats_agency")
    crew = crew_model(compile_model_data(tiny, compute_requirements(tiny)), allow_shortfall=False)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(crew.model) == cp_model.OPTIMAL
    highs = highs_model(crew.model.proto, integer=True, highs=quiet_highs())
    highs.run()
    value = highs.getInfo().objective_function_value + crew.model.proto.objective.offset
    assert value == pytest.approx(solver.objective_value, abs=0.5)


def test_the_crew_mip_bound_beside_the_stages_holds_and_can_be_turned_off(capfd) -> None:
    from tests.conftest import quick

    tiny = scenario("cm_beats_agency")
    optimum = quick(tiny).total_cost
    staged = quick(tiny, stages="staged", workers=1)
    side = [s for s in staged.stats.stages if s.name == "crew MIP bound"]
    assert len(side) == 1 and side[0].bound is not None and side[0].bound <= optimum + 0.005
    assert capfd.readouterr().out == ""  # HiGHS's banner never reaches stdout
    without = quick(tiny, stages="staged", workers=1, crew_bound=False)
    assert "crew MIP bound" not in [s.name for s in without.stats.stages]
