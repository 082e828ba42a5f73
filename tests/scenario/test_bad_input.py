"""Property-based robustness: random mutations of valid scenario YAML and demand CSV either load or raise
InputError naming the file; never another exception, never a hang."""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from scheduler.errors import InputError
from scheduler.scenario import Scenario, load_scenario, parse_scenario
from scheduler.scenario.load import parse_yaml

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = parse_yaml((DATA / "ok_minimal.yaml").read_text(encoding="utf-8"))
WITH_CSV = parse_yaml((DATA / "ok_csv_demand.yaml").read_text(encoding="utf-8"))
DEMAND_NAME = "ok_demand.csv"
DEMAND = (DATA / DEMAND_NAME).read_text(encoding="utf-8")
SECONDS_PER_EXAMPLE = 10

FAST = settings(
    max_examples=80,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow],
)


@contextmanager
def no_hang(seconds: float = SECONDS_PER_EXAMPLE) -> Iterator[None]:
    def on_alarm(signum, frame):
        raise TimeoutError(f"no answer after {seconds} s: a hang on this input")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def loads_or_names_the_file(load: Callable[[], Scenario], files: set[str]) -> Scenario | InputError:
    """The property: a valid scenario, or one InputError naming one of ``files`` and saying what is allowed.
    Any other exception propagates and fails the test with the input that caused it."""
    try:
        with no_hang():
            scenario = load()
    except InputError as error:
        assert error.file in files, error.message
        assert error.message.startswith(f"{error.file}: ")
        assert error.field and error.allowed
        assert error.to_dict()["message"] == error.message
        event("InputError")  # --hypothesis-show-statistics shows how often each outcome was reached
        return error
    event("loads")
    for name, values in scenario.arrivals.items():
        assert values.shape == (scenario.grid.n_slots,), name
        assert np.isfinite(values).all() and (values >= 0).all(), name
    assert len(scenario.hash) == 64
    return scenario


