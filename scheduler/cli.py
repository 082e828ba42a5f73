"""The ``scheduler`` command line: a table for people, ``--format json`` for machines.

Exit codes: 0 success, 1 infeasible / no plan / violations found, 2 bad input. Progress goes to stderr,
never into JSON output.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from scheduler.errors import InputError, SchedulerError

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

stdout = Console(soft_wrap=False, width=140)
stderr = Console(stderr=True, soft_wrap=False, width=140)

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output for people or machines.",
)
VARIANT = click.option("--variant", default=None, help="Solve a named variant of the scenario (see its 'variants').")
DISCIPLINE = click.option(
    "--discipline",
    type=click.Choice(["oldest", "priority"]),  # scheduler.simulate.DISCIPLINES (not imported at start-up)
    default="oldest",
    show_default=True,
    help="Which waiting item a free agent takes in the simulation: the oldest, or the oldest of the most "
    "urgent class (Erlang streams, then backlog streams, then workload tasks; slower).",
)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=1, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def handle_errors(func):
    """Bad input becomes one message and exit 2 (JSON on stdout with --format json); never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        fmt = kwargs.get("fmt", "table")
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if fmt == "json":
                emit_json(exc.to_dict())
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except SchedulerError as exc:
            if fmt == "json":
                emit_json({"error": str(exc)})
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="scheduler")
def main() -> None:
    """The coverage scheduler: the cheapest legal 24/7 staffing plan for social-media teams.

    \b
    Examples:
      scheduler requirements scenarios/tourism.yaml
      scheduler solve scenarios/tourism.yaml -o out/tourism
      scheduler check scenarios/tourism.yaml out/tourism
      scheduler compare scenarios/small_company.yaml -o out/compare
    """


def _load(path: str, variant: str | None):
    from scheduler.scenario import load_scenario

    return load_scenario(path, variant=variant)


# ------------------------------------------------------------------------------------ requirements
@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), default=None, help="Write requirements.csv into this folder."
)
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@VARIANT
@FORMAT
@handle_errors
def requirements(scenario: str, output: str | None, force: bool, variant: str | None, fmt: str) -> None:
    """Staff each slot needs: load, Erlang C staff for the target, and presence floors.

    \b
    Example:
      scheduler requirements scenarios/tourism.yaml -o out/needs
    """
    from scheduler.plan import write_folder
    from scheduler.report.table import frame_table
    from scheduler.requirements import compute_requirements

    loaded = _load(scenario, variant)
    needs = compute_requirements(loaded)
    table = needs.table
    if output:
        write_folder(output, lambda tmp: table.to_csv(tmp / "requirements.csv", index=False), force=force)
    summary = (
        table.groupby(["stream", "model", "band"], as_index=False)
        .agg(
            items=("items", "sum"),
            work_hours=("work_hours", "sum"),
            peak_staff=("staff_needed", "max"),
            staff_hours=("staff_needed", "sum"),
        )
        .round(2)
    )
    summary["staff_hours"] *= loaded.grid.slot_hours
    if fmt == "json":
        emit_json(
            {
                "scenario": loaded.name,
                "slots": loaded.grid.n_slots,
                "summary": summary.to_dict("records"),
                "output": output,
            }
        )
        return
    stdout.print(
        frame_table(
            summary,
            f"{loaded.name}: needs per stream and band ({loaded.grid.n_slots} slots of {loaded.grid.slot_minutes} min)",
        )
    )
    if output:
        stderr.print(f"wrote {Path(output) / 'requirements.csv'}")


