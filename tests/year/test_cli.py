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
