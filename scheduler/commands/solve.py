"""CLI commands ``requirements`` (the staff each slot needs) and ``solve`` (the cheapest legal plan)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from scheduler.commands.common import (
    ENGINE,
    EXIT_FAIL,
    EXIT_OK,
    FORMAT,
    VARIANT,
    emit_json,
    handle_errors,
    load,
    stderr,
    stdout,
)
from scheduler.errors import InputError


# ------------------------------------------------------------------------------------ requirements
@click.command()
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

    loaded = load(scenario, variant)
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
@click.command()
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
@ENGINE
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
    engine: str,
    variant: str | None,
    fmt: str,
) -> None:
    """Solve a scenario: the cheapest legal plan, its bound and gap, written to a folder.

    \b
    Examples:
      scheduler solve scenarios/tourism.yaml -o out/tourism
      scheduler solve scenarios/retailer.yaml -o out/retail --time-limit 60 --format json
      scheduler solve scenarios/small_company.yaml --variant recruit -o out/recruit
      scheduler solve scenarios/tourism.yaml --engine colgen --time-limit 30
    """
    from scheduler.report.table import plan_tables
    from scheduler.solve import SolveParams
    from scheduler.solve import solve as run_solve

    if output and Path(output).exists() and not force:
        raise InputError(
            "--output", "folder", output, "a folder that does not exist yet (or pass --force to replace it)"
        )
    loaded = load(scenario, variant)
    params = SolveParams(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        gap_limit=gap_limit,
        log=log,
        allow_shortfall=allow_shortfall,
        stages=engine,
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
