"""Batches on a real Ray cluster: a head started once per session on 127.0.0.1 (its own temporary folder
and ports), the client connecting with --address as a user would. The one-day scenario of test_batch
is proven optimal in well under a second, so the Ray results must equal the local ones exactly.

The Ray extra is part of the test environment (the Makefile installs .[test,ray]); where it is missing
these tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler import batch
from scheduler.batch import KILL_HOOK, WORKER_DIED, compare_jobs, run_chains
from scheduler.cli import main
from scheduler.solve import SolveParams

DATA = Path(__file__).parent / "data"
TINY = DATA / "batch_recruit_or_outsource.yaml"
JUNIOR_DAY = 85.42  # worked out in the scenario file
PARAMS = SolveParams(time_limit=10, workers=1, seed=0)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="session")
def ray_head():
    """A Ray head of 2 CPUs on 127.0.0.1, started once; its address. Stopped whatever happens, by killing
    the process group it was started in (``ray stop`` would kill every Ray process of the machine)."""
    if os.environ.get("CI"):
        import ray  # noqa: F401  (CI installs the extra: a missing Ray is a failure there)
    else:
        pytest.importorskip("ray", reason="the optional extra ray is not installed (pip install .[ray])")
    ray_cli = Path(sys.executable).parent / "ray"
    # A short folder: Ray's socket paths must stay under the 107 characters of a Unix socket name.
    temp = Path(tempfile.mkdtemp(prefix="ray-test-"))
    gcs, client, dashboard, agent, agent_grpc, metrics = _free_ports(6)
    command = [
        str(ray_cli), "start", "--head", "--port", str(gcs), "--node-ip-address", "127.0.0.1",
        "--num-cpus", "2", "--include-dashboard=false", "--temp-dir", str(temp), "--disable-usage-stats",
        "--ray-client-server-port", str(client), "--dashboard-port", str(dashboard),
        "--dashboard-agent-listen-port", str(agent), "--dashboard-agent-grpc-port", str(agent_grpc),
        "--metrics-export-port", str(metrics),
    ]  # fmt: skip
    # No token authentication, as a client connecting by address expects by default (else the head would
    # take up a token left in ~/.ray by another Ray on this machine, which this client does not send).
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    saved = os.environ.pop("RAY_ADDRESS", None)
    started = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )
    try:
        output, _ = started.communicate(timeout=90)
        assert started.returncode == 0, f"ray start failed:\n{output}"
        yield f"127.0.0.1:{gcs}"
    finally:
        _kill_group(started.pid)
        shutil.rmtree(temp, ignore_errors=True)
        if saved is not None:
            os.environ["RAY_ADDRESS"] = saved


def _kill_group(pgid: int) -> None:
    """SIGKILL the head's processes (all in its process group) and wait until they are gone."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


@pytest.fixture
def connected(ray_head):
    """Connect this process to the head with extra environment variables for the workers (the kill hook);
    run_chains then uses this connection."""
    import ray

    def connect(**env_vars: str) -> None:
        ray.init(address=ray_head, log_to_driver=False, runtime_env={"env_vars": env_vars})

    yield connect
    ray.shutdown()


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def plans(result) -> dict[str, tuple[str, float | None]]:
    assert result.exit_code == 0, result.output
    return {p["variant"]: (p["status"], p["total_cost"]) for p in json.loads(result.stdout)["plans"]}


def test_compare_on_a_ray_cluster_gives_the_local_comparison(ray_head):
    options = ["--workers", "1", "--seed", "0", "--time-limit", "10", "--format", "json"]
    local = plans(cli("compare", str(TINY), *options))
    on_ray = plans(cli("compare", str(TINY), "--backend", "ray", "--address", ray_head, "--jobs", "2", *options))
    assert on_ray == local
    assert local == {
        "outsource": ("OPTIMAL", pytest.approx(60.0)),
        "base": ("OPTIMAL", pytest.approx(60.0)),
        "recruit": ("OPTIMAL", pytest.approx(JUNIOR_DAY)),
        "nobody": ("INFEASIBLE", None),
    }


def test_ray_address_comes_from_the_environment(ray_head, monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", ray_head)
    result = cli("compare", str(TINY), "--variants", "recruit", "--backend", "ray", "--workers", "1",
                 "--format", "json")  # fmt: skip
    assert plans(result) == {"recruit": ("OPTIMAL", pytest.approx(JUNIOR_DAY))}


def test_workers_get_the_scenario_and_its_demand_as_data_not_a_path(ray_head, tmp_path):
    # The scenario with its demand in a CSV beside it (4 messages an hour, 09:00-14:00, as its profile says).
    folder = tmp_path / "client"
    folder.mkdir()
    text = TINY.read_text(encoding="utf-8")
    profile = text[text.index("      profile:") : text.index("    targets:")]
    (folder / "shop.yaml").write_text(text.replace(profile, "      csv: demand.csv\n"), encoding="utf-8")
    rows = [f"2026-06-01 {h:02d}:00,care,4" for h in range(9, 14)]
    (folder / "demand.csv").write_text("timestamp,stream,items\n" + "\n".join(rows) + "\n", encoding="utf-8")
    jobs, _ = compare_jobs([str(folder / "shop.yaml")], ["outsource", "recruit"], PARAMS)
    shutil.rmtree(folder)  # the client's disk is not the workers': nothing may be read from it from now on
    outcomes = run_chains([[j] for j in jobs], jobs=2, backend="ray", address=ray_head)
    assert [o.error for o in outcomes] == [None, None]
    assert {o.job.variant_name: (o.row["status"], o.row["total_cost"]) for o in outcomes} == {
        "outsource": ("OPTIMAL", pytest.approx(60.0)),
        "recruit": ("OPTIMAL", pytest.approx(JUNIOR_DAY)),
    }
    assert all(o.job.scenario is not None for o in outcomes)  # the client's jobs come back, data and all


def test_a_job_whose_worker_dies_once_is_retried(connected, tmp_path):
    marker = tmp_path / "killed-once"
    connected(**{KILL_HOOK: f"recruit:{marker}"})
    jobs, _ = compare_jobs([str(TINY)], ["outsource", "recruit"], PARAMS)
    outcomes = run_chains([[j] for j in jobs], jobs=2, backend="ray")
    assert marker.exists()  # the first attempt at recruit killed its worker
    assert [(o.row["status"], o.row["total_cost"], o.error) for o in outcomes] == [
        ("OPTIMAL", pytest.approx(60.0), None),
        ("OPTIMAL", pytest.approx(JUNIOR_DAY), None),
    ]


def test_a_job_whose_worker_always_dies_is_reported_and_the_batch_goes_on(connected):
    connected(**{KILL_HOOK: "recruit"})
    jobs, _ = compare_jobs([str(TINY)], ["outsource", "recruit", "nobody"], PARAMS)
    outcomes = run_chains([[j] for j in jobs], jobs=2, backend="ray")
    by_variant = {o.job.variant_name: o for o in outcomes}
    assert [o.job.variant_name for o in outcomes] == ["outsource", "recruit", "nobody"]
    assert by_variant["outsource"].row["total_cost"] == pytest.approx(60.0)
    assert by_variant["nobody"].row["status"] == "INFEASIBLE"
    died = by_variant["recruit"]
    assert died.plan is None
    assert died.row["status"] == WORKER_DIED
    assert died.row["total_cost"] is None
    assert f"died on all {batch.RAY_RETRIES + 1} attempts" in died.error
