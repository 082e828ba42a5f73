"""Batch runs: compare, sweep, break-even, the process pool and Ray, on one-day scenarios solved in well
under a second (tests/data/batch_recruit_or_outsource.yaml has its costs worked out by hand)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from scheduler import batch
from scheduler.batch import (
    Axis,
    Job,
    apply_setting,
    break_even,
    cheapest_sentence,
    parse_vary,
    rank,
    run_chain,
    split_chains,
)
from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.plan import Plan, SolverStats
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams

DATA = Path(__file__).parent / "data"
TINY = str(DATA / "batch_recruit_or_outsource.yaml")
PARAMS = SolveParams(time_limit=10, workers=1)
# Hand-computed (see the scenario file): a junior costs 65.71 + 19.71 EUR for the day, the agency 30 EUR/h.
JUNIOR_DAY = 85.42
BREAK_EVEN_SCALE = 1 + 0.5 * (JUNIOR_DAY - 60) / 30  # between scale 1 (60 EUR) and 1.5 (90 EUR)


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One compare of the tiny scenario on the local pool (two processes), written to a folder."""
    out = tmp_path_factory.mktemp("compare") / "run"
    result = cli("compare", TINY, "-o", str(out), "--time-limit", "10", "--jobs", "2", "--excel")
    return result, out


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One sweep of demand, outsource against recruit, in chains on two processes."""
    out = tmp_path_factory.mktemp("sweep") / "run"
    result = cli(
        "sweep", TINY, "--vary", "demand.scale=1:2:0.5", "--variants", "outsource,recruit,nobody",
        "-o", str(out), "--time-limit", "10", "--jobs", "2", "--excel",
    )  # fmt: skip
    return result, out


# ------------------------------------------------------------------------------------------- axes
def test_parse_vary_includes_the_stop_value():
    axis = parse_vary("demand.scale=0.5:3:0.25")
    assert axis.path == "demand.scale"
    assert len(axis.values) == 11
    assert axis.values[0] == 0.5 and axis.values[-1] == 3.0
    assert parse_vary("agency.rate=20,25.5,40").values == (20.0, 25.5, 40.0)


@pytest.mark.parametrize(
    "text",
    [
        "demand.scale",  # no values
        "demand.scale=3:1:0.5",  # stop before start
        "demand.scale=1:2:0",  # no step
        "demand.scale=1:2:x",  # not a number
        "demand.scale=1:100000:0.1",  # far too many solves
        "=1:2:1",  # no path
        "demand.scale=1,1",  # the same point twice
    ],
)
def test_parse_vary_rejects_bad_specs(text):
    with pytest.raises(InputError) as error:
        parse_vary(text)
    assert "--vary" in error.value.message


def test_demand_scale_multiplies_every_stream(tiny):
    doubled = apply_setting(tiny, "demand.scale", 2.0)
    assert doubled.arrivals["care"].sum() == pytest.approx(2 * tiny.arrivals["care"].sum())
    assert tiny.arrivals["care"].sum() == pytest.approx(20.0)  # the original is untouched


def test_agency_rate_moves_night_and_weekend_in_proportion(tiny):
    rates = apply_setting(tiny, "agency.rate", 60.0).spec.roles["agency"].rates_per_hour
    assert (rates.day, rates.night, rates.weekend) == (60.0, 90.0, 80.0)  # 30/45/40 doubled


def test_any_dotted_path_sets_that_field(tiny):
    changed = apply_setting(tiny, "roles.junior.salary.monthly_gross", 2500)
    assert changed.spec.roles["junior"].salary.monthly_gross == 2500
    every = apply_setting(tiny, "streams.*.handle_minutes", 3)
    assert every.spec.streams["care"].handle_minutes == 3
    listed = apply_setting(tiny, "roles.junior.shifts.lengths_hours.0", 4)  # lists by index
    assert listed.spec.roles["junior"].shifts.lengths_hours == (4.0,)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("roles.juniorr.salary.monthly_gross", 2000, "'juniorr' is not one of: junior, agency"),
        ("roles.junior.salary", 2000, "a numeric field"),
        ("roles.junior.shifts.lengths_hours.3", 4, "an index from 0 to 0"),
        ("roles.junior.salary.monthly_gross", -5, "a value the scenario accepts"),
        ("demand.scale", -1, "a demand factor >= 0"),
    ],
)
def test_wrong_paths_and_values_say_what_is_allowed(tiny, path, value, words):
    with pytest.raises(InputError) as error:
        apply_setting(tiny, path, value)
    assert words in error.value.message


def test_sweep_with_a_wrong_path_exits_2_before_solving():
    result = cli("sweep", TINY, "--vary", "roles.nobody.salary=1:2:1")
    assert result.exit_code == 2
    assert "'nobody' is not one of" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------ ranking
def _row(variant, status, cost, bound=None, gap=None):
    return {"scenario": "s", "variant": variant, "status": status, "total_cost": cost, "best_bound": bound,
            "gap": gap, "currency": "EUR"}  # fmt: skip


def test_plans_without_a_cost_never_rank_cheapest():
    rows = pd.DataFrame(
        [
            _row("timed-out", "UNKNOWN", None, bound=10.0),
            _row("dear", "OPTIMAL", 300.0, 300.0, 0.0),
            _row("impossible", "INFEASIBLE", None),
            _row("cheap", "FEASIBLE", 120.0, 100.0, 0.1667),
        ]
    )
    ranked = rank(rows)
    assert list(ranked["variant"]) == ["cheap", "dear", "timed-out", "impossible"]
    assert list(ranked["rank"].astype("object").where(ranked["rank"].notna(), None)) == [1, 2, None, None]
    sentence = cheapest_sentence(ranked)
    assert sentence.startswith("Cheapest plan: cheap at 120.00 € (FEASIBLE, gap 16.67%)")
    # The timed-out plan's bound (10 EUR) is below 120 EUR: the ranking is not proven, and it says so.
    assert "Cheapest found, not proven: gaps overlap" in sentence and "timed-out (bound 10.00 €, UNKNOWN)" in sentence
    assert "Without a plan: timed-out (UNKNOWN), impossible (INFEASIBLE)" in sentence


def test_a_winner_below_every_other_bound_is_proven_cheapest():
    rows = pd.DataFrame(
        [
            _row("recruit", "FEASIBLE", 100.0, 95.0, 0.05),  # its own gap does not matter to the ranking
            _row("agency", "FEASIBLE", 130.0, 110.0, 0.1538),
            _row("impossible", "INFEASIBLE", None),
        ]
    )
    sentence = cheapest_sentence(rank(rows))
    assert "Proven cheapest" in sentence and "not proven" not in sentence
    # A bound just below the winner's cost leaves it unproven.
    rows.loc[1, "best_bound"] = 99.0
    assert "Cheapest found, not proven: gaps overlap with agency" in cheapest_sentence(rank(rows))


def test_no_plan_at_all_is_said_plainly():
    ranked = rank(pd.DataFrame([_row("a", "INFEASIBLE", None), _row("b", "UNKNOWN", None)]))
    assert cheapest_sentence(ranked) == "No plan was found for any variant: nothing to rank."


# -------------------------------------------------------------------------------------- compare
def test_compare_shows_every_variant_side_by_side(compared):
    result, _out = compared
    assert result.exit_code == 0, result.output
    for name in ("base", "outsource", "recruit", "nobody", "INFEASIBLE", "85.42 €", "60.00 €"):
        assert name in result.output
    assert "Cheapest plan: base at 60.00 € (OPTIMAL), tied with outsource." in result.output


def test_compare_writes_tables_plans_and_report(compared):
    _, out = compared
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["variant"]) == ["base", "outsource", "recruit", "nobody"]
    by_variant = table.set_index("variant")
    assert by_variant.loc["recruit", "total_cost"] == pytest.approx(JUNIOR_DAY)
    assert by_variant.loc["recruit", "hires_junior"] == 1
    assert by_variant.loc["recruit", "in_house_hours"] == pytest.approx(5.0)
    assert by_variant.loc["outsource", "agency_hours"] == pytest.approx(2.0)
    assert by_variant.loc["outsource", "cost_per_item"] == pytest.approx(60.0 / 20)
    assert by_variant.loc["recruit", "service_care"] == pytest.approx(1.0)
    assert by_variant.loc["nobody", "status"] == "INFEASIBLE"
    assert pd.isna(by_variant.loc["nobody", "total_cost"]) and pd.isna(by_variant.loc["nobody", "rank"])
    assert pd.read_parquet(out / "comparison.parquet")["variant"].tolist() == list(table["variant"])
    for variant in ("base", "outsource", "recruit", "nobody"):
        folder = out / "batch-recruit-or-outsource" / variant
        assert (folder / "plan.json").exists() and (folder / "report.html").exists()
    assert "<svg" in (out / "report.html").read_text(encoding="utf-8")
    sheets = openpyxl.load_workbook(out / "comparison.xlsx", read_only=True).sheetnames
    assert sheets[:2] == ["comparison", "side by side"]


def test_compare_json_and_the_same_answers_in_one_process():
    result = cli("compare", TINY, "--variants", "recruit,nobody", "--jobs", "1", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["variant"] for p in data["plans"]] == ["recruit", "nobody"]
    assert data["plans"][0]["total_cost"] == pytest.approx(JUNIOR_DAY)
    assert data["plans"][1]["total_cost"] is None
    assert data["cheapest"].startswith("Cheapest plan: recruit at 85.42 €")


def test_compare_exits_1_when_no_variant_has_a_plan():
    result = cli("compare", TINY, "--variants", "nobody", "--jobs", "1")
    assert result.exit_code == 1
    assert "No plan was found for any variant" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--variants", "recruit,hire-everyone"], "hire-everyone"),
        (["--variants", " , "], "comma-separated list"),
    ],
)
def test_compare_bad_variants_exit_2(args, words):
    result = cli("compare", TINY, *args)
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output


def test_compare_refuses_an_existing_folder_before_solving(tmp_path):
    result = cli("compare", TINY, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "--force" in result.output


def test_ray_backend_without_ray_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    result = cli("compare", TINY, "--backend", "ray")
    assert result.exit_code == 2
    assert "pip install .[ray]" in result.output


def test_ray_backend_gives_the_same_plans():
    pytest.importorskip("ray", reason="the optional extra ray is not installed (pip install .[ray])")
    result = cli("compare", TINY, "--variants", "outsource,recruit", "--backend", "ray", "--jobs", "2",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    costs = {p["variant"]: p["total_cost"] for p in json.loads(result.stdout)["plans"]}
    assert costs == {"outsource": pytest.approx(60.0), "recruit": pytest.approx(JUNIOR_DAY)}


def test_simulate_missing_is_said_and_the_comparison_still_runs(monkeypatch):
    monkeypatch.setitem(sys.modules, "scheduler.simulate", None)
    result = cli("compare", TINY, "--variants", "recruit", "--jobs", "1", "--simulate")
    assert result.exit_code == 0
    assert "scheduler.simulate is not installed yet" in result.output


def test_simulated_service_is_read_per_stream_weighted_by_items(monkeypatch):
    fake = types.ModuleType("scheduler.simulate")
    disciplines = []

    def simulate(scenario, plan, runs, discipline="oldest"):
        disciplines.append(discipline)
        bands = pd.DataFrame({"stream": ["care", "care"], "band": ["day", "night"], "items": [30.0, 10.0],
                              "share": [0.9, 0.5]})  # fmt: skip
        return types.SimpleNamespace(bands=bands)

    fake.simulate = simulate
    monkeypatch.setitem(sys.modules, "scheduler.simulate", fake)
    args = ("compare", TINY, "--variants", "recruit", "--jobs", "1", "--simulate", "--discipline", "priority")
    result = cli(*args, "--format", "json")
    assert json.loads(result.stdout)["plans"][0]["simulated_care"] == pytest.approx(0.8)  # (27 + 5) / 40
    assert disciplines == ["priority"]


# ---------------------------------------------------------------------------------------- metrics
def test_night_and_weekend_cost_counts_premiums_and_agency_bands(tiny):
    costs = pd.DataFrame(
        [
            ("junior", "j", "salary", 1, "horizon", 50.0, 50.0),
            ("junior", "j", "night premium", 2, "slot", 1.5, 3.0),
            ("junior", "j", "Sunday premium", 1, "slot", 4.0, 4.0),
            ("agency", "agency", "agency hours (day)", 2, "slot", 30.0, 60.0),
            ("agency", "agency", "agency hours (night)", 1, "slot", 45.0, 45.0),
            ("agency", "agency", "agency hours (weekend)", 1, "slot", 40.0, 40.0),
        ],
        columns=["role", "who", "component", "quantity", "unit", "unit_price", "amount"],
    )
    stats = SolverStats("OPTIMAL", 202.0, 202.0, 0.0, 0.1, 0.1, 0.1, 10, 1, 0)
    plan = Plan("s", "h", None, stats, hires={"junior": 1}, costs=costs)
    row = batch.plan_row(tiny, plan)
    assert row["night_weekend_cost"] == pytest.approx(3.0 + 4.0 + 45.0 + 40.0)
    assert row["total_cost"] == pytest.approx(202.0)
    assert row["cost_per_item"] == pytest.approx(202.0 / 20)


def test_a_plan_without_a_roster_has_no_figures_not_zeros(tiny):
    stats = SolverStats("INFEASIBLE", None, None, None, 0.1, None, None, 10, 1, 0, message="No legal plan")
    row = batch.plan_row(tiny, Plan("s", "h", None, stats))
    assert row["total_cost"] is None and row["agency_hours"] is None and row["hires_junior"] is None
    assert row["service_care"] is None


# ---------------------------------------------------------------------------------------- chains
def test_each_point_of_a_chain_is_hinted_with_the_previous_plan(monkeypatch):
    seen = []
    real = batch.solve

    def recording(scenario, params, *, hint=None, **kwargs):
        seen.append(hint)
        return real(scenario, params, hint=hint, **kwargs)

    monkeypatch.setattr(batch, "solve", recording)
    chain = [Job(TINY, "outsource", PARAMS, (("demand.scale", s),)) for s in (1.0, 1.5, 2.0)]
    outcomes = run_chain(chain)
    assert seen[0] is None
    assert seen[1] is outcomes[0].plan and seen[2] is outcomes[1].plan
    assert [o.row["total_cost"] for o in outcomes] == pytest.approx([60.0, 90.0, 120.0])


def test_short_of_chains_the_longest_are_halved():
    chain = [Job(TINY, None, PARAMS, (("demand.scale", float(s)),)) for s in range(8)]
    split = split_chains([chain], 2)
    assert [len(c) for c in split] == [4, 4]
    assert split[0] + split[1] == chain
    assert [len(c) for c in split_chains([chain[:3]], 2)] == [3]  # too short to split usefully


# ------------------------------------------------------------------------------------ break-even
def _frame(costs: dict[str, list[float | None]], xs: list[float]) -> pd.DataFrame:
    rows = []
    for variant, values in costs.items():
        for x, cost in zip(xs, values, strict=True):
            rows.append({"scenario": "s", "variant": variant, "demand.scale": x, "total_cost": cost,
                         "gap": 0.0 if cost is not None else None, "items_per_week": 100 * x,
                         "agency_hours": 1.0, "status": "OPTIMAL" if cost is not None else "UNKNOWN"})  # fmt: skip
    return pd.DataFrame(rows)


def test_break_even_is_interpolated_between_grid_points():
    xs = [1.0, 2.0, 3.0]
    frame = _frame({"agency": [10, 20, 30], "recruit": [25, 25, 25]}, xs)
    (point,) = break_even(frame, [Axis("demand.scale", tuple(xs))], {})
    assert point.value == pytest.approx(2.5)
    assert (point.cheaper_above, point.cheaper_below) == ("recruit", "agency")
    assert point.sentence.startswith("Above 250 items a week (demand × 2.50), recruit")


def test_the_bounds_prove_the_break_even_between_grid_points_or_say_they_do_not():
    """agency 10/20/30/40 against recruit 25 flat. With recruit's bound 25 everywhere and agency's bounds 10,
    20, 28, 38 the crossing (2.5) lies in [2, 3]: at 2 agency's 20 is under recruit's bound 25, at 3
    recruit's 25 is under agency's bound 28. With agency's bound at 3 dropped to 24 (its plan may be
    cheaper than 25 there), only x = 4 proves recruit cheaper: [2, 4]. Without bounds nothing is proven."""
    xs = [1.0, 2.0, 3.0, 4.0]
    frame = _frame({"agency": [10, 20, 30, 40], "recruit": [25, 25, 25, 25]}, xs)
    frame["best_bound"] = [10, 20, 28, 38, 25, 25, 25, 25]
    axes = [Axis("demand.scale", tuple(xs))]
    (point,) = break_even(frame, axes, {})
    assert point.proven == (2.0, 3.0)
    assert "The bounds prove it lies between 200 items a week" in point.sentence
    frame.loc[2, "best_bound"] = 24
    assert break_even(frame, axes, {})[0].proven == (2.0, 4.0)
    (unproven,) = break_even(frame.drop(columns="best_bound"), axes, {})
    assert unproven.proven is None and "do not prove" in unproven.sentence


def test_break_even_skips_points_without_a_plan_and_handles_ties():
    xs = [1.0, 2.0, 3.0, 4.0]
    gapped = _frame({"a": [10, None, 30, 40], "b": [20, 20, 20, 20]}, xs)
    (point,) = break_even(gapped, [Axis("demand.scale", tuple(xs))], {})
    assert point.value == pytest.approx(1 + 2 * 10 / 20) and point.between == (1.0, 3.0)
    tied = _frame({"a": [10, 20, 30], "b": [20, 20, 20]}, [1.0, 2.0, 3.0])
    (point,) = break_even(tied, [Axis("demand.scale", (1.0, 2.0, 3.0))], {})
    assert point.value == 2.0
    never = _frame({"a": [10, 20, 20], "b": [20, 20, 30]}, [1.0, 2.0, 3.0])  # touch, never cross
    assert break_even(never, [Axis("demand.scale", (1.0, 2.0, 3.0))], {}) == []


def test_sweep_finds_the_hand_computed_break_even(swept):
    result, out = swept
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Above 199 items a week (demand × 1.42), recruit" in text  # 140 x 1.4237 = 199.3
    assert "costs less than outsource" in text and "hiring 1 junior" in text
    found = pd.read_csv(out / "break_even.csv")
    assert len(found) == 1
    assert found.loc[0, "value"] == pytest.approx(BREAK_EVEN_SCALE, abs=1e-4)
    assert found.loc[0, "stated_value"] == pytest.approx(140 * BREAK_EVEN_SCALE, abs=0.01)


def test_sweep_writes_costs_at_every_point(swept):
    _, out = swept
    frame = pd.read_csv(out / "sweep.csv")
    assert len(frame) == 9  # 3 variants x 3 points
    outsource = frame[frame["variant"] == "outsource"].set_index("demand.scale")["total_cost"]
    assert outsource.tolist() == pytest.approx([60.0, 90.0, 120.0])
    assert frame[frame["variant"] == "nobody"]["status"].eq("INFEASIBLE").all()
    assert frame[frame["variant"] == "nobody"]["total_cost"].isna().all()
    assert len(pd.read_parquet(out / "sweep.parquet")) == 9
    assert (out / "plans" / "recruit" / "demand.scale=1.5" / "plan.json").exists()
    assert openpyxl.load_workbook(out / "sweep.xlsx", read_only=True).sheetnames == ["sweep", "break-even"]
    assert "break-even" in (out / "report.html").read_text(encoding="utf-8").lower()


def test_two_axes_state_the_break_even_at_each_value_of_the_second():
    result = cli(
        "sweep", TINY, "--vary", "demand.scale=1,2", "--vary", "agency.rate=30,60",
        "--variants", "outsource,recruit", "--jobs", "1", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["points"]) == 8
    # At 30 EUR/h the agency is 60 then 120 EUR: crossing at 1 + 25.42 / 60. At 60 EUR/h it is dearer throughout.
    (point,) = data["break_even"]
    assert point["at"] == {"agency.rate": 30.0}
    assert point["value"] == pytest.approx(1 + (JUNIOR_DAY - 60) / 60, abs=1e-4)
    assert point["sentence"].startswith("At agency.rate = 30 €/h, above")


def test_costs_at_a_point_do_not_depend_on_the_order_of_the_chain():
    forward = run_chain([Job(TINY, "outsource", PARAMS, (("demand.scale", s),)) for s in (1.0, 2.0)])
    backward = run_chain([Job(TINY, "outsource", PARAMS, (("demand.scale", s),)) for s in (2.0, 1.0)])
    assert [o.row["total_cost"] for o in forward] == [o.row["total_cost"] for o in backward[::-1]]
    assert np.isclose(forward[1].row["items_per_week"], 280)


def test_a_failing_simulation_keeps_the_plan_and_says_why(monkeypatch):
    fake = types.ModuleType("scheduler.simulate")

    def simulate(scenario, plan, runs, discipline="oldest"):
        raise ValueError("no agents")

    fake.simulate = simulate
    monkeypatch.setitem(sys.modules, "scheduler.simulate", fake)
    result = cli("compare", TINY, "--variants", "recruit", "--jobs", "1", "--simulate")
    assert result.exit_code == 0
    assert "85.42 €" in result.output
    assert "--simulate failed for batch_recruit_or_outsource / recruit: ValueError: no agents" in result.output


def test_two_files_with_one_scenario_name_stay_apart(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(Path(TINY).read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("compare", TINY, str(copy), "--variants", "recruit", "--jobs", "1", "-o", str(out), "--format", "json")
    assert result.exit_code == 0
    plans = json.loads(result.stdout)["plans"]
    assert sorted(p["plan"] for p in plans) == [
        "batch-recruit-or-outsource-batch_recruit_or_outsource / recruit",
        "batch-recruit-or-outsource-copy / recruit",
    ]
    assert all((out / p["folder"] / "plan.json").exists() for p in plans)


def test_points_without_a_plan_are_counted_per_variant():
    frame = _frame({"agency": [10, 20, 30], "recruit": [None, 25, None]}, [1.0, 2.0, 3.0])
    assert batch.missing_points(frame) == [
        "recruit: no plan at 2 of 3 points (2 UNKNOWN); allow more time (--time-limit)."
    ]
