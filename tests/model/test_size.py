"""The model size of one fixture is pinned, so an accidental blow-up (or loss of a rule) shows.

When a change to the formulation is deliberate, update the numbers and say why in the commit.
"""

from __future__ import annotations

from scheduler.model.build import build_model
from scheduler.model.data import compile_model_data
from scheduler.requirements import compute_requirements
from scheduler.scenario import load_scenario
from tests.conftest import SCENARIOS


def test_tourism_model_size_is_pinned() -> None:
    scenario = load_scenario(SCENARIOS / "tourism.yaml")
    data = compile_model_data(scenario, compute_requirements(scenario))
    crew = build_model(data, "crew").model.proto
    person = build_model(data, "person").model.proto
    assert (len(crew.variables), len(crew.constraints)) == (3774, 3909)
    # The strict weekly rest (35 h inside each calendar week, the fr default) has fewer rest windows per
    # person than the window that may run into next week: 18854 / 15055 before it.
    assert (len(person.variables), len(person.constraints)) == (18409, 14611)