# ------------------------------------------------------------------------------------------- solve
@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for roster.csv, agency.csv, coverage.csv, costs.csv, plan.json.",
)
@click.option(
    "--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds for the whole solve."
)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True, help="CP-SAT workers.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed (same seed and --workers 1: same plan)."
)
@click.option(
    "--gap",
    "gap_limit",
    type=click.FloatRange(min=0, max=1),
    default=0.001,
    show_default=True,
    help="Stop when proven within this relative gap.",
)
@click.option(
    "--allow-shortfall",
    is_flag=True,
    default=None,
    help="Price unmet need instead of failing (see the scenario's shortfall).",
)
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--excel", is_flag=True, help="Also write plan.xlsx (a sheet per table).")
@click.option("--parquet", is_flag=True, help="Also write each table as Parquet.")
@click.option("--html/--no-html", default=True, show_default=True, help="Write report.html into the output folder.")
@click.option("--log", is_flag=True, help="Show CP-SAT's search log on stderr.")
@VARIANT
@FORMAT
@handle_errors
def solve(
    scenario: str,
    output: str | None,
    time_limit: float,
    workers: int,
    seed: int,
    gap_limit: float,
    allow_shortfall: bool | None,
    force: bool,
    excel: bool,
    parquet: bool,
    html: bool,
    log: bool,
    variant: str | None,
    fmt: str,
) -> None:
    """Solve a scenario: the cheapest legal plan, its bound and gap, written to a folder.

    \b
    Examples:
      scheduler solve scenarios/tourism.yaml -o out/tourism
      scheduler solve scenarios/retailer.yaml -o out/retail --time-limit 60 --format json
      scheduler solve scenarios/small_company.yaml --variant recruit -o out/recruit
    """
    from scheduler.report.table import plan_tables
    from scheduler.solve import SolveParams
    from scheduler.solve import solve as run_solve

    if output and Path(output).exists() and not force:
        raise InputError(
            "--output", "folder", output, "a folder that does not exist yet (or pass --force to replace it)"
        )
    loaded = _load(scenario, variant)
    params = SolveParams(
        time_limit=time_limit, workers=workers, seed=seed, gap_limit=gap_limit, log=log, allow_shortfall=allow_shortfall
    )
    stderr.print(
        f"solving {loaded.name}: {loaded.grid.days} days of {loaded.grid.n_slots} slots, limit {time_limit:g} s"
    )
    plan = _interruptible(
        lambda stop: run_solve(
            loaded, params, progress=lambda m: stderr.print(m, markup=False, highlight=False), stop=stop
        )
    )
    if output:
        _save(plan, loaded, output, force=force, excel=excel, parquet=parquet, html=html)
    if fmt == "json":
        emit_json(
            {**plan.summary(), "solver": plan.stats.to_dict(), "explanation": list(plan.explanation), "output": output}
        )
    else:
        stdout.print(plan_tables(plan))
        if output:
            stderr.print(f"wrote {output}/")
    sys.exit(EXIT_OK if plan.is_feasible() else EXIT_FAIL)


def _save(plan, scenario, output: str, *, force: bool, excel: bool, parquet: bool, html: bool) -> None:
    from scheduler.plan import write_folder

    def fill(tmp: Path) -> None:
        plan._write(tmp, parquet=parquet, excel=excel)
        if html:
            try:
                from scheduler.report.html import plan_report
            except ImportError:
                return
            (tmp / "report.html").write_text(plan_report(scenario, plan), encoding="utf-8")

    write_folder(output, fill, force=force)


def _interruptible(work):
    """Run ``work(stop_event)`` so that Ctrl-C stops the search and keeps the best plan so far; a second
    Ctrl-C exits at once."""
    import signal
    import threading

    from scheduler.solve import stop_running_solver

    stop = threading.Event()
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = work(stop)
        except BaseException as exc:  # re-raised in the main thread
            result["error"] = exc

    def on_interrupt(signum, frame) -> None:
        if stop.is_set():
            click.echo("\ninterrupted twice: exiting now", err=True)
            import os

            os._exit(130)
        click.echo(
            "\ninterrupted: stopping the search and keeping the best plan so far (Ctrl-C again to quit)", err=True
        )
        stop.set()
        stop_running_solver()

    if threading.current_thread() is not threading.main_thread():
        return work(stop)
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        thread = threading.Thread(target=target, name="solve", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    finally:
        signal.signal(signal.SIGINT, previous)
    if "error" in result:
        raise result["error"]
    return result["value"]


# Command modules: each adds its commands to ``main`` when imported. One line per module.
from scheduler.commands import batch as _batch  # noqa: E402,F401
from scheduler.commands import bench as _bench  # noqa: E402,F401
from scheduler.commands import check as _check  # noqa: E402,F401
from scheduler.commands import init as _init  # noqa: E402,F401
from scheduler.commands import simulate as _simulate  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
