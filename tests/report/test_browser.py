"""The reports as a person sees them: each one opened in headless Chromium, its DOM read back and a
screenshot taken. Chromium comes from Debian's packages (.ci/run installs it); without it the test is
skipped with the reason."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import image

from scheduler.batch import Axis, Job, break_even, plan_row, rank, run_chain
from scheduler.report.html import compare_report, plan_report, sweep_report
from scheduler.scenario import load_scenario
from scheduler.solve import SolveParams, solve

TINY = Path(__file__).parent.parent / "data" / "batch_recruit_or_outsource.yaml"
PARAMS = SolveParams(time_limit=10, workers=1)
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The three reports of the tiny scenario, written as files."""
    folder = tmp_path_factory.mktemp("reports")
    base = load_scenario(TINY)
    solved = {}
    for name in ("base", "recruit", "nobody"):
        scenario = base if name == "base" else base.with_variant(name)
        solved[name] = (scenario, solve(scenario, PARAMS))
    rows = rank(pd.DataFrame([plan_row(s, p) for s, p in solved.values()]))
    axis = Axis("demand.scale", (1.0, 1.5, 2.0))
    outcomes = []
    for variant in ("outsource", "recruit"):
        outcomes += run_chain([Job(str(TINY), variant, PARAMS, (("demand.scale", v),)) for v in axis.values])
    frame = pd.DataFrame([o.row for o in outcomes])
    variants = {v: base.with_variant(v) for v in ("outsource", "recruit")}
    pages = {
        "plan": plan_report(*solved["recruit"]),
        "compare": compare_report(rows, {k: p for k, (_, p) in solved.items()}, scenarios={"base": base}),
        "sweep": sweep_report(frame, [axis], break_even(frame, [axis], variants), scenario=base, scenarios=variants),
    }
    paths = {}
    for name, page in pages.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(page, encoding="utf-8")
    return paths


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


EXPECTED = {
    "plan": ("Staffing plan: batch-recruit-or-outsource [recruit]", ["Key figures", "Need versus staff", "Roster"], 4),
    "compare": ("Comparison: batch-recruit-or-outsource", ["Side by side", "Cost per plan"], 2),
    "sweep": ("Sweep: batch-recruit-or-outsource over demand.scale (1 to 2)", ["Break-even", "Cost curves"], 1),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_report_renders_in_headless_chromium(reports, tmp_path, name):
    title, headings, charts = EXPECTED[name]
    shot = tmp_path / f"{name}.png"
    run = _chromium(
        reports[name], tmp_path / "profile", "--dump-dom", f"--screenshot={shot}", "--window-size=1200,1600"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"<h1>{title}</h1>" in run.stdout
    found = re.findall(r"<h2>(.*?)</h2>", run.stdout)
    assert all(h in found for h in headings), found
    assert len(re.findall(r"<svg\b", run.stdout)) == charts
    assert "Failed to load resource" not in run.stderr  # nothing fetched: the page is self-contained
    assert shot.exists() and shot.stat().st_size > 10_000
    pixels = image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1600, 1200)
    # Not blank: text and charts give many distinct colours and a fair share of non-white pixels.
    assert len(np.unique(pixels.reshape(-1, 3).round(2), axis=0)) > 50
    assert (pixels.mean(axis=2) < 0.9).mean() > 0.02
