"""The HTML reports: self-contained (no scripts, fonts or network), the sections people look for, charts as
valid inline SVG with ids unique in the page, and the numbers of the plans they show."""

from __future__ import annotations

import html
import re
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from scheduler.batch import Axis, Job, break_even, plan_row, rank, run_chain
from scheduler.cli import main
from scheduler.report.html import check_section, compare_report, plan_report, sweep_report
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams, solve

TINY = Path(__file__).parent.parent / "data" / "batch_recruit_or_outsource.yaml"
PARAMS = SolveParams(time_limit=10, workers=1)


@pytest.fixture(scope="module")
def solved():
    """label -> (scenario, plan) for the base (agency), recruit (a junior) and nobody (infeasible)."""
    base = load_scenario(TINY)
    out = {}
    for name in ("base", "recruit", "nobody"):
        scenario = base if name == "base" else base.with_variant(name)
        out[name] = (scenario, solve(scenario, PARAMS))
    return out


@pytest.fixture(scope="module")
def sweep_parts():
    axis = Axis("demand.scale", (1.0, 1.5, 2.0))
    outcomes = []
    for variant in ("outsource", "recruit"):
        outcomes += run_chain([Job(str(TINY), variant, PARAMS, (("demand.scale", v),)) for v in axis.values])
    frame = pd.DataFrame([o.row for o in outcomes])
    base = load_scenario(TINY)
    scenarios = {v: base.with_variant(v) for v in ("outsource", "recruit")}
    return frame, [axis], break_even(frame, [axis], scenarios), base, scenarios


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "@font-face" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "a resource outside the file"
    assert "url(http" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across charts"
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        ET.fromstring(svg)  # each chart is well-formed XML


def _headings(page: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_plan_report_has_every_section_and_the_plan_figures(solved):
    scenario, plan = solved["recruit"]
    page = plan_report(scenario, plan)
    _self_contained(page)
    assert "<h1>Staffing plan: batch-recruit-or-outsource [recruit]</h1>" in page
    for heading in ("Key figures", "Cost breakdown", "Need versus staff", "Roster", "Service level",
                    "Independent check"):  # fmt: skip
        assert heading in _headings(page)
    assert page.count("<svg") == 4  # costs, need versus staff, roster, service
    assert "85.42 €" in page and "OPTIMAL" in page and "1 junior" in page
    assert "Horizon: 1 day from Monday 01 June 2026" in page
    assert "Hires allowed: up to 1 junior" in page


def test_an_infeasible_plan_report_explains_instead_of_charting(solved):
    scenario, plan = solved["nobody"]
    page = plan_report(scenario, plan)
    _self_contained(page)
    assert "INFEASIBLE" in page and html.escape(plan.stats.message) in page
    assert "<svg" not in page


def test_compare_report_ranks_cheapest_first_and_keeps_the_infeasible(solved):
    rows = rank(pd.DataFrame([plan_row(s, p) for s, p in solved.values()]))
    plans = {row["variant"]: solved[row["variant"]][1] for _, row in rows.iterrows()}
    scenarios = {name: s for name, (s, _) in solved.items()}
    page = compare_report(rows, plans, scenarios=scenarios, links={"recruit": "x/recruit/report.html"})
    _self_contained(page)
    assert _headings(page)[:2] == ["The plans compared", "Side by side"]
    header = re.search(r"<thead><tr><th></th>(.*?)</tr></thead>", page).group(1)
    assert re.findall(r">([^<]+)</th>", header) == ["base", "recruit", "nobody"]  # 60 EUR, 85.42 EUR, none
    assert "Cheapest plan: base at 60.00 € (OPTIMAL)" in page
    assert "Without a plan: nobody (INFEASIBLE)" in page
    assert '<a href="x/recruit/report.html">recruit</a>' in page
    assert page.count("<svg") == 2  # cost and hours side by side


def test_sweep_report_states_the_break_even(sweep_parts):
    frame, axes, points, base, scenarios = sweep_parts
    page = sweep_report(frame, axes, points, scenario=base, scenarios=scenarios)
    _self_contained(page)
    assert "Break-even" in _headings(page) and "Cost curves" in _headings(page)
    assert "Above 199 items a week (demand × 1.42), recruit" in page
    assert page.count("<svg") == 1
    assert "demand.scale=1.5 (210 items a week)" in page


def test_sweep_report_without_crossing_says_who_wins(sweep_parts):
    frame, axes, _, base, scenarios = sweep_parts
    only = frame[frame["variant"] == "recruit"]
    page = sweep_report(only, axes, [], scenario=base, scenarios=scenarios)
    assert "No break-even in this range: recruit is the cheapest at every point with a plan." in page


def test_check_section_without_the_checker(monkeypatch, solved):
    monkeypatch.setitem(sys.modules, "scheduler.check", None)
    scenario, plan = solved["recruit"]
    assert "not part of this installation" in check_section(scenario, plan)


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        (types.SimpleNamespace(ok=True, violations=(), summary=lambda: "OK: all good"), "Checked: every rule"),
        (
            types.SimpleNamespace(ok=False, violations=({"rule": "daily rest", "who": "Ana"},), summary=lambda: "FAIL"),
            "Check failed: 1 violation(s).",
        ),
    ],
)
def test_check_section_shows_the_verdict(monkeypatch, solved, verdict, words):
    fake = types.ModuleType("scheduler.check")
    fake.check = lambda scenario, plan: verdict
    monkeypatch.setitem(sys.modules, "scheduler.check", fake)
    scenario, plan = solved["recruit"]
    section = check_section(scenario, plan)
    assert words in section
    if not verdict.ok:
        assert "daily rest" in section and "Ana" in section


def test_check_section_reports_a_checker_that_fails(monkeypatch, solved):
    fake = types.ModuleType("scheduler.check")

    def broken(scenario, plan):
        raise RuntimeError("boom")

    fake.check = broken
    monkeypatch.setitem(sys.modules, "scheduler.check", fake)
    scenario, plan = solved["recruit"]
    assert "The check could not run: RuntimeError: boom" in check_section(scenario, plan)


def test_solve_writes_the_plan_report(tmp_path):
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        main, ["solve", str(TINY), "--variant", "recruit", "-o", str(out), "--time-limit", "10"]
    )
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>Staffing plan: batch-recruit-or-outsource [recruit]</h1>" in page and "<svg" in page
