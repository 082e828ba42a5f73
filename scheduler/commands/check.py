"""CLI command ``scheduler check``: re-check a plan folder against its scenario, independently of the solver."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from rich.table import Table

from scheduler.commands.common import EXIT_FAIL, EXIT_OK, FORMAT, VARIANT, emit_json, handle_errors, stderr, stdout

SHOWN = 200  # violations in the table; --format json lists them all


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("plan_dir", type=click.Path(file_okay=False))
@VARIANT
@FORMAT
@handle_errors
def check(scenario: str, plan_dir: str, variant: str | None, fmt: str) -> None:
    """Re-check a plan from its tables alone: every working-time rule, supervision, each slot's need, the
    presence floors and every cost line (to the cent), without the solver.

    PLAN_DIR is a folder written by 'scheduler solve' (roster.csv, agency.csv, costs.csv, plan.json); its
    CSV files may have been edited by hand. Without --variant, the variant named in plan.json is used.
    Exit 0 when everything holds, 1 with a table of violations, 2 on bad input.

    \b
    Examples:
      scheduler check scenarios/tourism.yaml out/tourism
      scheduler check scenarios/small_company.yaml out/recruit --variant recruit --format json
    """
    from scheduler.check import check as run_check
    from scheduler.plan import load_plan
    from scheduler.scenario import load_scenario

    plan = load_plan(plan_dir)
    if variant is None and plan.variant:
        variant = plan.variant
        stderr.print(f"checking against the variant '{variant}' named in plan.json", markup=False, highlight=False)
    loaded = load_scenario(scenario, variant=variant)
    verdict = run_check(loaded, plan, folder=plan_dir)
    if fmt == "json":
        emit_json(verdict.to_dict())
    else:
        if not verdict.ok:
            stdout.print(_violations_table(verdict))
        for note in verdict.notes:
            stderr.print(f"note: {note}", markup=False, highlight=False)
        click.echo(verdict.summary())
    sys.exit(EXIT_OK if verdict.ok else EXIT_FAIL)


def _violations_table(verdict) -> Table:
    table = Table(title=f"{verdict.scenario}: {len(verdict.violations)} violation(s)", title_justify="left")
    table.add_column("rule", max_width=22)
    table.add_column("reference", max_width=26)
    table.add_column("who / what", max_width=26)
    table.add_column("when", max_width=24)
    table.add_column("finding", min_width=36)
    for v in verdict.violations[:SHOWN]:
        table.add_row(v.rule, v.reference, v.subject, _when(v.start, v.end), v.message)
    if len(verdict.violations) > SHOWN:
        table.caption = f"first {SHOWN} of {len(verdict.violations)}; --format json lists them all"
    return table


def _when(start: str | None, end: str | None) -> str:
    """'Wed 09 Sep 08:00-12:00', or both dates when the interval crosses midnight."""
    if not start:
        return ""
    first = datetime.fromisoformat(start)
    if not end:
        return f"{first:%a %d %b %H:%M}"
    last = datetime.fromisoformat(end)
    if last.date() == first.date() or (last - first).total_seconds() <= 0:
        return f"{first:%a %d %b %H:%M}-{last:%H:%M}"
    return f"{first:%a %d %b %H:%M} - {last:%a %d %b %H:%M}"
