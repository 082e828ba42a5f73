"""Working-time rule sets as data: each rule has a value, a unit and its legal reference.

The model, the checker and the explanations all read rules from here, so a limit is never a bare
constant in code and every violation can be reported with its article.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from scheduler.errors import InputError

RULE_SETS = ("fr", "eu")
# Rules whose value is one word out of a list; the first is the default when a rule set leaves it out.
CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType({"weekly_rest_reading": ("within_week", "starting_in_week")})


@dataclass(frozen=True)
class Rule:
    name: str
    value: Any
    unit: str
    reference: str
    text: str


@dataclass(frozen=True)
class RuleSet:
    """An immutable set of named rules; ``rules["max_daily_hours"]`` gives the value."""

    name: str
    title: str
    rules: Mapping[str, Rule]

    def __getitem__(self, name: str) -> Any:
        return self.rules[name].value

    def rule(self, name: str) -> Rule:
        return self.rules[name]

    def with_overrides(self, overrides: Mapping[str, Any]) -> RuleSet:
        """A copy with some values replaced; raises KeyError / TypeError naming the bad rule."""
        if not overrides:
            return self
        rules = dict(self.rules)
        for name, value in overrides.items():
            if name not in rules:
                raise KeyError(name)
            old = rules[name]
            rules[name] = replace(old, value=_coerce(name, old.value, value), reference=old.reference + " (overridden)")
        return RuleSet(self.name, self.title, MappingProxyType(rules))


def _coerce(name: str, default: Any, value: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError("true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise TypeError("a number >= 0")
        return value
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise TypeError(_one_of(name))
        return value
    if isinstance(default, str):
        from scheduler.timegrid import parse_window

        if not isinstance(value, str):
            raise TypeError("a time window 'HH:MM-HH:MM'")
        parse_window(value)
        return value
    raise TypeError(f"the type of the default {default!r}")


def _one_of(name: str) -> str:
    return "one of " + ", ".join(CHOICES[name])


def weekly_rest_within_week(rules: RuleSet) -> bool:
    """Whether the weekly rest (L3132-2) must lie inside each calendar week (the strict reading), rather than
    only start in it and run on into the next week."""
    return rules["weekly_rest_reading"] == "within_week"


def weekly_rest_statement(rules: RuleSet) -> str:
    """The weekly rest rule in words with the reading it is applied under (model gates, explanations)."""
    if weekly_rest_within_week(rules):
        reading = "the whole window inside the week, Monday 00:00 to Sunday 24:00"
    else:
        reading = "the window starting in the week, possibly running into the next"
    return f"{rules.rule('min_weekly_rest_hours').text} ({reading})"


DEFAULTS = MappingProxyType(
    {
        "weekly_rest_reading": Rule(
            "weekly_rest_reading",
            "within_week",
            "reading",
            "L3132-2; CJEU C-306/16 (default reading)",
            "the weekly rest lies inside each calendar week (within_week) or only starts in it (starting_in_week)",
        )
    }
)


def parse_rule_set(text: str, source: str) -> RuleSet:
    """A rule set from its YAML text; a value outside a rule's list of choices is an InputError naming
    ``source``. Rules of ``DEFAULTS`` the text leaves out take their default."""
    data = yaml.safe_load(text)
    rules = {
        key: Rule(key, item["value"], item["unit"], item["reference"], item["text"])
        for key, item in data["rules"].items()
    }
    for key, rule in DEFAULTS.items():
        rules.setdefault(key, rule)
    for key, choices in CHOICES.items():
        if rules[key].value not in choices:
            raise InputError(source, f"rules.{key}.value", rules[key].value, _one_of(key))
    return RuleSet(data["name"], data["title"], MappingProxyType(rules))


@cache
def load_rule_set(name: str) -> RuleSet:
    """The shipped rule set ``fr`` or ``eu``."""
    if name not in RULE_SETS:
        raise KeyError(name)
    path = resources.files(__package__).joinpath(f"{name}.yaml")
    return parse_rule_set(path.read_text(encoding="utf-8"), str(path))
