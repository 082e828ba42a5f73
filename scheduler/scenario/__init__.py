"""Scenarios: the YAML schema, loading and validation, demand, and variants."""

from scheduler.scenario.load import (
    Scenario,
    build_scenario,
    leave_dates,
    load_scenario,
    parse_scenario,
)

__all__ = ["Scenario", "build_scenario", "leave_dates", "load_scenario", "parse_scenario"]
