"""The command line through Click's CliRunner: tables, JSON, exit codes 0 / 1 / 2, files written."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from tests.conftest import DATA, SCENARIOS


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_solve_writes_the_plan_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = run("solve", DATA / "cm_beats_agency.yaml", "-o", out, "--time-limit", "20")
    assert result.exit_code == 0, result.output
    assert "597.95" in result.output and "OPTIMAL" in result.output
    for name in ("roster.csv", "agency.csv", "coverage.csv", "costs.csv", "plan.json"):
        assert (out / name).exists(), name
    assert json.loads((out / "plan.json").read_text())["solver"]["status"] == "OPTIMAL"


def test_solve_json_is_machine_readable(tmp_path: Path) -> None:
    result = run("solve", DATA / "agency_beats_cm.yaml", "--format", "json", "--time-limit", "20")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "OPTIMAL"
    assert data["total_cost"] == pytest.approx(450.0)
    assert data["solver"]["best_bound"] == pytest.approx(450.0)


def test_engine_option_runs_the_column_generation() -> None:
    """--engine colgen reaches the hand-computed optimum (450 EUR) through the columns; an unknown engine is bad
    input (exit 2, the allowed values named)."""
    result = run("solve", DATA / "agency_beats_cm.yaml", "--engine", "colgen", "--format", "json", "--time-limit", "20")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "OPTIMAL" and data["total_cost"] == pytest.approx(450.0)
    assert [s["name"] for s in data["solver"]["stages"]] == ["column generation"]
    bad = run("solve", DATA / "agency_beats_cm.yaml", "--engine", "simplex")
    assert bad.exit_code == 2 and "colgen" in bad.output


def test_infeasible_exits_1_with_the_reasons() -> None:
    result = run("solve", DATA / "trainee_without_tutor.yaml", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "INFEASIBLE" and data["total_cost"] is None
    assert any("R124-13" in reason for reason in data["explanation"])


def test_bad_input_exits_2_with_one_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "cm_beats_agency.yaml").read_text().replace("handle_minutes: 5", "handle_minutes: -5"))
    result = run("solve", bad)
    assert result.exit_code == 2
    assert "streams.care.handle_minutes = -5" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    missing = run("requirements", tmp_path / "nowhere.yaml", "--format", "json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"] == "bad input"


def test_existing_output_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run("solve", DATA / "cm_beats_agency.yaml", "-o", out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (out / "keep.txt").read_text() == "mine"
    forced = run("solve", DATA / "cm_beats_agency.yaml", "-o", out, "--force", "--time-limit", "20")
    assert forced.exit_code == 0
    assert not (out / "keep.txt").exists() and (out / "plan.json").exists()


def test_requirements_table_and_file(tmp_path: Path) -> None:
    result = run("requirements", SCENARIOS / "tourism.yaml", "-o", tmp_path / "needs")
    assert result.exit_code == 0
    assert "moderation" in result.output and "care" in result.output
    assert (tmp_path / "needs" / "requirements.csv").read_text().startswith("slot,start,stream")


def test_same_seed_one_worker_gives_byte_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run("solve", DATA / "cm_beats_agency.yaml", "-o", tmp_path / name, "--workers", "1", "--seed", "3")
        assert result.exit_code == 0
    for table in ("roster.csv", "agency.csv", "coverage.csv", "costs.csv", "service.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes(), table
    a, b = (json.loads((tmp_path / n / "plan.json").read_text()) for n in ("a", "b"))
    timing = ("wall_time", "time_to_first", "time_to_best", "stages")
    for meta in (a, b):
        for key in timing:
            meta["solver"].pop(key)
        meta["summary"].pop("wall_time")
    assert a == b


def test_help_has_examples() -> None:
    for command in ("solve", "requirements"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_keeps_the_best_plan_and_writes_it_whole(tmp_path: Path) -> None:
    """The first Ctrl-C stops the search and keeps the best plan so far, written completely."""
    out = tmp_path / "plan"
    cmd = [sys.executable, "-m", "scheduler.cli", "solve", str(SCENARIOS / "tourism.yaml"), "-o", str(out)]
    cmd += ["--time-limit", "120", "--format", "json"]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    seen = ""
    while time.time() < deadline and not re.search(r"\[(rens|aggregate)\] (FEASIBLE|OPTIMAL)", seen):  # a plan exists
        line = process.stderr.readline()
        seen += line
        if not line and process.poll() is not None:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=90)
    assert process.returncode == 0, stderr
    data = json.loads(stdout)
    assert data["status"] in ("FEASIBLE", "OPTIMAL")
    assert "interrupted" in stderr
    assert {p.name for p in out.iterdir()} >= {"roster.csv", "plan.json"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_second_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "scheduler.cli", "solve", str(SCENARIOS / "retailer.yaml"), "-o", str(tmp_path / "p")]
    process = subprocess.Popen([*cmd, "--time-limit", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    t0 = time.time()
    process.wait(timeout=20)
    assert time.time() - t0 < 5
    assert process.returncode == 130
    assert not (tmp_path / "p").exists()  # nothing half-written


def test_command_modules_never_import_the_command_group() -> None:
    """Imports run one way (issue 15.5): ``scheduler.cli`` assembles the commands, which share
    ``scheduler.commands.common``; a command importing ``scheduler.cli`` would bring the cycle back."""
    import ast

    import scheduler.commands as commands

    folder = Path(commands.__file__).parent
    offenders = []
    for source in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n and (n == "scheduler.cli" or n.startswith("scheduler.cli.")) for n in names):
                offenders.append(source.name)
    assert not offenders
    assert {"solve", "requirements", "check", "simulate", "compare", "sweep", "bench", "init"} <= set(main.commands)
