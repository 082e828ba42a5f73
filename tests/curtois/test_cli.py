"""``scheduler bench --suite curtois`` end to end, its row re-scored by the evaluator."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import main
from scheduler.curtois.bench import DATA
from scheduler.curtois.evaluate import evaluate, roster_from_csv
from scheduler.curtois.reader import read_instance


def test_bench_curtois_instance1_row_is_confirmed_by_the_evaluator(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--suite",
            "curtois",
            "--instances",
            "1",
            "--time-limit",
            "5",
            "--format",
            "json",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    inst = read_instance(DATA / "Instance1.txt")
    roster = roster_from_csv(inst, (tmp_path / "Instance1.roster.csv").read_text())
    verdict = evaluate(inst, roster)
    assert verdict.feasible and verdict.penalty == row["objective"]
    with open(tmp_path / "curtois.csv") as fh:
        assert int(next(csv.DictReader(fh))["objective"]) == row["objective"]


def test_bad_instances_exit_2() -> None:
    result = CliRunner().invoke(main, ["bench", "--suite", "curtois", "--instances", "25"])
    assert result.exit_code == 2 and "1-24" in result.output


def test_bench_json_is_clean_on_stdout_with_the_columns_engine() -> None:
    """HiGHS prints a banner when its first instance is made: it must not reach stdout under --format json."""
    import subprocess
    import sys

    args = ["bench", "--suite", "curtois", "--instances", "2", "--time-limit", "5", "--format", "json"]
    code = "import sys; from scheduler.cli import main; main(sys.argv[1:])"
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    (row,) = json.loads(run.stdout)
    assert row["engine"] == "columns" and row["objective"] == 828 and "column generation" in row["columns"]
