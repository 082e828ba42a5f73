"""``scheduler year`` end to end on a tiny scenario, and bad ``year:`` values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main

DATA = Path(__file__).parent.parent / "data"


def test_year_writes_the_outputs(tmp_path):
    out = tmp_path / "year"
    result = CliRunner().invoke(
        main, ["year", str(DATA / "year_tiny.yaml"), "--months", "3", "--time-limit", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("year.json", "report.html", "year_months.csv", "year_months.parquet", "year.xlsx"):
        assert (out / name).exists(), name
    data = json.loads((out / "year.json").read_text())
    assert data["summary"]["status"] == "OPTIMAL"
    assert len(data["year_months"]) == 3
    # one junior in place every month (permanent or fixed-term): 35 h a week is cheaper in house
    assert all(m["capacity_junior"] >= 1 - 1e-6 for m in data["year_months"])
    assert "<svg" in (out / "report.html").read_text()
    # one roster per representative week, each of a team with a plan, checked clean
    rosters = [p for p in data["year_weeks_solved"] if p["roster_of_plan"]]
    assert {p["group"] for p in rosters} == {g["group"] for g in data["year_groups"]}
    assert all(p["status"] in ("OPTIMAL", "FEASIBLE") and p["checked"] and p["violations"] == 0 for p in rosters)
    # the real weeks' difference read two ways: of the costs beyond salaries, and of the week's whole cost
    assert data["year_validation"]
    for week in data["year_validation"]:
        if week["difference"] is None:
            continue
        whole = week["estimate"] + week["salaries"]
        assert week["salaries"] > 0  # a junior in place every month
        assert week["share_of_week_cost"] == pytest.approx(week["difference"] / whole)
        assert abs(week["share_of_week_cost"]) <= abs(week["difference_share"] or 0) + 1e-6
    assert "of the costs beyond salaries" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("  lead_time_months: -1\n", "lead_time_months"),
        ("  monthly_factors: [1, 2]\n", "monthly_factors"),
        ("  fixed_term: {min_months: 6, max_months: 3}\n", "max_months"),
        ("  trainees: {windows: [{start: 1, months: 7, max: 1}]}\n", "months"),
    ],
)
def test_bad_year_values_exit_2_with_the_field(tmp_path, change, message):
    text = (DATA / "year_tiny.yaml").read_text()
    text = text.replace("  lead_time_months: 0\n", "").replace(
        "  monthly_factors: [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1]\n", ""
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text + change)
    result = CliRunner().invoke(main, ["year", str(path), "--months", "2"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "year" in result.output
    assert "Traceback" not in result.output


def _tiny(tmp_path, extra: str) -> Path:
    """year_tiny.yaml with its ``year:`` section replaced by ``extra`` (lines indented under ``year:``)."""
    text = (DATA / "year_tiny.yaml").read_text()
    path = tmp_path / "tiny.yaml"
    path.write_text(text[: text.index("year:\n")] + "year:\n" + extra)
    return path


# No fixed-term contract fits a 3-month plan (12 months at least) and no paid leave: the junior the tiny
# week needs can only be a permanent hire, in the first month (no lead time), committed for the plan's three
# months only (at the default twelve, the agency is cheaper over three months).
PERMANENT_ONLY = (
    "  lead_time_months: 0\n  paid_leave_weeks: 0\n  demand_levels: 2\n  week_time_limit: 2\n"
    "  permanent_commitment_months: 3\n"
    "  fixed_term: {min_months: 12, max_months: 18}\n"
)


def test_hires_print_as_text_and_stay_a_mapping_in_json(tmp_path):
    path = _tiny(tmp_path, PERMANENT_ONLY + "  monthly_factors: [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1]\n")
    args = ["year", str(path), "--months", "3", "--time-limit", "2"]
    as_json = CliRunner().invoke(main, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    summary = json.loads(as_json.stdout)["plans"][0]
    hires = summary["hires"]
    assert set(hires) == {"junior"} and all(isinstance(n, int) for n in hires["junior"].values())
    n = hires["junior"].get("2026-06", 0)
    assert n >= 1
    (back,) = [p for p in summary["payback"] if p["month"] == "2026-06"]
    assert back["role"] == "junior" and back["hires"] == n
    as_table = CliRunner().invoke(main, args)
    assert as_table.exit_code == 0, as_table.output
    line = next(x for x in as_table.stdout.splitlines() if x.strip().startswith("hires:"))
    assert line.strip().startswith(f"hires: junior: {n} in Jun 2026 (")
    assert "{" not in as_table.stdout and "fixed-term contracts in place: none" in as_table.stdout


def test_flat_demand_keeps_the_same_team_every_month(tmp_path):
    # monthly factors default to flat; no ramp-up, so the first month's hire is a whole person from day one
    path = _tiny(tmp_path, PERMANENT_ONLY + "  ramp_up_weeks: 0\n")
    out = tmp_path / "flat"
    result = CliRunner().invoke(main, ["year", str(path), "--months", "3", "--time-limit", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "year.json").read_text())
    assert len(data["year_groups"]) == 1  # one level of demand: one representative week
    staff = [m["staff_junior"] for m in data["year_months"]]
    capacity = [m["capacity_junior"] for m in data["year_months"]]
    assert staff[0] >= 1 and len(set(staff)) == 1 and len(set(capacity)) == 1


def test_a_too_short_history_exits_2_naming_it_and_writes_nothing(tmp_path):
    history = tmp_path / "short.csv"
    rows = [f"2026-0{1 + d // 31}-{d % 31 + 1:02d},care,5" for d in range(49)]  # 1 January to 18 February
    history.write_text("timestamp,stream,items\n" + "\n".join(rows) + "\n")
    out = tmp_path / "never"
    args = ["year", str(DATA / "year_tiny.yaml"), "--history", str(history), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert str(history) in result.stderr and "at least 8 weeks" in result.stderr and "49 days" in result.stderr
    assert "Traceback" not in result.output and not out.exists()
    as_json = CliRunner().invoke(main, [*args, "--format", "json"])
    assert as_json.exit_code == 2
    error = json.loads(as_json.stdout)
    assert error["file"] == str(history) and "at least 8 weeks" in error["allowed"] and error["field"]


def test_a_plan_team_that_finds_no_plan_when_solved_again_gives_way_to_the_next(monkeypatch):
    """The roster of a representative week is solved again at the team the plan leans on; when that second solve
    finds no plan, the next team the plan leans on gives the roster, and the first solve's cost point stays."""
    import scheduler.year as year
    from scheduler.scenario import load_scenario
    from scheduler.year.costs import CurvePoint

    real, seen, refused = year.solve_points, set(), []

    def flaky(scenario, groups, todo, roles, params, **kw):
        groups = list(groups)
        again = [(g, t) for g, ts in todo.items() for t in ts if (g, t) in seen]
        points = real(scenario, groups, todo, roles, params, **kw)
        seen.update((p.group, p.team) for p in points)
        out = []
        for p in points:
            if (p.group, p.team) in again and p.group not in {g for g, _ in refused}:  # once per week
                refused.append((p.group, p.team))
                p = CurvePoint(p.group, p.team, "UNKNOWN", None, None, None, 0.0, 0.0, None)
            out.append(p)
        return out

    monkeypatch.setattr(year, "solve_points", flaky)
    plan = year.plan_year(
        load_scenario(DATA / "year_tiny.yaml"), year.YearParams(months=3, week_time_limit=2, refine=False)
    )
    assert refused, "no roster was solved a second time: the test does not test the fallback"
    rosters = plan.points[plan.points["roster_of_plan"]]
    assert set(rosters["group"]) == set(plan.groups["group"])
    assert rosters["checked"].eq(True).all() and rosters["violations"].eq(0).all()
    for g, t in refused:  # the refused team gave way, and keeps its cost point from the first solve
        row = plan.points[(plan.points["group"] == g) & (plan.points["team_junior"] == t[0])]
        assert not row["roster_of_plan"].any() and row["cost"].notna().all()
