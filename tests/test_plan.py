"""Plans saved and loaded: the files round-trip, the folder is written atomically."""

from __future__ import annotations

import json

import pytest

from scheduler.errors import InputError
from scheduler.plan import load_plan, write_folder
from tests.conftest import quick, scenario


@pytest.fixture(scope="module")
def plan():
    return quick(scenario("cm_beats_agency"))


def test_save_and_load_round_trip(plan, tmp_path) -> None:
    folder = plan.save(tmp_path / "plan", parquet=True, excel=True)
    names = {p.name for p in folder.iterdir()}
    assert {"roster.csv", "agency.csv", "coverage.csv", "costs.csv", "plan.json", "plan.xlsx"} <= names
    assert "roster.parquet" in names
    loaded = load_plan(folder)
    assert loaded.stats == plan.stats
    assert loaded.total_cost == pytest.approx(plan.total_cost)
    assert list(loaded.roster["person"]) == list(plan.roster["person"])
    meta = json.loads((folder / "plan.json").read_text())
    assert meta["scenario_hash"] == scenario("cm_beats_agency").hash
    assert meta["solver"]["status"] == "OPTIMAL"


def test_existing_folder_is_kept_without_force(plan, tmp_path) -> None:
    folder = plan.save(tmp_path / "plan")
    with pytest.raises(InputError, match="--force"):
        plan.save(folder)
    plan.save(folder, force=True)
    assert (folder / "plan.json").exists()


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path) -> None:
    def broken(folder):
        (folder / "roster.csv").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_folder(tmp_path / "out", broken)
    assert list(tmp_path.iterdir()) == []
