"""CLI command ``simulate``: Monte Carlo response times of a saved plan under random arrivals."""

from __future__ import annotations

import math
import sys
import time

import click
from rich.markup import escape
from rich.table import Table

from scheduler.commands.common import (
    DISCIPLINE,
    EXIT_FAIL,
    EXIT_OK,
    FORMAT,
    VARIANT,
    emit_json,
    handle_errors,
    stderr,
    stdout,
)


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("plan_dir", type=click.Path())
@click.option("--runs", type=int, default=100, show_default=True, help="Independent runs (>= 1).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same numbers.")
@click.option(
    "--overdispersion",
    type=float,
    default=0.0,
    show_default=True,
    help="0: Poisson arrivals; X > 0: gamma-Poisson, variance = mean + X mean² per slot.",
)
@click.option(
    "--handle-time",
    type=click.Choice(["exponential", "lognormal"]),
    default="exponential",
    show_default=True,
    help="Distribution of handle times around each stream's handle_minutes.",
)
@click.option("--cv", type=float, default=None, help="Coefficient of variation of lognormal handle times [1].")
@click.option(
    "--warmup/--no-warmup",
    default=True,
    show_default=True,
    help="Simulate the horizon once before measuring it (the plan repeats), or start with empty queues.",
)
@DISCIPLINE
@VARIANT
@FORMAT
@handle_errors
def simulate(
    scenario: str,
    plan_dir: str,
    runs: int,
    seed: int,
    overdispersion: float,
    handle_time: str,
    cv: float | None,
    warmup: bool,
    discipline: str,
    variant: str | None,
    fmt: str,
) -> None:
    """Simulate a saved plan against random demand: share answered within target per stream and band.

    Each run draws Poisson arrivals around the forecast and random handle times, and serves them with the
    plan's roster (breaks included) and agency moderators, oldest item first (or, with --discipline
    priority, Erlang streams before the backlog streams the model serves from spare time). Exit 0 when
    every band meets its target, 1 when the target share lies above the 95 % confidence interval of some
    band, 2 on bad input.

    \b
    Examples:
      scheduler simulate scenarios/tourism.yaml out/tourism
      scheduler simulate scenarios/tourism.yaml out/tourism --runs 200 --overdispersion 0.05
      scheduler simulate scenarios/tourism.yaml out/care --variant backlog-care --discipline priority
      scheduler simulate scenarios/small_company.yaml out/recruit --variant recruit --format json
    """
    from scheduler.plan import load_plan
    from scheduler.scenario import load_scenario
    from scheduler.simulate import simulate as run_simulation

    loaded = load_scenario(scenario, variant=variant)
    plan = load_plan(plan_dir)
    cycles = "a warm-up cycle, then " if warmup else ""
    stderr.print(
        f"simulating {plan_dir} for {loaded.name}: {runs} runs of {cycles}{loaded.grid.days} days, seed {seed}",
        markup=False,
        highlight=False,
    )
    began = time.perf_counter()
    result = run_simulation(
        loaded,
        plan,
        runs,
        seed,
        overdispersion=overdispersion,
        handle_time=handle_time,
        cv=cv,
        warmup=warmup,
        discipline=discipline,
        progress=lambda message: stderr.print(message, markup=False, highlight=False),
    )
    stderr.print(f"simulated in {time.perf_counter() - began:.1f} s", markup=False, highlight=False)
    for note in result.notes:
        stderr.print(f"note: {note}", markup=False, highlight=False)
    if fmt == "json":
        emit_json({**result.to_dict(), "plan": plan_dir})
    else:
        stdout.print(_table(result, plan_dir))
        misses = result.misses()
        if misses.empty:
            stdout.print("Every band meets its target.")
        else:
            which = ", ".join(f"{r.stream} {r.band}" for r in misses.itertuples(index=False))
            stdout.print(f"[red]{len(misses)} band(s) miss their target[/red]: {escape(which)}.")
    sys.exit(EXIT_OK if result.meets_targets() else EXIT_FAIL)


def _table(result, plan_dir: str) -> Table:
    from scheduler.simulate import describe_model

    table = Table(
        title=escape(f"{result.scenario}: simulated service of {plan_dir}"),
        caption=escape(describe_model(result)),
        title_justify="left",
    )
    for column in ("stream", "band", "target", "simulated", "95 % interval", "planned", "mean", "p90", "max queue"):
        table.add_column(column, justify="left" if column in ("stream", "band") else "right")
    table.add_column("meets", justify="center")
    for row in result.bands.itertuples(index=False):
        interval = "—" if math.isnan(row.ci_low) else f"{row.ci_low:.1%} – {row.ci_high:.1%}"
        table.add_row(
            escape(str(row.stream)),
            row.band,
            f"{row.target_share:.0%} in {_minutes(row.target_minutes)}",
            f"{row.share:.1%}",
            interval,
            "—" if math.isnan(row.planned_share) else f"{row.planned_share:.1%}",
            _minutes(row.mean_response),
            _minutes(row.p90_response),
            f"{row.max_queue:,}".replace(",", " "),
            "yes" if row.meets else "[red]NO[/red]",
        )
    return table


def _minutes(value: float) -> str:
    """Minutes for people: 0.7 min, 42 min, 3.5 h; never answered shows as 'never'."""
    if math.isinf(value):
        return "never"
    if math.isnan(value):
        return "—"
    if value < 10:
        return f"{value:.1f} min"
    if value < 120:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h"
