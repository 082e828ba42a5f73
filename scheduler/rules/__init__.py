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

RULE_SETS = ("fr", "eu")


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
    if isinstance(default, str):
        from scheduler.timegrid import parse_window

        if not isinstance(value, str):
            raise TypeError("a time window 'HH:MM-HH:MM'")
        parse_window(value)
        return value
    raise TypeError(f"the type of the default {default!r}")


@cache
def load_rule_set(name: str) -> RuleSet:
    """The shipped rule set ``fr`` or ``eu``."""
    if name not in RULE_SETS:
        raise KeyError(name)
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = {
        key: Rule(key, item["value"], item["unit"], item["reference"], item["text"])
        for key, item in data["rules"].items()
    }
    return RuleSet(data["name"], data["title"], MappingProxyType(rules))
