"""Every variant of every example scenario is validated at load like the base: each value a variant writes,
replaced by a wrong one, gives the project's InputError naming ``variants.<name>.<path>`` (never another
exception), with the message the base gives for the same value. Load only, no solves."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.scenario import build_scenario, load_scenario
from scheduler.scenario.load import parse_yaml
from scheduler.scenario.merge import deep_merge

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BAD_VALUES: tuple[Any, ...] = (-1, "abc", [1, 2], {"x": 1}, None)
MAX_PER_FILE = 400  # bounds the test's time (each mutation is one load of the file and its variants)


def _nodes(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of every value under a variant, mappings and lists included."""
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            out += [(child, value), *_nodes(value, child)]
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += [(f"{path}[{i}]", value), *_nodes(value, f"{path}[{i}]")]
    return out


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    parts = path.replace("[", ".[").split(".")
    node: Any = out
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value
    return out


def _mutations() -> list[tuple[str, str, str, Any]]:
    out = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        raw = parse_yaml(file.read_text(encoding="utf-8"))
        mine = []
        for name, body in (raw.get("variants") or {}).items():
            for path, original in _nodes(body):
                mine += [(file.name, name, path, bad) for bad in BAD_VALUES if bad != original]
        out += mine[:MAX_PER_FILE]
    return out


MUTATIONS = _mutations()


def test_the_examples_have_variants_to_mutate() -> None:
    assert len({(f, v) for f, v, _, _ in MUTATIONS}) >= 5 and len(MUTATIONS) >= 100


def _definitely_wrong(original: Any, bad: Any) -> bool:
    """Wrong whatever the field: a list or mapping for a scalar, a scalar for a mapping, and -1 or text
    for a number (every number the examples' variants write is a count or a cost)."""
    if bad is None:
        return False
    scalar = not isinstance(original, dict | list)
    if isinstance(bad, dict | list):
        return scalar
    if isinstance(original, dict):
        return True
    return isinstance(original, int | float) and not isinstance(original, bool)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mutations")
    for csv in SCENARIOS.glob("*.csv"):
        shutil.copy(csv, out / csv.name)
    return out


@pytest.mark.parametrize(("file", "variant", "path", "bad"), MUTATIONS, ids=lambda x: str(x))
def test_a_wrong_value_in_a_variant_is_refused_at_load_like_in_the_base(file, variant, path, bad, folder) -> None:
    raw = parse_yaml((SCENARIOS / file).read_text(encoding="utf-8"))
    body = raw["variants"][variant]
    original = dict(_nodes(body))[path]
    raw["variants"][variant] = _set(body, path, bad)
    target = folder / f"{Path(file).stem}-{abs(hash((variant, path, repr(bad))))}.yaml"
    target.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    # The oracle: the same merged content written as a plain scenario, validated as a base.
    demand = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.csv")}
    merged = deep_merge({k: v for k, v in raw.items() if k != "variants"}, raw["variants"][variant])
    try:
        build_scenario(merged, source=str(target), demand_texts=demand)
        as_base = None
    except InputError as exc:
        as_base = exc
    try:
        load_scenario(target)
    except InputError as exc:
        assert as_base is not None, f"refused, but valid as a plain scenario: {exc.message}"
        assert exc.allowed.startswith(as_base.allowed)  # the base's message, word for word
        if exc.field.startswith(f"variants.{variant}."):
            assert exc.field == f"variants.{variant}.{as_base.field}"
        else:  # a base field the variant makes wrong (e.g. a skill no role has any more)
            assert exc.field == as_base.field and f"variants.{variant} merged over it" in exc.allowed
        if _definitely_wrong(original, bad):
            assert exc.field.startswith(f"variants.{variant}.{path}"), exc.message
    else:
        assert as_base is None, f"accepted, but refused as a plain scenario: {as_base.message}"
        assert not _definitely_wrong(original, bad), f"{path} = {bad!r} accepted"
    target.unlink()


def test_the_cli_refuses_a_broken_variant_before_solving_with_exit_2(tmp_path) -> None:
    for csv in SCENARIOS.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    raw = parse_yaml((SCENARIOS / "small_company.yaml").read_text(encoding="utf-8"))
    raw["variants"]["recruit"]["hire"]["junior"]["max"] = -1
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    expected = f"error: {path}: variants.recruit.hire.junior.max = -1: must be greater than or equal to 0\n"
    runner = CliRunner()
    for args in (
        ["solve", str(path), "--time-limit", "1"],  # the base, not the broken variant, would be solved
        ["solve", str(path), "--variant", "upskill", "--time-limit", "1"],
        ["compare", str(path), "--time-limit", "1"],
        ["sweep", str(path), "--vary", "demand.scale=1:2:1", "--time-limit", "1"],
        ["requirements", str(path)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.endswith(expected), (args, result.stderr)
        assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def test_a_variant_with_streams_as_a_list_is_an_input_error_not_a_traceback(tmp_path) -> None:
    for csv in SCENARIOS.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    raw = parse_yaml((SCENARIOS / "small_company.yaml").read_text(encoding="utf-8"))
    raw["variants"]["recruit"]["streams"] = [1]
    path = tmp_path / "streams.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == "variants.recruit.streams"
