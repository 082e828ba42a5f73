"""Property: for random small valid scenarios, every plan the solver returns passes the independent checker,
and a scenario with no plan never shows a cost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check import check
from scheduler.scenario import build_scenario
from scheduler.solve import SolveParams, solve


@st.composite
def small_scenarios(draw) -> dict:
    streams = {
        "moderation": {
            "skill": "moderation",
            "handle_minutes": draw(st.sampled_from([0.3, 0.5])),
            "arrivals": {"profile": {"weekly_items": draw(st.integers(500, 6000)), "daily_curve": "office"}},
            "targets": {"day": {"share": draw(st.sampled_from([0.8, 0.9])), "within_minutes": 30}},
        }
    }
    if draw(st.booleans()):
        streams["care"] = {
            "skill": "writing",
            "handle_minutes": 6,
            "response_model": draw(st.sampled_from(["erlang", "backlog"])),
            "arrivals": {"profile": {"weekly_items": draw(st.integers(50, 400)), "daily_curve": "office"}},
            "targets": {"day": {"share": 0.9, "within_minutes": draw(st.sampled_from([60, 240]))}},
        }
    # An agency that sells every skill keeps most draws feasible (24/7 cover from one or two people rarely
    # is), so that the checker is exercised on real plans; small maxima still give infeasible ones.
    roles: dict = {
        "senior": {},
        "agency": {"skills": ["moderation", "writing"], "max_concurrent": draw(st.integers(1, 4))},
    }
    if draw(st.booleans()):
        roles["junior"] = {}
    people = [{"name": f"Senior {k}", "role": "senior"} for k in range(draw(st.integers(0, 2)))]
    hire = {role: {"max": draw(st.integers(0, 2))} for role in roles if role != "agency"}
    return {
        "name": "random",
        "horizon": {
            "start": draw(st.sampled_from(["2026-03-27", "2026-06-01", "2026-10-24"])),  # DST weekends too
            "days": draw(st.integers(1, 3)),
            "slot_minutes": 60,
        },
        "rule_set": draw(st.sampled_from(["fr", "eu"])),
        "streams": streams,
        "roles": roles,
        "people": people,
        "hire": hire,
    }


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_every_returned_plan_passes_the_checker(raw: dict) -> None:
    scenario = build_scenario(raw, source="<random>")
    plan = solve(scenario, SolveParams(time_limit=5, workers=1, explain=False))
    if plan.is_feasible():
        verdict = check(scenario, plan)
        assert verdict.ok, [v.message for v in verdict.violations][:5]
    else:
        assert plan.stats.objective is None and plan.roster.empty
