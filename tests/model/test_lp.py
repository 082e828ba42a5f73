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
