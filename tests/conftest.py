"""Shared fixtures: the test data folder and a quick solve."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.scenario import load_scenario, parse_scenario
from scheduler.solve import SolveParams, solve

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def quiet_weeks(start: str, days: int = 14) -> str:
    """Scenario text for hourly calendar weeks from ``start`` without demand: the rules alone decide."""
    return f"""
horizon: {{start: {start}, days: {days}, slot_minutes: 60, timezone: Europe/Paris}}
streams:
  moderation:
    skill: moderation
    arrivals: {{profile: {{weekly_items: 0}}}}
    targets: {{day: {{share: 0.9, within_minutes: 60}}}}
"""


def quick(scenario, time_limit: float = 20.0, **params):
    """Solve with a short limit; tiny test scenarios are proven optimal in well under a second."""
    return solve(scenario, SolveParams(time_limit=time_limit, **params))


@pytest.fixture
def data_dir() -> Path:
    return DATA


def scenario(name: str):
    return load_scenario(DATA / f"{name}.yaml")


def from_text(text: str, demand: dict[str, str] | None = None):
    return parse_scenario(text, source="<test>", demand_texts=demand or {})
