"""From YAML text (or a dict) and demand CSV text to an immutable, validated ``Scenario``.

``load_scenario(path)`` is the only function here that touches the disk; ``build_scenario`` takes the
parsed dict and the demand files' text, so every check can be tested without files.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import holidays as holidays_lib
import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from scheduler.errors import MISSING, InputError
from scheduler.rules import RuleSet, load_rule_set
from scheduler.scenario.demand import parse_demand_csv, profile_arrivals, weekday_numbers
from scheduler.scenario.merge import deep_merge
from scheduler.scenario.schema import (
    ROLE_KINDS,
    DateRange,
    PersonSpec,
    RequestSpec,
    RoleSpec,
    RosterRules,
    ScenarioSpec,
    StreamSpec,
)
from scheduler.timegrid import TimeGrid, in_window, parse_clock, parse_window

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_SCENARIO_BYTES = 2 * 1024 * 1024  # a scenario of 500 people and a few variants is ~100 kB
MAX_YAML_VALUES = 200_000  # after expanding aliases: a few aliases can otherwise stand for billions of values
MAX_YAML_DEPTH = 32
MAX_PEOPLE_PER_SLOT = 10_000


@cache
def defaults() -> Mapping[str, Any]:
    """The shipped defaults (role costs, curves), read once."""
    text = resources.files(__package__).joinpath("defaults.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Scenario:
    """A validated planning problem. Immutable: variants and what-ifs are new scenarios."""

    spec: ScenarioSpec
    source: str
    raw: Mapping[str, Any]
    demand_texts: Mapping[str, str]
    grid: TimeGrid
    rules: RuleSet
    role_rules: Mapping[str, RuleSet]
    arrivals: Mapping[str, np.ndarray]
    variant: str | None = None
    base_raw: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name if self.variant is None else f"{self.spec.name} [{self.variant}]"

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the effective scenario and its demand files: two plans of the same hash solved the
        same problem."""
        used = sorted({s.arrivals.csv for s in self.spec.streams.values() if s.arrivals and s.arrivals.csv})
        demand = {name: self.demand_texts[name] for name in used}
        payload = json.dumps({"scenario": dict(self.raw), "demand": demand}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @cached_property
    def night_slots(self) -> tuple[bool, ...]:
        """Legal night work per slot (the rule set's night period), which drives premiums and limits."""
        return self.grid.in_window_slots(parse_window(self.rules["night_period"]))

    @cached_property
    def bands(self) -> tuple[str, ...]:
        """Commercial band per slot (day / night / weekend) for targets and agency rates."""
        bands = self.spec.bands
        night = parse_window(bands.night or self.rules["night_period"])
        return self.grid.bands(night, weekday_numbers(bands.weekend_days), bands.holidays_as_weekend)

    def role_of(self, person: PersonSpec) -> RoleSpec:
        return self.spec.roles[person.role]

    def roster_rules(self, role: str, person: PersonSpec | None = None) -> RosterRules:
        """A person's hard roster rules (a hire's when ``person`` is None): the role's, with the person's own."""
        return self.spec.roles[role].roster.merged(person.roster if person is not None else None)

    def requests_of(self, name: str) -> tuple[RequestSpec, ...]:
        return tuple(r for r in self.spec.requests if r.person == name)

    @property
    def has_roster_rules(self) -> bool:
        """Whether any wish, fairness or per-person roster rule is set (column generation has none)."""
        spec = self.spec
        return bool(
            spec.requests
            or any(not r.roster.is_empty or r.fairness is not None for r in spec.roles.values())
            or any(p.roster is not None and not p.roster.is_empty for p in spec.people)
        )

    def skills_of(self, person: PersonSpec) -> frozenset[str]:
        base = person.skills if person.skills is not None else self.role_of(person).skills
        return frozenset(base) | frozenset(person.extra_skills)

    def with_overrides(self, overrides: Mapping[str, Any], *, variant: str | None = None) -> Scenario:
        """A new scenario: ``overrides`` deep-merged over this one's file content, validated again."""
        raw = deep_merge(self.raw, overrides)
        return build_scenario(
            raw,
            source=self.source,
            demand_texts=self.demand_texts,
            variant=variant if variant is not None else self.variant,
            base_raw=self.base_raw or self.raw,
        )

    def variant_names(self) -> tuple[str, ...]:
        return tuple((self.base_raw or self.raw).get("variants", {}) or {})

    def with_variant(self, name: str) -> Scenario:
        """The named variant: the base file with ``variants[name]`` deep-merged over it."""
        base = dict(self.base_raw or self.raw)
        variants = base.get("variants") or {}
        if name not in variants:
            allowed = ", ".join(variants) or "(the scenario declares no variants)"
            raise InputError(self.source, "--variant", name, f"one of the scenario's variants: {allowed}")
        body = variants[name] or {}
        raw = deep_merge({k: v for k, v in base.items() if k != "variants"}, body)
        try:
            return build_scenario(raw, source=self.source, demand_texts=self.demand_texts, variant=name, base_raw=base)
        except InputError as exc:
            raise _in_variant(exc, name, body) from None


def _in_variant(exc: InputError, name: str, body: Mapping[str, Any]) -> InputError:
    """The merged scenario's error restated for the variant: a field the variant writes (or deletes with
    null) is named ``variants.<name>.<field>`` with the base's message; a base field that the variant
    makes wrong keeps its name and says which variant."""
    found, value = _variant_value(body, exc.field)
    if found or (exc.value is MISSING and _variant_value(body, _parent(exc.field))[0]):
        shown = None if found and value is None else exc.value
        return InputError(exc.file, f"variants.{name}.{exc.field}", shown, exc.allowed)
    where = f"variant '{name}', i.e. the file with variants.{name} merged over it"
    return InputError(exc.file, exc.field, exc.value, f"{exc.allowed} (in {where})")


def _parent(field_name: str) -> str:
    cut = max(field_name.rfind("."), field_name.rfind("["))
    return field_name[:cut] if cut > 0 else ""


def _variant_value(body: Any, field_name: str) -> tuple[bool, Any]:
    """Whether the variant's own text holds the dotted field (keys may contain dots) and its value there."""
    if not field_name:
        return True, body
    if isinstance(body, list) and field_name.startswith("["):
        index, _, rest = field_name[1:].partition("]")
        if index.isdigit() and int(index) < len(body):
            return _variant_value(body[int(index)], rest.removeprefix("."))
        return False, None
    if isinstance(body, Mapping):
        keys = [
            k
            for k in body
            if isinstance(k, str) and field_name.startswith(k) and field_name[len(k) : len(k) + 1] in ("", ".", "[")
        ]
        for key in sorted(keys, key=len, reverse=True):
            found, value = _variant_value(body[key], field_name[len(key) :].removeprefix("."))
            if found:
                return found, value
    return False, None


def check_variants(scenario: Scenario) -> dict[str, Scenario]:
    """Every declared variant built and validated, so a broken one is reported when the file is loaded,
    not when (or after) something is solved."""
    return {name: scenario.with_variant(name) for name in scenario.variant_names()}


def load_scenario(path: str | Path, variant: str | None = None) -> Scenario:
    """Read a scenario YAML file and the demand CSV files it names (relative to the YAML file)."""
    path = Path(path)
    source = str(path)
    text = _read_text(path, source, "file", limit=MAX_SCENARIO_BYTES)
    raw = parse_yaml(text, source=source)
    demand_texts: dict[str, str] = {}
    for name, stream in (raw.get("streams") or {}).items() if isinstance(raw.get("streams"), Mapping) else []:
        arrivals = stream.get("arrivals") if isinstance(stream, Mapping) else None
        csv_name = arrivals.get("csv") if isinstance(arrivals, Mapping) else None
        if isinstance(csv_name, str) and csv_name not in demand_texts:
            csv_path = path.parent / csv_name
            demand_texts[csv_name] = _read_text(csv_path, source, f"streams.{name}.arrivals.csv", shown=csv_name)
    for name, body in (raw.get("variants") or {}).items() if isinstance(raw.get("variants"), Mapping) else []:
        streams = body.get("streams") if isinstance(body, Mapping) else None
        for stream_name, stream in streams.items() if isinstance(streams, Mapping) else []:
            arrivals = stream.get("arrivals") if isinstance(stream, Mapping) else None
            csv_name = arrivals.get("csv") if isinstance(arrivals, Mapping) else None
            if isinstance(csv_name, str) and csv_name not in demand_texts:
                field_name = f"variants.{name}.streams.{stream_name}.arrivals.csv"
                demand_texts[csv_name] = _read_text(path.parent / csv_name, source, field_name, shown=csv_name)
    scenario = build_scenario(raw, source=source, demand_texts=demand_texts)
    built = check_variants(scenario)
    if variant and variant in built:
        return built[variant]
    return scenario.with_variant(variant) if variant else scenario  # an unknown name: the error lists them


def _read_text(path: Path, source: str, field_name: str, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> str:
    shown = shown or str(path)
    try:
        if path.stat().st_size > limit:
            raise InputError(source, field_name, shown, f"a file of at most {limit // 2**20} MiB")
        data = path.read_bytes()
    except FileNotFoundError:
        allowed = "an existing file"
        if field_name != "file":  # a demand file named inside the scenario
            allowed += f" (paths are relative to the scenario file; looked for {path})"
        raise InputError(source, field_name, shown, allowed) from None
    except IsADirectoryError:
        raise InputError(source, field_name, shown, "a file, not a folder") from None
    except PermissionError:
        raise InputError(source, field_name, shown, "a readable file") from None
    except (OSError, ValueError) as exc:  # e.g. a name too long, or with a NUL character
        raise InputError(source, field_name, shown, f"a usable file path ({exc})") from None
    if b"\x00" in data[:10000]:
        raise InputError(str(path), "file", data[:16], "a text file (UTF-8), not binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        shown_bytes = data[max(0, exc.start - 8) : exc.start + 8]
        raise InputError(str(path), f"line {line}", shown_bytes, "UTF-8 text (save the file as UTF-8)") from None


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: str, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", again)
        self.key, self.first = key, first


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when installed: 50x faster
    """Safe YAML that leaves dates as text, so an impossible date is reported by field, not by YAML, and
    refuses a key given twice in one mapping (YAML would silently keep the last, e.g. a pasted stream)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, yaml.Mark] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, seen[key_node.value], key_node.start_mark)
                seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def parse_yaml(text: str, *, source: str = "<scenario>") -> dict[str, Any]:
    """YAML text to a dict, or an InputError naming the line."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise InputError(
            source, "file", "(deeply nested)", f"YAML nested at most {MAX_YAML_DEPTH} levels deep"
        ) from None
    except _DuplicateKey as exc:
        mark = exc.problem_mark
        raise InputError(
            source,
            f"line {mark.line + 1}, column {mark.column + 1}",
            exc.key,
            f"each key once in its mapping (already given on line {exc.first.line + 1})",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(source, where, problem, "valid YAML") from None
    if data is None:
        raise InputError(source, "file", "", "a YAML mapping with at least name, horizon, streams and roles")
    if not isinstance(data, dict):
        raise InputError(source, "file", data, "a YAML mapping with name, horizon, streams and roles")
    _check_size(data, source)
    return data


def _check_size(data: Any, source: str) -> None:
    """Values counted as used (an alias counts each time) and nesting depth, both bounded, so that a few
    lines of aliases cannot make validation, copies or the scenario hash run for ever."""
    budget = MAX_YAML_VALUES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputError(
                source,
                "file",
                f"more than {MAX_YAML_VALUES} values",
                f"at most {MAX_YAML_VALUES} values (aliases count each time they are used)",
            )
        if depth > MAX_YAML_DEPTH:
            raise InputError(
                source,
                "file",
                f"more than {MAX_YAML_DEPTH} levels",
                f"YAML nested at most {MAX_YAML_DEPTH} levels deep",
            )
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def parse_scenario(text: str, *, source: str = "<scenario>", demand_texts: Mapping[str, str] | None = None) -> Scenario:
    """A scenario from YAML text; demand CSVs are given as ``{file name: text}``."""
    scenario = build_scenario(parse_yaml(text, source=source), source=source, demand_texts=demand_texts or {})
    check_variants(scenario)
    return scenario


# ----------------------------------------------------------------------------------------------
def build_scenario(
    raw: Mapping[str, Any],
    *,
    source: str = "<scenario>",
    demand_texts: Mapping[str, str] | None = None,
    variant: str | None = None,
    base_raw: Mapping[str, Any] | None = None,
) -> Scenario:
    """Validate a scenario dict (defaults filled in), check its cross-references and compute arrivals."""
    demand_texts = dict(demand_texts or {})
    raw = dict(raw)
    filled = _with_defaults(raw, source)
    try:
        spec = ScenarioSpec.model_validate(filled)
    except ValidationError as exc:
        raise _input_error(exc, filled, source) from None
    rules, role_rules = _rule_sets(spec, source)
    grid = _grid(spec, source)
    _check_references(spec, source)
    _check_roster(spec, source)
    _check_shifts(spec, role_rules, grid, source)
    arrivals = _arrivals(spec, grid, demand_texts, source)
    _check_volumes(spec, grid, arrivals, source)
    frozen_arrivals = {}
    for name, values in arrivals.items():
        values = np.asarray(values, dtype=float)
        values.setflags(write=False)
        frozen_arrivals[name] = values
    return Scenario(
        spec=spec,
        source=source,
        raw=MappingProxyType(raw),
        demand_texts=MappingProxyType(demand_texts),
        grid=grid,
        rules=rules,
        role_rules=MappingProxyType(role_rules),
        arrivals=MappingProxyType(frozen_arrivals),
        variant=variant,
        base_raw=MappingProxyType(dict(base_raw)) if base_raw is not None else None,
    )


def _with_defaults(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Role, hire and stream defaults (by role kind) slid under the user's values."""
    base = defaults()
    out = dict(raw)
    roles = raw.get("roles")
    if isinstance(roles, Mapping):
        filled_roles = {}
        for name, body in roles.items():
            if body is None:
                body = {}
            if not isinstance(body, Mapping):
                filled_roles[name] = body
                continue
            kind = body.get("kind", name if name in ROLE_KINDS else MISSING)
            if kind not in ROLE_KINDS:
                raise InputError(
                    source,
                    f"roles.{name}.kind",
                    kind,
                    f"one of {', '.join(ROLE_KINDS)} (the role's name may be the kind itself)",
                )
            filled_roles[name] = deep_merge(base["roles"][kind], {**body, "kind": kind})
        out["roles"] = filled_roles
        hires = raw.get("hire")
        if isinstance(hires, Mapping):
            filled_hires = {}
            for name, body in hires.items():
                role = filled_roles.get(name)
                kind = role.get("kind") if isinstance(role, Mapping) else None
                if isinstance(body, Mapping) and kind in base["hire"]:
                    filled_hires[name] = deep_merge(base["hire"][kind], body)
                else:
                    filled_hires[name] = body
            out["hire"] = filled_hires
    year = raw.get("year")
    if isinstance(year, Mapping):  # only a scenario that asks for a year plan gets the year defaults
        out["year"] = deep_merge(base["year"], year)
    streams = raw.get("streams")
    if isinstance(streams, Mapping):
        out["streams"] = {
            name: deep_merge(base["stream"], body) if isinstance(body, Mapping) else body
            for name, body in streams.items()
        }
    return out


def _input_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> InputError:
    """The first pydantic error as one message naming the field path, the value and what is allowed."""
    error = exc.errors(include_url=False)[0]
    path: list[str] = []
    node: Any = data
    for part in error["loc"]:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            path.append(str(part))
        elif isinstance(node, Mapping) and part == "from_" and "from" in node:
            node = node["from"]
            path.append("from")
        elif isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(f"[{part}]")
        elif error["type"] in ("missing", "extra_forbidden") and isinstance(part, str) and part == error["loc"][-1]:
            path.append(part.rstrip("_"))
    field_name = ".".join(path).replace(".[", "[") or "file"
    kind = error["type"]
    if kind == "missing":
        return InputError(source, field_name, MISSING, "this field is required")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(error["loc"][:-1])
        return InputError(source, field_name, error.get("input"), f"unknown field; allowed here: {allowed}")
    message = _in_words(error)
    value = error.get("input")
    if isinstance(value, Mapping | list):
        value = node if not isinstance(node, Mapping | list) else value
    return InputError(source, field_name, value, message)


def _in_words(error: Mapping[str, Any]) -> str:
    """Pydantic's message, phrased for a YAML author: no class names, dates as written in the file."""
    if error["type"] == "string_pattern_mismatch":  # the only pattern is the one of names
        return "a name of 1 to 80 characters, without '/' or '\\', not starting with a space"
    message = str(error["msg"]).replace("Input should be", "must be").replace("Value error, ", "")
    message = message.replace("String should", "must").replace("List should", "must").replace("Tuple should", "must")
    message = re.sub(r" or instance of \w+", "", message).replace("a valid tuple", "a list")
    return re.sub(
        r"datetime\.date\((\d+), (\d+), (\d+)\)",
        lambda m: date(*map(int, m.groups())).isoformat(),
        message,
    )


def _allowed_fields(loc: tuple[Any, ...]) -> str:
    """Field names of the model found at ``loc`` (for 'unknown field' messages)."""
    model: Any = ScenarioSpec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if isinstance(model, type) and issubclass(model, BaseModel):
            info = model.model_fields.get(part)
            model = _inner_model(info.annotation) if info else model
        elif isinstance(model, tuple):  # dict value model
            model = model[0]
    if isinstance(model, tuple):
        model = model[0]
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(info.alias or name for name, info in model.model_fields.items())
    return "(see the README's scenario reference)"


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside Optional[...], tuple[...], dict[str, ...] (dicts marked as a 1-tuple)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and args:
        inner = _inner_model(args[1])
        return (inner,) if inner is not None else None
    for arg in args:
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def _rule_sets(spec: ScenarioSpec, source: str) -> tuple[RuleSet, dict[str, RuleSet]]:
    base = load_rule_set(spec.rule_set)
    rules = _override(base, spec.rule_overrides, "rule_overrides", source)
    role_rules = {
        name: _override(rules, role.rules, f"roles.{name}.rules", source) for name, role in spec.roles.items()
    }
    return rules, role_rules


def _override(rules: RuleSet, overrides: Mapping[str, Any], where: str, source: str) -> RuleSet:
    for name, value in overrides.items():
        try:
            rules = rules.with_overrides({name: value})
        except KeyError:
            raise InputError(
                source, f"{where}.{name}", value, f"a rule of the '{rules.name}' set: {', '.join(rules.rules)}"
            ) from None
        except TypeError as exc:
            raise InputError(source, f"{where}.{name}", value, f"must be {exc}") from None
        except ValueError as exc:
            raise InputError(source, f"{where}.{name}", value, f"must be a time window 'HH:MM-HH:MM' ({exc})") from None
    return rules


def _grid(spec: ScenarioSpec, source: str) -> TimeGrid:
    horizon = spec.horizon
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(horizon.timezone)
    except Exception:
        raise InputError(
            source, "horizon.timezone", horizon.timezone, "an IANA time zone such as Europe/Paris"
        ) from None
    days: set[date] = set(horizon.holidays.extra)
    if horizon.holidays.country:
        years = range(horizon.start.year, horizon.start.year + 2)
        try:
            calendar = holidays_lib.country_holidays(
                horizon.holidays.country, subdiv=horizon.holidays.subdivision, years=years
            )
        except NotImplementedError:
            raise InputError(
                source,
                "horizon.holidays.country",
                horizon.holidays.country,
                "an ISO country code the 'holidays' package knows, e.g. FR, DE, ES",
            ) from None
        days |= set(calendar)
    return TimeGrid(horizon.start, horizon.days, horizon.slot_minutes, horizon.timezone, frozenset(days))


def _check_references(spec: ScenarioSpec, source: str) -> None:
    roles = spec.roles
    role_names = ", ".join(roles)
    skills_offered = {s for r in roles.values() for s in r.skills}
    skills_offered |= {s for p in spec.people for s in (p.skills or ()) + p.extra_skills}
    for name, stream in spec.streams.items():
        if stream.skill not in skills_offered:
            raise InputError(
                source,
                f"streams.{name}.skill",
                stream.skill,
                f"a skill some role or person has: {', '.join(sorted(skills_offered))}",
            )
    for i, presence in enumerate(spec.presence):
        for role in presence.roles or ():
            if role not in roles:
                raise InputError(source, f"presence[{i}].roles", role, f"a role of the scenario: {role_names}")
        if parse_clock(presence.to) <= parse_clock(presence.from_):
            raise InputError(source, f"presence[{i}].to", presence.to, f"a time after 'from' ({presence.from_})")
    for name, role in roles.items():
        if role.supervision is not None:
            for by in role.supervision.by:
                if by not in roles:
                    raise InputError(
                        source, f"roles.{name}.supervision.by", by, f"a role of the scenario: {role_names}"
                    )
                if roles[by].kind not in ("senior", "junior"):
                    raise InputError(source, f"roles.{name}.supervision.by", by, "a salaried role (senior or junior)")
    seen: set[str] = set()
    for i, person in enumerate(spec.people):
        where = f"people[{i}]"
        if person.name in seen:
            raise InputError(source, f"{where}.name", person.name, "a name not used by another person")
        seen.add(person.name)
        if person.role not in roles:
            raise InputError(source, f"{where}.role", person.role, f"a role of the scenario: {role_names}")
        kind = roles[person.role].kind
        if kind == "agency":
            raise InputError(
                source, f"{where}.role", person.role, "a staff role: agency moderators are booked per block, not named"
            )
        if person.internship is not None and kind != "trainee":
            raise InputError(source, f"{where}.internship", "...", "only trainees have an internship window")
        if person.available is not None and parse_clock(person.available.to) <= parse_clock(person.available.from_):
            raise InputError(
                source, f"{where}.available.to", person.available.to, f"a time after 'from' ({person.available.from_})"
            )
    for name in spec.hire:
        if name not in roles:
            raise InputError(source, f"hire.{name}", name, f"a role of the scenario: {role_names}")
        if roles[name].kind == "agency":
            raise InputError(
                source, f"hire.{name}", name, "a staff role: the agency is booked, not hired (set its max_concurrent)"
            )
    for name, stream in spec.streams.items():
        if stream.arrivals is not None and stream.arrivals.profile is not None:
            profile = stream.arrivals.profile
            curves, factors = defaults()["daily_curves"], defaults()["weekday_factors"]
            if isinstance(profile.daily_curve, str) and profile.daily_curve not in curves:
                raise InputError(
                    source,
                    f"streams.{name}.arrivals.profile.daily_curve",
                    profile.daily_curve,
                    f"24 hourly weights or one of {', '.join(curves)}",
                )
            if isinstance(profile.weekday_factors, str) and profile.weekday_factors not in factors:
                raise InputError(
                    source,
                    f"streams.{name}.arrivals.profile.weekday_factors",
                    profile.weekday_factors,
                    f"7 factors or one of {', '.join(factors)}",
                )
            last = spec.horizon.start.toordinal() + spec.horizon.days - 1
            for j, event in enumerate(profile.events):
                if not spec.horizon.start.toordinal() <= event.date.toordinal() <= last:
                    raise InputError(
                        source,
                        f"streams.{name}.arrivals.profile.events[{j}].date",
                        str(event.date),
                        f"a date inside the horizon ({spec.horizon.start} + {spec.horizon.days} days)",
                    )


def _starts(role: RoleSpec) -> list[int]:
    """Local start minutes of a role's shift catalogue."""
    sh = role.shifts
    return list(range(parse_clock(sh.earliest_start), parse_clock(sh.latest_start) + 1, sh.start_step_minutes))


def _check_shift_window(role: RoleSpec, role_name: str, window: str, source: str, where: str) -> None:
    """A shift type is a start-time window; one that no shift of the role starts in names nothing."""
    if not any(in_window(m, parse_window(window)) for m in _starts(role)):
        sh = role.shifts
        raise InputError(
            source,
            where,
            window,
            f"a start-time window holding a start of role {role_name}'s shifts "
            f"({sh.earliest_start} to {sh.latest_start} every {sh.start_step_minutes} min)",
        )


def _check_roster(spec: ScenarioSpec, source: str) -> None:
    """Roster rules and requests: dates inside the horizon, shift types the role has, known people."""
    first = spec.horizon.start.toordinal()
    last = first + spec.horizon.days - 1
    inside = f"a date inside the horizon ({spec.horizon.start} + {spec.horizon.days} days)"
    holders = [(f"roles.{n}.roster", n, r.roster) for n, r in spec.roles.items()]
    holders += [(f"people[{i}].roster", p.role, p.roster) for i, p in enumerate(spec.people) if p.roster]
    for where, role_name, rules in holders:
        role = spec.roles[role_name]
        merged = role.roster.merged(rules)
        for low, high in (("min_consecutive_days", "max_consecutive_days"), ("min_hours", "max_hours")):
            lo, hi = getattr(merged, low), getattr(merged, high)
            if lo is not None and hi is not None and lo > hi:
                raise InputError(source, f"{where}.{low}", lo, f"at most {high} ({hi})")
        for j, day in enumerate(rules.days_off or ()):
            if isinstance(day, date) and not first <= day.toordinal() <= last:
                raise InputError(source, f"{where}.days_off[{j}]", str(day), f"a weekday name or {inside}")
        for j, rule in enumerate(rules.no_succession or ()):
            _check_shift_window(role, role_name, rule.first, source, f"{where}.no_succession[{j}].first")
            _check_shift_window(role, role_name, rule.then, source, f"{where}.no_succession[{j}].then")
    people = {p.name: p for p in spec.people}
    for j, req in enumerate(spec.requests):
        where = f"requests[{j}]"
        if req.person not in people:
            raise InputError(source, f"{where}.person", req.person, f"a person of the scenario: {', '.join(people)}")
        if not first <= req.date.toordinal() <= last:
            raise InputError(source, f"{where}.date", str(req.date), inside)
        if req.shift is not None:
            role_name = people[req.person].role
            _check_shift_window(spec.roles[role_name], role_name, req.shift, source, f"{where}.shift")


def _check_shifts(spec: ScenarioSpec, role_rules: Mapping[str, RuleSet], grid: TimeGrid, source: str) -> None:
    """Shift templates must sit on the slot grid and respect the daily maximum of the role's rules; rules
    counted in hours must be whole numbers of slots (the model counts time in slots)."""
    slot = grid.slot_minutes
    for name, rules in role_rules.items():
        for rule in rules.rules.values():
            if (
                rule.unit == "h"
                and isinstance(rule.value, int | float)
                and abs(rule.value * 60 / slot - round(rule.value * 60 / slot)) > 1e-9
            ):
                where = (
                    f"roles.{name}.rules.{rule.name}"
                    if rule.name in spec.roles[name].rules
                    else f"rule_overrides.{rule.name}"
                )
                raise InputError(source, where, rule.value, f"a whole number of {slot}-minute slots")
    for name, role in spec.roles.items():
        where = f"roles.{name}"
        if role.kind == "agency":
            hours = role.min_block_hours or 0
            if round(hours * 60) % slot:
                raise InputError(source, f"{where}.min_block_hours", hours, f"a multiple of the {slot}-minute slot")
            if role.block_start_step_minutes % slot:
                raise InputError(
                    source, f"{where}.block_start_step_minutes", role.block_start_step_minutes, f"a multiple of {slot}"
                )
            continue
        shifts = role.shifts
        for key in ("earliest_start", "latest_start"):
            if parse_clock(getattr(shifts, key)) % slot:
                raise InputError(
                    source, f"{where}.shifts.{key}", getattr(shifts, key), f"a time on the {slot}-minute grid"
                )
        if shifts.start_step_minutes % slot:
            raise InputError(
                source, f"{where}.shifts.start_step_minutes", shifts.start_step_minutes, f"a multiple of {slot}"
            )
        max_daily = role_rules[name]["max_daily_hours"]
        for length in shifts.lengths_hours:
            if round(length * 60) % slot or abs(length * 60 - round(length * 60)) > 1e-9:
                raise InputError(
                    source, f"{where}.shifts.lengths_hours", length, f"lengths in multiples of the {slot}-minute slot"
                )
            if length > max_daily:
                rule = role_rules[name].rule("max_daily_hours")
                raise InputError(
                    source,
                    f"{where}.shifts.lengths_hours",
                    length,
                    f"at most {max_daily} h ({rule.reference}: {rule.text})",
                )


def _arrivals(
    spec: ScenarioSpec, grid: TimeGrid, demand_texts: Mapping[str, str], source: str
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    parsed: dict[str, dict[str, np.ndarray]] = {}
    base = defaults()
    for name, stream in spec.streams.items():
        with np.errstate(over="ignore", invalid="ignore"):  # huge volumes are reported by _check_volumes
            out[name] = _stream_arrivals(name, stream, spec, grid, demand_texts, parsed, base, source)
    return out


def _stream_arrivals(
    name: str,
    stream: StreamSpec,
    spec: ScenarioSpec,
    grid: TimeGrid,
    demand_texts: Mapping[str, str],
    parsed: dict[str, dict[str, np.ndarray]],
    base: Mapping[str, Any],
    source: str,
) -> np.ndarray:
    if stream.arrivals is None:
        return np.zeros(grid.n_slots)
    arrivals = stream.arrivals
    if arrivals.profile is not None:
        values = profile_arrivals(arrivals.profile, grid, base["daily_curves"], base["weekday_factors"])
    else:
        csv_name = arrivals.csv
        if csv_name not in demand_texts:
            raise InputError(
                source,
                f"streams.{name}.arrivals.csv",
                csv_name,
                "an existing file (paths are relative to the scenario file)",
            )
        csv_source = _demand_source(source, csv_name)
        if csv_name not in parsed:
            parsed[csv_name] = parse_demand_csv(
                demand_texts[csv_name], source=csv_source, grid=grid, streams=list(spec.streams)
            )
        if name not in parsed[csv_name]:
            raise InputError(
                csv_source,
                "column stream",
                name,
                f"rows for stream '{name}' (the scenario reads its arrivals from this file)",
            )
        values = parsed[csv_name][name]
    return values * arrivals.scale


def _demand_source(source: str, csv_name: str) -> str:
    """The demand file as the user finds it: next to the scenario file, which is where it was read."""
    if source.startswith("<"):
        return csv_name
    return str(Path(source).parent / csv_name)


def _check_volumes(spec: ScenarioSpec, grid: TimeGrid, arrivals: Mapping[str, np.ndarray], source: str) -> None:
    """Arrivals must be finite and within what a roster could ever staff: a slot needing more than
    MAX_PEOPLE_PER_SLOT people is a typo (a weekly volume for an hourly one, a scale of 1000), and the
    Erlang search for it would run for a very long time."""
    for name, values in arrivals.items():
        stream = spec.streams[name]
        where = f"streams.{name}.arrivals"
        if not np.isfinite(values).all():
            raise InputError(source, where, "inf", "finite volumes (check weekly_items, scale and the demand file)")
        if stream.response_model == "workload" or not values.size:
            continue
        peak = float(values.max())
        occupancy = stream.max_occupancy if stream.response_model == "erlang" else 1.0
        people = peak * stream.handle_minutes / grid.slot_minutes / occupancy / (1 - stream.shrinkage)
        if people > MAX_PEOPLE_PER_SLOT:
            raise InputError(
                source,
                where,
                f"{peak:.6g} items in one slot",
                f"volumes that at most {MAX_PEOPLE_PER_SLOT} people can handle in a slot (here about {people:.3g}"
                f" with handle_minutes {stream.handle_minutes:g}, max_occupancy {occupancy:g} and shrinkage"
                f" {stream.shrinkage:g}); check weekly_items, scale and the demand file",
            )


def leave_dates(person: PersonSpec) -> frozenset[date]:
    """Every date of a person's leave (single dates and inclusive ranges)."""
    out: set[date] = set()
    for item in person.leave:
        if isinstance(item, DateRange):
            out.update(date.fromordinal(o) for o in range(item.start.toordinal(), item.end.toordinal() + 1))
        else:
            out.add(item)
    return frozenset(out)