# ------------------------------------------------------------------------------------ YAML mutations
text_values = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
junk_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    text_values,
    st.sampled_from(
        [
            "2026-02-30",
            "2026-06-01",
            "1999-12-31",
            "24:00",
            "25:61",
            "21:00-06:00",
            "-1",
            "1e309",
            "senior",
            "agency",
            "trainee",
            "moderation",
            "care",
            "writing",
            "",
            " ",
            "🙂",
            "../..",
            "NaN",
            "Europe/Paris",
            "backlog",
            "workload",
            "ok_demand.csv",
            "\x00",
        ]
    ),
)
junk = st.recursive(
    junk_leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text_values, children, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path to a value inside nested dicts and lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _parent(root: Any, path: tuple) -> Any:
    for part in path[:-1]:
        root = root[part]
    return root


@st.composite
def mutated(draw: st.DrawFn, base: dict) -> dict:
    """1 to 3 mutations: drop a key, replace a value (junk, another type, a huge number), insert a key."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        kind = draw(st.sampled_from(["drop", "replace", "retype", "insert"]))
        if kind == "insert":
            holders = [()] + [p for p in paths if isinstance(_parent(data, (*p, None)), dict)]
            where = _parent(data, (*draw(st.sampled_from(holders)), None))
            where[draw(text_values)] = draw(junk)
            continue
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if kind == "drop":
            del parent[path[-1]]
        elif kind == "replace":
            parent[path[-1]] = draw(junk)
        else:
            old = parent[path[-1]]
            parent[path[-1]] = draw(
                st.sampled_from([str(old), [old], {"value": old}, 10**20, -1, 1e300, 0, True, None])
            )
    return data


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FAST
@given(mutant=mutated(MINIMAL))
def test_mutated_scenario_loads_or_names_the_file(mutant: dict) -> None:
    loads_or_names_the_file(lambda: parse_scenario(_yaml(mutant), source="mutant.yaml"), {"mutant.yaml"})


@FAST
@given(mutant=mutated(WITH_CSV))
def test_mutated_scenario_with_demand_file_loads_or_names_a_file(mutant: dict) -> None:
    loads_or_names_the_file(
        lambda: parse_scenario(_yaml(mutant), source="mutant.yaml", demand_texts={DEMAND_NAME: DEMAND}),
        {"mutant.yaml", DEMAND_NAME},
    )


@FAST
@given(data=st.data())
def test_mutated_yaml_text_loads_or_names_the_file(data: st.DataObject) -> None:
    """Text-level damage: a cut, a random insertion, a line dropped or repeated, a tab."""
    text = (DATA / "ok_minimal.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["cut", "insert", "drop line", "repeat line", "tab"]))
    at = data.draw(st.integers(0, len(text)))
    line = data.draw(st.integers(0, len(lines) - 1))
    if kind == "cut":
        text = text[:at]
    elif kind == "insert":
        text = text[:at] + data.draw(st.text(max_size=8)) + text[at:]
    elif kind == "drop line":
        text = "".join(lines[:line] + lines[line + 1 :])
    elif kind == "repeat line":
        text = "".join(lines[: line + 1] + lines[line:])
    else:
        text = text[:at] + "\t" + text[at:]
    loads_or_names_the_file(lambda: parse_scenario(text, source="mutant.yaml"), {"mutant.yaml"})


# ------------------------------------------------------------------------------------- CSV mutations
CSV_ROWS = [line.split(",") for line in DEMAND.splitlines()]


@st.composite
def mutated_csv(draw: st.DrawFn) -> str:
    """1 to 3 mutations of the demand CSV: a column deleted, a timestamp garbled, a negative or odd number,
    a stream renamed, rows dropped or shuffled, a junk line."""
    rows = [list(r) for r in CSV_ROWS]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["delete column", "timestamp", "number", "stream", "drop rows", "shuffle", "junk line"])
        )
        if not rows:
            break
        width = len(rows[0])
        i = draw(st.integers(0, len(rows) - 1))
        if kind == "delete column" and width > 1:
            j = draw(st.integers(0, width - 1))
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif kind == "timestamp" and rows[i]:
            rows[i][0] = draw(
                st.one_of(
                    text_values.filter(lambda s: "," not in s and "\n" not in s and "\r" not in s and '"' not in s),
                    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
                    st.sampled_from(["2027-03-28 02:30", "2027-02-30 10:00", "2027-03-27T10:00+99:00", "0001-01-01"]),
                )
            )
        elif kind == "number" and len(rows[i]) > 2:
            rows[i][2] = draw(
                st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(-(10**20), 10**20).map(str),
                    st.sampled_from(["-1", "", "1e999", "1,5", "twelve", "0x10", "True"]),
                )
            )
        elif kind == "stream" and len(rows[i]) > 1:
            rows[i][1] = draw(st.sampled_from(["", "Care", "complaints", "moderation ", "care;", "🙂"]))
        elif kind == "drop rows":
            keep = draw(st.integers(0, len(rows)))
            rows = rows[:keep]
        elif kind == "shuffle":
            rows = [rows[0], *draw(st.permutations(rows[1:]))]
        elif kind == "junk line":
            rows.insert(i, [draw(st.text(max_size=20).filter(lambda s: "\x00" not in s))])
    return "\n".join(",".join(r) for r in rows) + "\n"


@FAST
@given(text=mutated_csv())
def test_mutated_demand_csv_loads_or_names_the_file(text: str) -> None:
    loads_or_names_the_file(
        lambda: parse_scenario(_yaml(WITH_CSV), source="scenario.yaml", demand_texts={DEMAND_NAME: text}),
        {"scenario.yaml", DEMAND_NAME},
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A scenario on disk whose demand file each example overwrites with bytes."""
    path = tmp_path_factory.mktemp("bytes")
    (path / "scenario.yaml").write_text(_yaml(WITH_CSV), encoding="utf-8")
    return path


@FAST
@given(
    data=st.binary(max_size=2000),
    where=st.sampled_from(["replace", "append", "prepend", "splice"]),
    into=st.sampled_from(["csv", "yaml"]),
)
@example(data=b"\x01\r", where="prepend", into="csv")  # a lone carriage return before a long row (found by hypothesis)
def test_random_bytes_in_either_file_load_or_name_it(folder: Path, data: bytes, where: str, into: str) -> None:
    scenario, demand = folder / "scenario.yaml", folder / DEMAND_NAME
    good = {"csv": DEMAND.encode(), "yaml": _yaml(WITH_CSV).encode()}
    base = good[into]
    middle = len(base) // 2
    damaged = {
        "replace": data,
        "append": base + data,
        "prepend": data + base,
        "splice": base[:middle] + data + base[middle:],
    }[where]
    demand.write_bytes(damaged if into == "csv" else good["csv"])
    scenario.write_bytes(damaged if into == "yaml" else good["yaml"])
    loads_or_names_the_file(lambda: load_scenario(scenario), {str(scenario), str(demand)})


ROSTER_MISTAKES = [
    ("requests", "[{person: Ana, date: 2026-03-09, kind: day_off, weight: 5}]", {}, "requests[0].date", "2026-03-09"),
    ("requests", "[{person: Zoe, date: 2026-03-02, kind: day_off, weight: 5}]", {}, "requests[0].person", "Zoe"),
    (
        "requests",
        '[{person: Ana, date: 2026-03-02, kind: shift_on, shift: "20:00-21:00", weight: 5}]',
        {},
        "requests[0].shift",
        "20:00-21:00",
    ),
    ("requests", "[{person: Ana, date: 2026-03-02, kind: day_off, weight: -1}]", {}, "requests[0].weight", "-1"),
    ("requests", "[{person: Ana, date: 2026-03-02, kind: shift_off, weight: 1}]", {}, "requests[0]", "shift"),
    ("role_roster", "{min_consecutive_days: 4, max_consecutive_days: 3}", {}, "roles.junior.roster", "above"),
    (
        "role_roster",
        "{max_consecutive_days: 3}",
        {"people": "[{name: Ana, role: junior, roster: {min_consecutive_days: 5}}]"},
        "people[0].roster.min_consecutive_days",
        "5",
    ),
    ("role_roster", "{days_off: [2026-04-01]}", {}, "roles.junior.roster.days_off[0]", "2026-04-01"),
    (
        "role_roster",
        '{no_succession: [{first: "09:00-10:00", then: "13:00-14:00"}]}',
        {},
        "roles.junior.roster.no_succession[0].then",
        "13:00-14:00",
    ),
    ("fairness", "{nights: {price: 5, max_difference: 1}}", {}, "roles.junior.fairness.nights", "exactly one"),
]


@pytest.mark.parametrize(("key", "value", "extra", "field", "shown"), ROSTER_MISTAKES)
def test_roster_rules_and_requests_bad_values_name_the_field(key, value, extra, field, shown) -> None:
    from tests.model.test_wishes import case

    with pytest.raises(InputError) as error:
        case(days=3, **{key: value}, **extra)
    assert field in error.value.field, error.value.message
    assert shown in error.value.message
    assert error.value.exit_code == 2
