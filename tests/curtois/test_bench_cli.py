"""``scheduler bench --suite curtois`` through Click: a row the evaluator confirms, and bad selections."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.curtois.bench import DATA, parse_selection
from scheduler.curtois.evaluate import evaluate, read_roster_csv
from scheduler.curtois.reader import read_instance
from scheduler.errors import InputError


def test_instance1_row_is_confirmed_by_the_evaluator(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["bench", "--suite", "curtois", "--instances", "1", "--time-limit", "5", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Instance1" in result.output
    with open(out / "curtois.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["instance"] == "Instance1" and row["best_known"] == "607"
    inst = read_instance(DATA / "Instance1.txt")
    verdict = evaluate(inst, read_roster_csv(inst, (out / "rosters" / "Instance1.csv").read_text()))
    assert verdict.feasible and verdict.penalty == int(row["objective"])
    assert float(row["bound"]) <= verdict.penalty


@pytest.mark.parametrize("bad", ["0", "25", "1-30", "3-1", "one", "1,,2"])
def test_bad_instances_exit_2(bad: str) -> None:
    result = CliRunner().invoke(main, ["bench", "--suite", "curtois", "--instances", bad])
    assert result.exit_code == 2
    assert "--instances" in result.output


def test_selection_ranges_and_lists() -> None:
    assert parse_selection("1-3,7,2") == [1, 2, 3, 7]
    assert parse_selection("24") == [24]
    with pytest.raises(InputError):
        parse_selection("")
