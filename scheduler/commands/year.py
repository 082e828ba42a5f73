"""``scheduler year``: the year plan (hires, fixed-term contracts, trainees, agency) month by month."""

from __future__ import annotations

import sys

import click

from scheduler.commands.common import EXIT_FAIL, FORMAT, emit_json, handle_errors, load, stderr, stdout


@click.command("year")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, help="Folder for the tables, year.json and report.html.")
@click.option("--months", default=12, show_default=True, type=int, help="Months planned from the horizon's start.")
@click.option("--history", default=None, type=click.Path(dir_okay=False), help="Demand history CSV to forecast.")
@click.option("--jobs", default=1, show_default=True, type=int, help="Weekly solves run in parallel.")
@click.option(
    "--time-limit", default=None, type=float, help="Seconds per weekly solve (default: year.week_time_limit)."
)
@click.option(
    "--seed", default=0, show_default=True, type=int, help="Random seed of every weekly solve (same seed: same plan)."
)
@click.option("--variants", is_flag=True, help="Plan the base and every variant; say which is cheapest over the year.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@FORMAT
@handle_errors
def year(scenario, output, months, history, jobs, time_limit, seed, variants, force, fmt) -> None:
    """Plan a year month by month from weekly plans of representative weeks.

    \b
    Example:
      scheduler year scenarios/holiday_park.yaml -o out/park --jobs 2
    """
    from scheduler.year import YearParams, plan_year
    from scheduler.year.plan import contracts_text, hires_text, validation_text

    base = load(scenario, None)
    params = YearParams(months=months, jobs=jobs, week_time_limit=time_limit, seed=seed, history=history)
    targets = [base] + ([base.with_variant(v) for v in base.variant_names()] if variants else [])
    plans = []
    for sc in targets:
        stderr.print(f"[bold]{sc.name}[/bold]: planning {months} months")
        plan = plan_year(sc, params, progress=lambda text: stderr.print(text, highlight=False))
        plans.append(plan)
        if output:
            folder = output if len(targets) == 1 else f"{output}/{sc.variant or 'base'}"
            plan.save(folder, force=force, parquet=True, excel=True)
            stderr.print(f"wrote {folder}")
    feasible = [p for p in plans if p.is_feasible()]
    verdict = None
    if variants and feasible:
        ranked = sorted(feasible, key=lambda p: p.total_cost)
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        verdict = {
            "cheapest": best.variant or "base",
            "total_cost": best.total_cost,
            "ahead_by": None if second is None else second.total_cost - best.total_cost,
            "next": None if second is None else second.variant or "base",
        }
    if fmt == "json":
        emit_json({"plans": [p.summary() for p in plans], "cheapest": verdict})
    else:
        for p in plans:
            s = p.summary()
            cost = "no plan" if p.total_cost is None else f"{p.total_cost:,.0f} {p.currency}".replace(",", " ")
            bound = "—" if p.bound is None else f"{p.bound:,.0f}".replace(",", " ")
            rosters = s["plan_rosters"]
            stdout.print(
                f"{p.scenario} / {p.variant or 'base'}: {p.status}, year {cost} (year-model bound {bound}), "
                f"{p.wall_time:.0f} s\n"
                f"  hires: {hires_text(s['hires'], s['payback'])}\n"
                f"  fixed-term contracts in place: {contracts_text(s['fixed_term'])}\n"
                f"  rosters of the representative weeks: {rosters['clean']} of {rosters['weeks']} checker-clean; "
                f"real weeks vs estimate {validation_text(p.validation)}",
                highlight=False,
            )
        if verdict:
            ahead = (
                ""
                if verdict["ahead_by"] is None
                else (f", {verdict['ahead_by']:,.0f} cheaper than {verdict['next']}".replace(",", " "))
            )
            stdout.print(f"cheapest over {months} months: {verdict['cheapest']}{ahead}")
    if not feasible:
        sys.exit(EXIT_FAIL)
