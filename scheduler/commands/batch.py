"""CLI commands ``compare`` (variants side by side) and ``sweep`` (a grid of what-ifs and break-even points).

Both run many solves on a local process pool (or Ray with ``--backend ray``), show progress on stderr,
print one table, and write CSV / Parquet tables, every plan and a self-contained report.html to ``-o DIR``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scheduler.commands.common import (
    DISCIPLINE,
    ENGINE,
    EXIT_FAIL,
    EXIT_OK,
    FORMAT,
    emit_json,
    handle_errors,
    stderr,
    stdout,
)
from scheduler.errors import InputError

JOBS = click.option(
    "--jobs",
    type=click.IntRange(min=1, max=512),
    default=None,
    help="Solves at once (default: cores / --workers, so jobs x workers stays within the cores).",
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=2,
    show_default=True,
    # Measured on small_company (2 cores): one solve of 2 workers at a time reached gaps of 0-10 % in 45 s
    # where two solves of 1 worker each left 12-35 % and one variant without a plan in 40 s.
    help="CP-SAT workers per solve (two let the LP-based search run beside the first-solution search).",
)
BACKEND = click.option(
    "--backend",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; ray: Ray tasks (needs pip install .[ray]).",
)
ADDRESS = click.option(
    "--address", default=None, help="Ray cluster address, host:port (default: $RAY_ADDRESS, else start a local Ray)."
)
TIME_LIMIT = click.option(
    "--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds per solve."
)
SEED = click.option("--seed", type=int, default=0, show_default=True, help="Random seed of every solve.")
OUTPUT = click.option(
    "-o", "--output", type=click.Path(file_okay=False), default=None, help="Folder for the tables, plans and report."
)
FORCE = click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
EXCEL = click.option("--excel", is_flag=True, help="Also write the tables as one Excel workbook (a sheet each).")
HTML = click.option("--html/--no-html", default=True, show_default=True, help="Write report.html.")
VARIANTS = click.option(
    "--variants",
    default=None,
    help="Comma-separated variants to solve; 'base' is the scenario as written (default: base and every variant).",
)


def _prepare(output: str | None, force: bool, backend: str) -> None:
    """Refuse at once what would fail after a long run: an existing folder, a missing Ray."""
    from scheduler.batch import RAY_MISSING, ray_available

    if backend == "ray" and not ray_available():
        raise InputError("--backend", "--backend", "ray", RAY_MISSING)
    if output and Path(output).exists() and not force:
        raise InputError(
            "--output", "folder", output, "a folder that does not exist yet (or pass --force to replace it)"
        )


def _run(chains, *, jobs: int, backend: str, address: str | None, what: str):
    """Run the chains with a progress bar on stderr (one step per solve)."""
    from scheduler.batch import run_chains

    total = sum(len(c) for c in chains)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=stderr,
        transient=False,
    )
    with progress:
        task = progress.add_task(what, total=total, last="")
        return run_chains(
            chains,
            jobs=jobs,
            backend=backend,
            address=address,
            on_done=lambda label: progress.update(task, advance=1, last=label),
        )


def _folder_name(text: str) -> str:
    return re.sub(r"[^\w.=,+-]+", "_", text).strip("_") or "plan"


# ========================================================================================== compare
@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@VARIANTS
@OUTPUT
@FORCE
@JOBS
@WORKERS
@BACKEND
@ADDRESS
@TIME_LIMIT
@SEED
@ENGINE
@click.option("--simulate", is_flag=True, help="Also simulate each plan (needs scheduler.simulate).")
@click.option(
    "--runs", type=click.IntRange(min=1), default=100, show_default=True, help="Simulation runs (with --simulate)."
)
@DISCIPLINE
@EXCEL
@HTML
@FORMAT
@handle_errors
def compare(
    scenarios: tuple[str, ...],
    variants: str | None,
    output: str | None,
    force: bool,
    jobs: int | None,
    workers: int,
    backend: str,
    address: str | None,
    time_limit: float,
    seed: int,
    engine: str,
    simulate: bool,
    runs: int,
    discipline: str,
    excel: bool,
    html: bool,
    fmt: str,
) -> None:
    """Solve every scenario x variant and show the plans side by side, cheapest first.

    The base scenario is compared too (as 'base') unless --variants restricts. A plan that is infeasible
    or not found in time stays in the table with its status and never ranks. Writes comparison.csv,
    comparison.parquet, each plan in DIR/<scenario>/<variant>/ and DIR/report.html. Exit 0 when at least
    one plan was found and no solve failed, 1 otherwise, 2 on bad input.

    \b
    Examples:
      scheduler compare scenarios/small_company.yaml -o out/compare --time-limit 20
      scheduler compare scenarios/small_company.yaml --variants base,recruit --jobs 2 --format json
      scheduler compare scenarios/tourism.yaml --variants base,backlog-care --simulate --discipline priority
      scheduler compare scenarios/*.yaml --backend ray --address auto -o out/all
    """
    from scheduler.batch import (
        SIMULATE_MISSING,
        compare_jobs,
        default_jobs,
        parse_variants,
        rank,
    )
    from scheduler.solve import SolveParams

    _prepare(output, force, backend)
    params = SolveParams(time_limit=time_limit, workers=workers, seed=seed, stages=engine)
    job_list, loaded = compare_jobs(
        list(scenarios), parse_variants(variants), params, simulate_runs=runs if simulate else 0, discipline=discipline
    )
    n_jobs = jobs or default_jobs(workers)
    notes: list[str] = []
    if simulate and not _simulate_available():
        notes.append(SIMULATE_MISSING)
        job_list = [_without_simulation(j) for j in job_list]
    stderr.print(
        f"comparing {len(job_list)} plan(s), {time_limit:g} s each, {min(n_jobs, len(job_list))} at once ({backend})",
        markup=False,
        highlight=False,
    )
    outcomes = _run([[j] for j in job_list], jobs=n_jobs, backend=backend, address=address, what="solving")
    for outcome in outcomes:
        notes.extend(n for n in outcome.notes if n not in notes)
    by_key = {(o.job.scenario_path, o.job.variant_name): o for o in outcomes}
    folders = _plan_folders(by_key, loaded)
    several = len({o.job.scenario_path for o in outcomes}) > 1
    label_of = {
        key: f"{folders[key].parent.name} / {key[1]}" if several else key[1] for key in by_key
    }  # unique even when two files share a scenario name
    rows = [{"plan": label_of[key], **o.row, "folder": folders[key].as_posix()} for key, o in by_key.items()]
    ranked = rank(pd.DataFrame(rows))
    errors = [f"{o.job.label}: {o.error}" for o in outcomes if o.error]
    from scheduler.batch import cheapest_sentence

    sentence = cheapest_sentence(ranked)
    if output:
        _write_compare(output, force, ranked, by_key, loaded, label_of, folders, sentence, notes, excel, html)
    found = ranked["total_cost"].notna().any()
    if fmt == "json":
        emit_json(
            {
                "plans": _records(ranked),
                "cheapest": sentence,
                "notes": notes,
                "errors": errors,
                "output": output,
            }
        )
    else:
        from scheduler.batch import side_by_side

        stdout.print(_rich_table(side_by_side(ranked), "Plans side by side (cheapest first)"))
        stdout.print(sentence, markup=False, highlight=False)
        for note in notes:
            stderr.print(note, markup=False, highlight=False)
        for error in errors:
            stderr.print(f"error: {error}", markup=False, highlight=False)
        if output:
            stderr.print(f"wrote {output}/ (comparison.csv, comparison.parquet, report.html, plans)", markup=False)
    sys.exit(EXIT_OK if found and not errors else EXIT_FAIL)


def _simulate_available() -> bool:
    try:
        import scheduler.simulate  # noqa: F401
    except ImportError:
        return False
    return True


def _without_simulation(job):
    from dataclasses import replace

    return replace(job, simulate_runs=0)


def _plan_folders(by_key, loaded) -> dict[tuple[str, str], Path]:
    """DIR/<scenario name>/<variant>; a file stem is added when two files share a scenario name."""
    names: dict[str, set[str]] = {}
    for path, variant in by_key:
        names.setdefault(loaded[(path, variant)].spec.name, set()).add(path)
    out = {}
    for path, variant in by_key:
        name = loaded[(path, variant)].spec.name
        if len(names[name]) > 1:
            name = f"{name}-{Path(path).stem}"
        out[(path, variant)] = Path(_folder_name(name)) / _folder_name(variant)
    return out


def _write_compare(output, force, ranked, by_key, loaded, label_of, folders, sentence, notes, excel, html) -> None:
    from scheduler.plan import write_folder
    from scheduler.report.html import compare_report, plan_report

    table = ranked

    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "comparison.csv", index=False)
        _parquet(table, tmp / "comparison.parquet")
        plans, scenarios, links = {}, {}, {}
        for key, outcome in by_key.items():
            label = label_of[key]
            scenarios[label] = loaded[key]
            plans[label] = outcome.plan
            if outcome.plan is None:
                continue
            folder = tmp / folders[key]
            outcome.plan.save(folder, excel=excel)
            if html:
                (folder / "report.html").write_text(plan_report(loaded[key], outcome.plan), encoding="utf-8")
                links[label] = f"{folders[key].as_posix()}/report.html"
        if html:
            report = compare_report(ranked, plans, scenarios=scenarios, summary=sentence, links=links, notes=notes)
            (tmp / "report.html").write_text(report, encoding="utf-8")
        if excel:
            from scheduler.batch import side_by_side

            with pd.ExcelWriter(tmp / "comparison.xlsx", engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name="comparison", index=False)
                side_by_side(ranked).to_excel(writer, sheet_name="side by side")
                costs = _cost_lines(by_key, label_of)
                if not costs.empty:
                    costs.to_excel(writer, sheet_name="costs", index=False)

    write_folder(output, fill, force=force)


def _cost_lines(by_key, label_of) -> pd.DataFrame:
    frames = []
    for key, outcome in by_key.items():
        if outcome.plan is not None and outcome.plan.is_feasible():
            frames.append(outcome.plan.cost_by_component().assign(plan=label_of[key]))
    if not frames:
        return pd.DataFrame()
    costs = pd.concat(frames, ignore_index=True)
    return costs.pivot_table(index=["role", "component"], columns="plan", values="amount", aggfunc="sum").reset_index()


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet needs one type per column: object columns mixing numbers and None become text-free floats."""
    clean = frame.copy()
    for column in clean.columns:
        if clean[column].dtype == object:
            values = clean[column].dropna()
            if len(values) and all(isinstance(v, bool) for v in values):
                clean[column] = clean[column].astype("boolean")
            elif len(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                clean[column] = pd.to_numeric(clean[column])
            else:
                clean[column] = clean[column].astype("string")
    clean.to_parquet(path, index=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import json

    return json.loads(frame.to_json(orient="records"))


def _rich_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for column in frame.columns:
        table.add_column(escape(str(column)), justify="right")
    for label, row in frame.iterrows():
        table.add_row(escape(str(label)), *(escape(str(v)) for v in row))
    return table


# ============================================================================================ sweep
@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    help="PATH=START:STOP:STEP or PATH=V1,V2 (once or twice). PATH: demand.scale, agency.rate or a dotted "
    "scenario path such as roles.junior.salary.monthly_gross.",
)
@VARIANTS
@OUTPUT
@FORCE
@JOBS
@WORKERS
@BACKEND
@ADDRESS
@TIME_LIMIT
@SEED
@ENGINE
@EXCEL
@HTML
@FORMAT
@handle_errors
def sweep(
    scenario: str,
    vary: tuple[str, ...],
    variants: str | None,
    output: str | None,
    force: bool,
    jobs: int | None,
    workers: int,
    backend: str,
    address: str | None,
    time_limit: float,
    seed: int,
    engine: str,
    excel: bool,
    html: bool,
    fmt: str,
) -> None:
    """Solve every variant at every point of a grid and find the break-even points.

    demand.scale multiplies every stream's arrivals; agency.rate sets every agency's day rate (night and
    weekend rates move in proportion); any other dotted path sets that field ('*' matches every key).
    Points run in chains along the first --vary (demand from the highest value down), each solve starting
    from its neighbour's plan. A
    break-even is where two variants swap places, interpolated between neighbouring grid points.
    Writes sweep.csv, sweep.parquet, break_even.csv, every plan under DIR/plans/ and DIR/report.html.

    \b
    Examples:
      scheduler sweep scenarios/small_company.yaml --vary demand.scale=0.5:3:0.25 \\
          --variants all-outsourced,recruit -o out/sweep --time-limit 20
      scheduler sweep scenarios/small_company.yaml --vary demand.scale=1:2:0.5 --vary agency.rate=25:40:5
      scheduler sweep scenarios/tourism.yaml --vary roles.junior.salary.monthly_gross=2000:3000:250
    """
    from scheduler.batch import (
        break_even,
        cost_cells,
        default_jobs,
        missing_points,
        parse_variants,
        parse_vary,
        sweep_chains,
        sweep_frame,
    )
    from scheduler.report.html import no_break_even_sentence
    from scheduler.solve import SolveParams

    _prepare(output, force, backend)
    axes = tuple(parse_vary(v) for v in vary)
    if len(axes) > 2:
        raise InputError("--vary", "--vary", len(axes), "one or two --vary options")
    params = SolveParams(time_limit=time_limit, workers=workers, seed=seed, stages=engine)
    n_jobs = jobs or default_jobs(workers)
    chains, scenarios = sweep_chains(scenario, parse_variants(variants), axes, params, n_jobs)
    points = sum(len(c) for c in chains)
    stderr.print(
        f"sweeping {points} solve(s) in {len(chains)} chain(s), {time_limit:g} s each, "
        f"{min(n_jobs, len(chains))} at once ({backend})",
        markup=False,
        highlight=False,
    )
    outcomes = _run(chains, jobs=n_jobs, backend=backend, address=address, what="solving")
    frame = sweep_frame(outcomes, axes)
    from scheduler.scenario import load_scenario

    base = load_scenario(scenario)
    currency = base.spec.costs.currency
    points_found = break_even(frame, axes, scenarios, currency)
    errors = [f"{o.job.label}: {o.error}" for o in outcomes if o.error]
    summary = [b.sentence for b in points_found] or [no_break_even_sentence(frame, axes)]
    gaps = missing_points(frame)
    if output:
        _write_sweep(output, force, frame, axes, points_found, outcomes, base, scenarios, gaps, excel, html)
    if fmt == "json":
        emit_json(
            {
                "scenario": base.spec.name,
                "axes": [{"path": a.path, "values": list(a.values)} for a in axes],
                "points": _records(frame),
                "break_even": [_break_even_record(b) for b in points_found],
                "summary": summary,
                "missing": gaps,
                "errors": errors,
                "output": output,
            }
        )
    else:
        stdout.print(_rich_table(cost_cells(frame, axes, currency), "Cost per variant at each point"))
        for sentence in summary:
            stdout.print(sentence, markup=False, highlight=False)
        for sentence in gaps:
            stdout.print(sentence, markup=False, highlight=False)
        for error in errors:
            stderr.print(f"error: {error}", markup=False, highlight=False)
        if output:
            stderr.print(f"wrote {output}/ (sweep.csv, sweep.parquet, break_even.csv, report.html)", markup=False)
    found = frame["total_cost"].notna().any()
    sys.exit(EXIT_OK if found and not errors else EXIT_FAIL)


def _break_even_record(point) -> dict[str, Any]:
    return {
        "cheaper_above": point.cheaper_above,
        "cheaper_below": point.cheaper_below,
        "axis": point.axis,
        "value": round(point.value, 6),
        "unit": point.unit,
        "stated_value": round(point.display_value, 3),
        "stated_unit": point.display_unit,
        "at": dict(point.at),
        "between": list(point.between),
        "max_gap": point.gap,
        "proven_between": list(point.proven) if point.proven is not None else None,
        "sentence": point.sentence,
    }


def _write_sweep(output, force, frame, axes, points_found, outcomes, base, scenarios, notes, excel, html) -> None:
    from scheduler.plan import write_folder
    from scheduler.report.html import sweep_report

    be = pd.DataFrame([_break_even_record(b) for b in points_found])
    if be.empty:
        be = pd.DataFrame(columns=["cheaper_above", "cheaper_below", "axis", "value", "unit", "sentence"])
    else:
        be["at"] = be["at"].map(lambda d: ", ".join(f"{k}={v:g}" for k, v in d.items()))
        be["between"] = be["between"].map(lambda pair: f"{pair[0]:g} to {pair[1]:g}")

    def fill(tmp: Path) -> None:
        frame.to_csv(tmp / "sweep.csv", index=False)
        _parquet(frame, tmp / "sweep.parquet")
        be.to_csv(tmp / "break_even.csv", index=False)
        for outcome in outcomes:
            if outcome.plan is None:
                continue
            point = ",".join(f"{p}={v:g}" for p, v in outcome.job.settings)
            outcome.plan.save(tmp / "plans" / _folder_name(outcome.job.variant_name) / _folder_name(point))
        if html:
            report = sweep_report(frame, axes, points_found, scenario=base, scenarios=scenarios, notes=notes)
            (tmp / "report.html").write_text(report, encoding="utf-8")
        if excel:
            with pd.ExcelWriter(tmp / "sweep.xlsx", engine="openpyxl") as writer:
                frame.to_excel(writer, sheet_name="sweep", index=False)
                be.to_excel(writer, sheet_name="break-even", index=False)

    write_folder(output, fill, force=force)
