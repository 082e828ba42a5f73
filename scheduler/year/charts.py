"""Year report charts (matplotlib, embedded as SVG like the weekly report's)."""

from __future__ import annotations

import pandas as pd

from scheduler.report.charts import _figure, _money_axis, role_colors, to_svg


def headcount_chart(plan) -> str | None:
    months = plan.months
    roles = [c[len("staff_") :] for c in months.columns if c.startswith("staff_")]
    if not roles:
        return None
    fig = _figure(8, 3.2)
    ax = fig.add_subplot()
    colors = role_colors(roles)
    bottom = pd.Series(0.0, index=months.index)
    for role in roles:
        ax.bar(months["month"], months[f"staff_{role}"], bottom=bottom, color=colors[role], label=f"{role} permanent")
        bottom = bottom + months[f"staff_{role}"]
        if f"fixed_term_{role}" in months:
            ax.bar(
                months["month"],
                months[f"fixed_term_{role}"],
                bottom=bottom,
                color=colors[role],
                alpha=0.45,
                label=f"{role} fixed-term",
            )
            bottom = bottom + months[f"fixed_term_{role}"]
    ax.set_ylabel("people in place")
    ax.tick_params(axis="x", rotation=45)
    twin = ax.twinx()
    twin.plot(months["month"], months["demand_index"], color="black", marker="o", label="demand (× base week)")
    twin.set_ylabel("demand (× the scenario's week)")
    ax.legend(loc="upper left", fontsize=7)
    return to_svg(fig, "Headcount by role over the demand curve")


def cost_chart(plan) -> str | None:
    months = plan.months
    lines = [c for c in months.columns if c.startswith("cost_") and c != "cost_total"]
    fig = _figure(8, 3.2)
    ax = fig.add_subplot()
    bottom = pd.Series(0.0, index=months.index)
    for col in lines:
        ax.bar(months["month"], months[col], bottom=bottom, label=col[5:].replace("_", " "))
        bottom = bottom + months[col]
    _money_axis(ax, plan.currency)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7, ncol=3)
    return to_svg(fig, "Cost by month")


def forecast_chart(plan) -> str | None:
    if plan.history is None or "items" not in plan.weeks:
        return None
    fig = _figure(8, 3.2)
    ax = fig.add_subplot()
    for stream, part in plan.history.groupby("stream"):
        ax.plot(part["week_start"], part["items"], label=f"{stream} history")
    for stream, part in plan.weeks.groupby("stream"):
        ax.plot(part["week_start"], part["items"], linestyle="--", label=f"{stream} forecast")
        if "lo" in part:
            ax.fill_between(part["week_start"], part["lo"], part["hi"], alpha=0.2)
    ax.set_ylabel("items per week")
    ax.legend(fontsize=7)
    return to_svg(fig, "Forecast beside history")
