"""Loading scenarios: every example loads, and every broken file fails with one message that names the file,
the field, the bad value and what is allowed, both from Python and through the CLI (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.scenario import build_scenario, load_scenario
from scheduler.scenario.load import parse_yaml
from scheduler.scenario.merge import set_path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml"))


def _raw(name: str) -> dict:
    return parse_yaml((DATA / name).read_text(encoding="utf-8"), source=name)


def _arrivals_are_sane(scenario) -> None:
    for name, values in scenario.arrivals.items():
        assert values.shape == (scenario.grid.n_slots,), name
        assert np.isfinite(values).all() and (values >= 0).all(), name


# ------------------------------------------------------------------------------------------ good files
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_scenario_and_variant_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.variant is None
    _arrivals_are_sane(scenario)
    assert sum(v.sum() for v in scenario.arrivals.values()) > 0
    for name in scenario.variant_names():
        variant = scenario.with_variant(name)
        assert variant.variant == name and variant.name.endswith(f"[{name}]")
        _arrivals_are_sane(variant)
        # load_scenario(path, variant=...) is the same problem
        assert load_scenario(path, variant=name).hash == variant.hash


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {"tourism.yaml", "retailer.yaml", "small_company.yaml"}


@pytest.mark.parametrize("name", ["ok_minimal.yaml", "ok_csv_demand.yaml"])
def test_small_fixtures_load(name: str) -> None:
    scenario = load_scenario(DATA / name)
    _arrivals_are_sane(scenario)


def test_csv_demand_lands_in_the_right_slots_across_the_spring_change() -> None:
    scenario = load_scenario(DATA / "ok_csv_demand.yaml")
    assert scenario.grid.n_slots == 24 + 23 + 24  # 28 March 2027 has no 02:00 in Paris
    rows = [line.split(",") for line in (DATA / "ok_demand.csv").read_text().splitlines()[1:]]
    for stream in ("moderation", "care"):
        items = [float(n) for _, s, n in rows if s == stream]
        assert scenario.arrivals[stream].sum() == pytest.approx(sum(items))
        # Local 03:00 on the 28th is the slot right after local 01:00: slots 24 (00:00), 25 (01:00), 26 (03:00).
        at_three = next(float(n) for t, s, n in rows if s == stream and t == "2027-03-28 03:00")
        assert scenario.arrivals[stream][26] == at_three


def test_yaml_anchors_and_merge_keys_still_work() -> None:
    text = (DATA / "ok_minimal.yaml").read_text() + (
        "bands: {night: '22:00-06:00'}\n"
        "presence:\n"
        "  - &floor {name: someone on duty, min: 1}\n"
        "  - {<<: *floor, name: two by day, min: 2, from: '09:00', to: '18:00'}\n"
    )
    scenario = build_scenario(parse_yaml(text), source="anchors.yaml")
    assert [p.min for p in scenario.spec.presence] == [1, 2]


# -------------------------------------------------------------------------------- demand file paths
def test_demand_paths_resolve_against_the_scenario_file_not_the_working_directory(tmp_path, monkeypatch) -> None:
    # A decoy with the same name in the working directory must not be read.
    (tmp_path / "ok_demand.csv").write_text("timestamp,stream,items\n2027-03-27 00:00,moderation,999999\n")
    monkeypatch.chdir(tmp_path)
    relative = os.path.relpath(DATA / "ok_csv_demand.yaml", tmp_path)
    from_elsewhere = load_scenario(relative)
    monkeypatch.chdir(ROOT)
    here = load_scenario("tests/data/ok_csv_demand.yaml")
    assert from_elsewhere.arrivals["moderation"].tolist() == here.arrivals["moderation"].tolist()
    assert from_elsewhere.arrivals["moderation"].max() < 999999


def test_a_missing_demand_file_is_looked_for_next_to_the_scenario(tmp_path, monkeypatch) -> None:
    (tmp_path / "no_such_demand.csv").write_text("timestamp,stream,items\n2026-06-01 00:00,moderation,1\n")
    monkeypatch.chdir(tmp_path)  # the name exists here, but not next to the scenario
    relative = os.path.relpath(BAD / "missing_demand_file.yaml", tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario(relative)
    error = info.value
    assert error.file == relative
    assert error.field == "streams.moderation.arrivals.csv"
    assert error.value == "no_such_demand.csv"
    assert str(Path(relative).parent / "no_such_demand.csv") in error.allowed


def test_errors_in_a_demand_file_name_it_where_it_lies(tmp_path) -> None:
    folder = tmp_path / "brand"
    folder.mkdir()
    shutil.copy(BAD / "negative_items.csv", folder / "demand.csv")
    raw = set_path(_raw("ok_csv_demand.yaml"), "streams.*.arrivals.csv", "demand.csv")
    (folder / "scenario.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(InputError) as info:
        load_scenario(folder / "scenario.yaml")
    assert info.value.file == str(folder / "demand.csv")


# -------------------------------------------------------------------------------------- broken files
# fixture -> (field, value as shown in the message, a phrase of what is allowed)
BROKEN = {
    # scenario YAML
    "unknown_field.yaml": (
        "streams.moderation.handle_minute",
        "0.5",
        "unknown field; allowed here: skill, handle_minutes",
    ),
    "wrong_type.yaml": ("streams.moderation.handle_minutes", "'fast'", "must be a valid number"),
    "missing_horizon_start.yaml": ("horizon.start", "(missing)", "this field is required"),
    "unknown_role.yaml": ("people[0].role", "'manager'", "a role of the scenario: senior, agency"),
    "unknown_skill.yaml": ("streams.moderation.skill", "'juggling'", "a skill some role or person has: care, crisis"),
    "impossible_date.yaml": ("horizon.start", "'2026-02-30'", "a real calendar date YYYY-MM-DD"),
    "event_out_of_horizon.yaml": (
        "streams.moderation.arrivals.profile.events[0].date",
        "'2026-06-15'",
        "a date inside the horizon (2026-06-01 + 2 days)",
    ),
    "horizon_too_long.yaml": ("horizon.days", "70", "must be less than or equal to 56"),
    "slot_not_allowed.yaml": ("horizon.slot_minutes", "20", "must be 15, 30 or 60"),
    "shift_too_long.yaml": ("roles.senior.shifts.lengths_hours", "12.0", "at most 10 h (L3121-18"),
    "huge_volume.yaml": ("streams.moderation.arrivals", "items in one slot", "at most 10000 people can handle"),
    "unknown_timezone.yaml": ("horizon.timezone", "'Europe/Lyon'", "an IANA time zone such as Europe/Paris"),
    "duplicate_key.yaml": (
        "line 15, column 3",
        "'moderation'",
        "each key once in its mapping (already given on line 8)",
    ),
    "missing_demand_file.yaml": ("streams.moderation.arrivals.csv", "'no_such_demand.csv'", "an existing file"),
    "demand_is_folder.yaml": ("streams.moderation.arrivals.csv", "'../bad'", "a file, not a folder"),
    "empty.yaml": ("file", "''", "a YAML mapping with at least name, horizon, streams and roles"),
    "list_not_mapping.yaml": ("file", "[{'name': 'list-not-mapping'}", "a YAML mapping"),
    "binary_junk.yaml": ("file", "b'\\x89PNG", "a text file (UTF-8), not binary data"),
    "not_utf8.yaml": ("line 2", "caf\\xe9", "UTF-8 text"),
    "alias_bomb.yaml": ("file", "'more than 200000 values'", "at most 200000 values (aliases count each time"),
    # demand CSV, read by a copy of ok_csv_demand.yaml (horizon 27-29 March 2027, streams moderation and care)
    "missing_column.csv": ("columns", "['timestamp', 'stream']", "missing column(s) items"),
    "unparseable_timestamp.csv": ("row 4, column timestamp", "'27/03/2027 01h'", "a date and time like"),
    "impossible_timestamp.csv": ("row 3, column timestamp", "'2027-02-30 00:00'", "a date and time like"),
    "dst_gap_timestamp.csv": ("row 4, column timestamp", "'2027-03-28 02:30'", "a time that exists in Europe/Paris"),
    "negative_items.csv": ("row 3, column items", "'-2'", "a number of items from 0 to 1000000000"),
    "non_numeric_items.csv": ("row 3, column items", "'a few'", "a number of items from 0 to 1000000000"),
    "unknown_stream.csv": ("row 4, column stream", "'complaints'", "one of the scenario's streams: care, moderation"),
    "rows_outside_horizon.csv": ("row 3, column timestamp", "'2026-03-27 00:00'", "inside the horizon 2027-03-27 to"),
    "empty.csv": ("file", "''", "a CSV with a header line timestamp,stream,items"),
    "header_only.csv": ("rows", "0", "at least one data row"),
    "binary_junk.csv": ("file", "b'\\x1f\\x8b", "a text file (UTF-8), not binary data"),
    "extra_field.csv": ("row 3", "'4 fields'", "3 fields, like the header line"),
    "semicolon_separated.csv": ("columns", "['timestamp;stream;items']", "missing column(s) timestamp, stream, items"),
}


@contextmanager
def _no_hang(seconds: float = 10) -> Iterator[None]:
    """An alias bomb or a pathological file must fail the test, not stall the suite."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _scenario_for(fixture: Path, tmp_path: Path) -> Path:
    """The file to load: the fixture itself, or for a demand CSV a scenario that reads it."""
    if fixture.suffix == ".yaml":
        return fixture.relative_to(ROOT)
    raw = set_path(_raw("ok_csv_demand.yaml"), "streams.*.arrivals.csv", str(fixture))
    path = tmp_path / f"reads_{fixture.stem}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_every_broken_fixture_is_in_the_table() -> None:
    assert {p.name for p in BAD.iterdir()} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_raises_one_clear_input_error(name: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    field, shown, allowed = BROKEN[name]
    fixture = BAD / name
    with pytest.raises(InputError) as info, _no_hang():
        load_scenario(_scenario_for(fixture, tmp_path))
    error = info.value
    expected_file = str(fixture.relative_to(ROOT)) if fixture.suffix == ".yaml" else str(fixture)
    assert error.file == expected_file
    assert error.field == field
    assert allowed in error.allowed
    assert error.message.startswith(f"{expected_file}: {field} = ")
    assert shown in error.message.removeprefix(f"{expected_file}: {field} = ")
    assert "\n" not in error.message.strip()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_cli_reports_a_broken_file_in_one_line_and_exits_2(name: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    path = _scenario_for(BAD / name, tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    result = CliRunner().invoke(main, ["requirements", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {info.value.message}\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception


def test_cli_json_error_for_machines(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["requirements", "tests/data/bad/horizon_too_long.yaml", "--format", "json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["file"] == "tests/data/bad/horizon_too_long.yaml"
    assert payload["field"] == "horizon.days"
    assert payload["value"] == 70
    assert payload["allowed"] == "must be less than or equal to 56"


def test_a_missing_scenario_file(tmp_path) -> None:
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "nowhere.yaml")
    assert info.value.field == "file" and info.value.allowed == "an existing file"


# ------------------------------------------------------------------------------------------ variants
def _with_variants(tmp_path: Path, variants: dict) -> Path:
    path = tmp_path / "variants.yaml"
    path.write_text(yaml.safe_dump({**_raw("ok_minimal.yaml"), "variants": variants}), encoding="utf-8")
    return path


def test_a_broken_variant_names_the_variant(tmp_path) -> None:
    path = _with_variants(tmp_path, {"fine": {"hire": {"senior": {"max": 2}}}, "broken": {"horizon": {"days": 99}}})
    with pytest.raises(InputError) as info:
        load_scenario(path)  # every variant is validated at load, whichever is solved
    assert info.value.field == "variants.broken.horizon.days" and info.value.value == 99
    assert info.value.allowed == "must be less than or equal to 56"
    result = CliRunner().invoke(main, ["requirements", str(path), "--variant", "fine"])
    assert result.exit_code == 2 and result.stderr == f"error: {info.value.message}\n"
    fine = _with_variants(tmp_path, {"fine": {"hire": {"senior": {"max": 2}}}})
    assert load_scenario(fine, variant="fine").spec.hire["senior"].max == 2


def test_an_unknown_variant_lists_the_declared_ones(tmp_path) -> None:
    path = _with_variants(tmp_path, {"fine": {}})
    with pytest.raises(InputError) as info:
        load_scenario(path, variant="fin")
    assert (info.value.field, info.value.value) == ("--variant", "fin")
    assert "one of the scenario's variants: fine" in info.value.allowed


# -------------------------------------------------------------------------------------------- limits
def _build(path: str, value) -> object:
    return build_scenario(set_path(_raw("ok_minimal.yaml"), path, value), source="limits.yaml")


@pytest.mark.parametrize(
    ("path", "good", "bad", "message"),
    [
        ("horizon.days", 56, 57, "horizon.days = 57: must be less than or equal to 56"),
        ("horizon.days", 1, 0, "horizon.days = 0: must be greater than or equal to 1"),
        ("horizon.slot_minutes", 15, 45, "horizon.slot_minutes = 45: must be 15, 30 or 60"),
        ("horizon.start", "2000-01-03", "1999-12-31", "horizon.start = '1999-12-31': must be greater than or equal"),
        ("horizon.start", "2199-12-01", "2200-01-01", "horizon.start = '2200-01-01': must be less than or equal"),
        ("horizon.start", "2026-02-28", 20260228, "horizon.start = 20260228: must be a date written YYYY-MM-DD"),
        ("roles.senior.shifts.lengths_hours", [10], [11], "lengths_hours = 11.0: at most 10 h (L3121-18"),
        ("streams.moderation.handle_minutes", 1440, 1441, "handle_minutes = 1441: must be less than or equal to 1440"),
        ("streams.moderation.targets.day.within_minutes", 1, 0.5, "within_minutes = 0.5: must be greater than or"),
        ("name", "x" * 80, "x" * 81, "...: must have at most 80 characters"),
        ("name", "Brand Co", "a/b", "name = 'a/b': a name of 1 to 80 characters, without '/'"),
    ],
)
def test_limits_are_stated_in_the_message(path: str, good, bad, message: str) -> None:
    _build(path, good)  # the limit itself is allowed
    with pytest.raises(InputError) as info:
        _build(path, bad)
    assert message in info.value.message


def test_volume_limit_counts_people_per_slot() -> None:
    # 60-minute slots, 0.5 min per comment, 85 % occupancy: 10 000 people handle 1.02 million comments an hour.
    flat = {"weekly_items": 0, "daily_curve": "flat", "weekday_factors": "flat"}
    per_slot = {"ok": 1_000_000, "too many": 1_030_000}
    for label, items in per_slot.items():
        profile = {**flat, "weekly_items": items * 24 * 7}
        if label == "ok":
            scenario = _build("streams.moderation.arrivals.profile", profile)
            assert scenario.arrivals["moderation"].max() == pytest.approx(items)
        else:
            with pytest.raises(InputError) as info:
                _build("streams.moderation.arrivals.profile", profile)
            assert info.value.field == "streams.moderation.arrivals"
            assert "at most 10000 people can handle in a slot (here about 1.01e+04" in info.value.allowed


def test_rule_override_messages_read_as_sentences() -> None:
    with pytest.raises(InputError) as info:
        _build("rule_overrides", {"night_period": "25:00-06:00"})
    assert info.value.message == (
        "limits.yaml: rule_overrides.night_period = '25:00-06:00': must be a time window 'HH:MM-HH:MM'"
        " ('25:00' is not a time between 00:00 and 24:00)"
    )
