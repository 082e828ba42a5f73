"""Terminal tables for people: the plan's key figures, costs, hours and service, with units."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table

from scheduler.plan import Plan


def money(value: float | None, currency: str = "EUR") -> str:
    if value is None:
        return "—"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency)
    return f"{value:,.2f} {symbol}".replace(",", " ")


def hours(value: float) -> str:
    return f"{value:,.1f} h".replace(",", " ")


def percent(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}%}"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def plan_tables(plan: Plan) -> Group:
    """The summary a manager reads: status and proof, hires and hours, costs, service."""
    stats = plan.stats
    head = Table(title=escape(f"{plan.scenario}: {stats.status}"), show_header=False, title_justify="left")
    head.add_column("what", style="bold")
    head.add_column("value")
    head.add_row("total cost", money(plan.total_cost, plan.currency))
    head.add_row("status", stats.status)
    head.add_row("objective", money(stats.objective, plan.currency))
    head.add_row("best bound", money(stats.best_bound, plan.currency))
    head.add_row("gap", percent(stats.gap))
    head.add_row(
        "time", f"{seconds(stats.wall_time)} (limit {stats.time_limit:g} s, {stats.workers} workers, seed {stats.seed})"
    )
    head.add_row("first plan / best plan", f"{seconds(stats.time_to_first)} / {seconds(stats.time_to_best)}")
    head.add_row("verdict", escape(stats.message))
    parts: list = [head]
    if not plan.is_feasible():
        if plan.explanation:
            why = Table(title="Why no plan exists", show_header=False, title_justify="left")
            why.add_column("reason")
            for line in plan.explanation:
                why.add_row(escape(line))
            parts.append(why)
        return Group(*parts)

    people = Table(title="Staff and hours", title_justify="left")
    for col in ("role", "hired", "people rostered", "hours"):
        people.add_column(col, justify="right" if col != "role" else "left")
    hours_by_role = plan.hours_by_role()
    rostered = plan.roster.groupby("role")["person"].nunique().to_dict() if not plan.roster.empty else {}
    roles = list(dict.fromkeys([*plan.hires, *rostered, *hours_by_role]))
    for role in roles:
        hired = plan.hires.get(role)
        people.add_row(
            role,
            "—" if hired is None else str(hired),
            str(rostered.get(role, "—")),
            hours(hours_by_role.get(role, 0.0)),
        )
    parts.append(people)

    costs = Table(title="Cost over the horizon", title_justify="left")
    costs.add_column("role")
    costs.add_column("component")
    costs.add_column("amount", justify="right")
    for row in plan.cost_by_component().itertuples(index=False):
        costs.add_row(str(row.role), str(row.component), money(row.amount, plan.currency))
    costs.add_row("", "[bold]total[/bold]", f"[bold]{money(plan.total_cost, plan.currency)}[/bold]")
    parts.append(costs)

    if not plan.service.empty:
        service = Table(title="Expected service (Erlang C / backlog flow)", title_justify="left")
        for col in ("stream", "band", "target", "expected", "meets"):
            service.add_column(col, justify="left" if col in ("stream", "band") else "right")
        for row in plan.service.itertuples(index=False):
            target = f"{row.target_share:.0%} in {row.target_minutes:g} min"
            service.add_row(
                str(row.stream),
                str(row.band),
                target,
                percent(row.expected_share, 1),
                "yes" if row.meets else "[red]no[/red]",
            )
        parts.append(service)
    if not plan.shortfall.empty:
        short = Table(title="Shortfall (priced, --allow-shortfall)", title_justify="left")
        for col in ("start", "what", "missing", "unit"):
            short.add_column(col)
        for row in plan.shortfall.head(20).itertuples(index=False):
            short.add_row(str(row.start), str(row.what), f"{row.missing:g}", str(row.unit))
        if len(plan.shortfall) > 20:
            short.add_row("…", f"{len(plan.shortfall) - 20} more rows in shortfall.csv", "", "")
        parts.append(short)
    wishes = plan.wish_summary()
    if wishes:
        head.add_row(
            "wishes granted",
            f"{wishes['granted']} of {wishes['asked']} "
            f"(not granted: {money(wishes['not_granted_weight'], plan.currency)} of weight)",
        )
    if not plan.fairness.empty:
        fair = Table(title="Fair shares (named people of each role)", title_justify="left")
        for col in ("role", "measure", "min", "max", "spread", "limit / price"):
            fair.add_column(col, justify="left" if col in ("role", "measure") else "right")
        for row in plan.fairness.itertuples(index=False):
            rule = str(row.limit) if str(row.limit) not in ("", "nan") else f"{row.price} per unit"
            fair.add_row(str(row.role), str(row.measure), str(row.min), str(row.max), str(row.spread), rule)
        parts.append(fair)
    return Group(*parts)


def frame_table(frame: pd.DataFrame, title: str, columns: Iterable[str] | None = None, limit: int = 40) -> Table:
    """A DataFrame as a rich table (first ``limit`` rows)."""
    columns = list(columns or frame.columns)
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for row in frame[columns].head(limit).itertuples(index=False):
        table.add_row(*(f"{v:,.3g}".replace(",", " ") if isinstance(v, float) else str(v) for v in row))
    if len(frame) > limit:
        table.caption = f"{len(frame) - limit} more rows"
    return table


def print_plan(plan: Plan, console: Console | None = None) -> None:
    (console or Console()).print(plan_tables(plan))
