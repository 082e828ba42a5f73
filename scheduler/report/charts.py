"""Charts for the HTML reports, drawn with matplotlib (Agg canvas) and returned as inline SVG text.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot, so no global state or
display is involved. Text is drawn as paths (no fonts to load) and every id in an SVG is prefixed, so
several charts can sit in one HTML page without clashing.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

import matplotlib
import matplotlib.dates
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scheduler.plan import Plan
from scheduler.scenario import Scenario

PALETTE = ("#2f6f9f", "#e08a2c", "#5a9e4b", "#b5473c", "#7d5ba6", "#8c6d31", "#d36ba6", "#5f6b7a", "#2aa198")
BAND_SHADES = {"night": ("#1f2a44", 0.10), "weekend": ("#3b7dd8", 0.10)}
NO_PLAN = "#c8c8c8"
_counter = itertools.count(1)

COST_GROUPS = {
    "salary": "pay and charges",
    "employer charges": "pay and charges",
    "paid-leave provision": "pay and charges",
    "stipend": "pay and charges",
    "recruitment": "recruitment and training",
    "training": "recruitment and training",
    "night premium": "premiums and overtime",
    "Sunday premium": "premiums and overtime",
    "holiday premium": "premiums and overtime",
    "1 May premium": "premiums and overtime",
    "overtime": "premiums and overtime",
    "overtime, second tier": "premiums and overtime",
    "agency fee": "agency fee",
    "shortfall penalty": "shortfall penalty",
}
GROUP_ORDER = (
    "pay and charges",
    "recruitment and training",
    "premiums and overtime",
    "agency hours",
    "agency fee",
    "shortfall penalty",
    "other",
)


def cost_group(component: str) -> str:
    if component.startswith("agency hours"):
        return "agency hours"
    return COST_GROUPS.get(component, "other")


def role_colors(roles: Sequence[str]) -> dict[str, str]:
    return {role: PALETTE[i % len(PALETTE)] for i, role in enumerate(roles)}


def to_svg(fig: Figure, title: str = "") -> str:
    """The figure as an ``<svg>`` element that scales with the page, ids prefixed to stay unique."""
    FigureCanvasAgg(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "scheduler"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    prefix = f"c{next(_counter)}-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)
    label = f' role="img" aria-label="{_attr(title)}"' if title else ""
    text = text.replace("<svg ", f'<svg class="chart"{label} ', 1)
    return text.strip()


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.set_layout_engine("constrained")
    return fig


def _money_axis(ax, currency: str, axis: str = "y") -> None:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency)
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f} {symbol}".replace(",", " "))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


# ================================================================================== one plan
def cost_breakdown_chart(plan: Plan, roles: Sequence[str] = ()) -> str | None:
    """Horizontal bars: cost per role and component over the horizon (role colours in ``roles`` order,
    the same as in the other charts)."""
    costs = plan.cost_by_component()
    if costs.empty:
        return None
    costs = costs.assign(label=costs["role"].astype(str) + ": " + costs["component"].astype(str))
    costs = costs.sort_values("amount")
    fig = _figure(8, max(2.2, 0.32 * len(costs) + 1))
    ax = fig.add_subplot()
    colors = role_colors(list(dict.fromkeys([*roles, *plan.cost_by_component()["role"]])))
    ax.barh(costs["label"], costs["amount"], color=[colors[r] for r in costs["role"]])
    for y, amount in enumerate(costs["amount"]):
        ax.text(amount, y, f" {amount:,.2f}".replace(",", " "), va="center", fontsize=8)
    _money_axis(ax, plan.currency, "x")
    ax.set_xlabel(f"cost over the horizon ({plan.currency})")
    ax.margins(x=0.18)
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig, "Cost breakdown")


def _slot_times(coverage: pd.DataFrame) -> np.ndarray:
    first = coverage.drop_duplicates("slot").sort_values("slot")
    return pd.to_datetime(first["start"], utc=True).dt.tz_convert(None).to_numpy()


def _shade_bands(ax, slots: pd.DataFrame, x: np.ndarray) -> None:
    bands = slots["band"].to_numpy()
    step = x[1] - x[0] if len(x) > 1 else np.timedelta64(1, "h")
    for band, (color, alpha) in BAND_SHADES.items():
        mask = bands == band
        start = None
        for i, on in enumerate([*mask, False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                ax.axvspan(x[start], x[i - 1] + step, color=color, alpha=alpha, lw=0)
                start = None


def coverage_chart(scenario: Scenario, plan: Plan) -> str | None:
    """Per stream: staff given by each role (stacked) against the need, night and weekend shaded."""
    coverage = plan.coverage
    if coverage.empty or "stream" not in coverage.columns:
        return None
    roles = list(scenario.spec.roles)
    colors = role_colors(roles)
    streams = list(dict.fromkeys(coverage["stream"]))
    fig = _figure(11, 2.3 * len(streams) + 0.6)
    axes = fig.subplots(len(streams), 1, sharex=True, squeeze=False)[:, 0]
    for ax, stream in zip(axes, streams, strict=True):
        part = coverage[coverage["stream"] == stream].sort_values("slot")
        x = pd.to_datetime(part["start"], utc=True).dt.tz_convert(scenario.grid.timezone).dt.tz_localize(None)
        x = x.to_numpy()
        step = x[1] - x[0] if len(x) > 1 else np.timedelta64(1, "h")
        xs = np.append(x, x[-1] + step)
        _shade_bands(ax, part, x)
        layers, labels, layer_colors = [], [], []
        for role in roles:
            column = f"staffed_{role}"
            if column in part.columns and part[column].astype(float).abs().sum() > 0:
                values = part[column].astype(float).to_numpy()
                layers.append(np.append(values, values[-1]))
                labels.append(role)
                layer_colors.append(colors[role])
        if layers:
            ax.stackplot(xs, *layers, labels=labels, colors=layer_colors, step="post", alpha=0.85)
        model = str(part["model"].iloc[0])
        if model == "erlang":
            need = part["need"].astype(float).to_numpy()
            ax.step(xs, np.append(need, need[-1]), where="post", color="black", lw=1.1, label="need (people)")
            unit = "people"
        elif model == "backlog":
            work = part["work"].astype(float).to_numpy()
            ax.step(
                xs,
                np.append(work, work[-1]),
                where="post",
                color="black",
                lw=0.9,
                ls="--",
                label="work arriving (person-equivalents)",
            )
            unit = "person-equivalents"
        else:
            unit = "person-equivalents"
        ax.set_title(f"{stream} ({model})", loc="left", fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_ylim(bottom=0)
        ax.margins(x=0)
        ax.legend(loc="upper right", fontsize=7, ncols=4, frameon=False)
    _date_axis(axes[-1])
    shade = ", ".join(f"{band} shaded" for band in BAND_SHADES)
    axes[-1].set_xlabel(f"local time ({scenario.grid.timezone}); {shade}", fontsize=8)
    return to_svg(fig, "Need versus staff per slot")


def roster_chart(scenario: Scenario, plan: Plan) -> str | None:
    """A Gantt chart: one row per person (shifts, breaks marked) and one per agency (moderators booked)."""
    roster = plan.roster
    agency = plan.agency
    if roster.empty and agency.empty:
        return None
    tz = scenario.grid.timezone
    roles = list(scenario.spec.roles)
    colors = role_colors(roles)

    def local(values) -> pd.Series:
        return pd.to_datetime(pd.Series(values), utc=True).dt.tz_convert(tz).dt.tz_localize(None)

    people = []
    if not roster.empty:
        order = {role: i for i, role in enumerate(roles)}
        pairs = set(zip(roster["person"], roster["role"], strict=True))
        people = sorted(pairs, key=lambda p: (order.get(p[1], 99), p[0]))
    agencies = list(dict.fromkeys(agency["agency"])) if not agency.empty else []
    rows = [f"{p} ({r})" for p, r in people] + [f"{a} (agency)" for a in agencies]
    fig = _figure(11, max(1.8, 0.34 * len(rows) + 1.1))
    ax = fig.add_subplot()
    _shade_bands_from_grid(ax, scenario)
    for y, (person, role) in enumerate(people):
        mine = roster[roster["person"] == person]
        start, end = local(mine["start"]), local(mine["end"])
        ax.barh(y, (end - start).to_numpy(), left=start.to_numpy(), height=0.6, color=colors.get(role, NO_PLAN))
        breaks = mine["break_start"].fillna("").astype(str)
        with_break = breaks != ""
        if with_break.any():
            b_start = local(breaks[with_break])
            minutes = mine.loc[with_break, "break_minutes"].astype(float).to_numpy()
            ax.barh(
                y, pd.to_timedelta(minutes, unit="min"), left=b_start.to_numpy(), height=0.6, color="white", alpha=0.8
            )
    for k, name in enumerate(agencies):
        y = len(people) + k
        mine = agency[agency["agency"] == name]
        start, end = local(mine["start"]), local(mine["end"])
        top = max(1, int(mine["moderators"].max()))
        for s, e, n in zip(start, end, mine["moderators"].astype(int), strict=True):
            ax.barh(y, e - s, left=s, height=0.6 * n / top, color=colors.get(name, NO_PLAN), alpha=0.75)
        ax.text(1.0, y, f" up to {top}", transform=ax.get_yaxis_transform(), va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(_naive(scenario.grid.origin, tz), _naive(scenario.grid.end, tz))
    _date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(f"local time ({tz}); agency bar height: moderators booked; white: breaks", fontsize=8)
    return to_svg(fig, "Roster")


def _date_axis(ax) -> None:
    """Dates and hours that read well from one day to eight weeks."""
    locator = matplotlib.dates.AutoDateLocator(minticks=4, maxticks=14)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))


def _naive(moment: datetime, tz: str) -> datetime:
    return pd.Timestamp(moment).tz_convert(tz).tz_localize(None).to_pydatetime()


def _shade_bands_from_grid(ax, scenario: Scenario) -> None:
    grid = scenario.grid
    x = np.array([pd.Timestamp(t).tz_localize(None) for t in grid.local_starts], dtype="datetime64[ns]")
    _shade_bands(ax, pd.DataFrame({"band": list(scenario.bands)}), x)


def service_chart(plan: Plan) -> str | None:
    """Expected share answered within target per stream and band, with the target marked."""
    service = plan.service
    if service.empty:
        return None
    labels = [f"{s} · {b}" for s, b in zip(service["stream"], service["band"], strict=True)]
    expected = service["expected_share"].astype(float).to_numpy() * 100
    target = service["target_share"].astype(float).to_numpy() * 100
    meets = service["meets"].astype(bool).to_numpy()
    fig = _figure(8, max(1.8, 0.35 * len(labels) + 0.9))
    ax = fig.add_subplot()
    y = np.arange(len(labels))
    ax.barh(y, expected, color=np.where(meets, "#5a9e4b", "#b5473c"), height=0.6)
    ax.scatter(target, y, marker="|", s=300, color="black", zorder=3, label="target")
    for yi, value in zip(y, expected, strict=True):
        ax.text(min(value, 100), yi, f" {value:.1f} %", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xlabel("expected share answered within the target time (%)")
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    return to_svg(fig, "Service level per band")


# ================================================================================== compare
def compare_cost_chart(rows: pd.DataFrame, plans: Mapping[str, Plan | None], labels: Sequence[str]) -> str:
    """Total cost per plan side by side, stacked by kind of cost; plans without a cost shown empty."""
    fig = _figure(max(6, 1.3 * len(labels) + 2), 4.2)
    ax = fig.add_subplot()
    groups: dict[str, np.ndarray] = {g: np.zeros(len(labels)) for g in GROUP_ORDER}
    currency = "EUR"
    for i, label in enumerate(labels):
        plan = plans.get(label)
        if plan is None or not plan.is_feasible():
            continue
        currency = plan.currency
        for row in plan.costs.itertuples(index=False):
            groups[cost_group(str(row.component))][i] += float(row.amount)
    bottom = np.zeros(len(labels))
    x = np.arange(len(labels))
    for k, (group, values) in enumerate(groups.items()):
        if values.any():
            ax.bar(x, values, bottom=bottom, label=group, color=PALETTE[k % len(PALETTE)], width=0.6)
            bottom += values
    top = bottom.max() if bottom.any() else 1.0
    for i in range(len(labels)):
        row = rows.iloc[i]
        if pd.isna(row["total_cost"]):
            ax.bar(x[i], top * 0.08, color="none", edgecolor=NO_PLAN, hatch="//", width=0.6)
            ax.text(x[i], top * 0.1, str(row["status"]), ha="center", va="bottom", fontsize=8, color="#555")
        else:
            digits = 0 if top >= 1000 else 2
            ax.text(
                x[i],
                bottom[i],
                f"{row['total_cost']:,.{digits}f}".replace(",", " "),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(x, labels, rotation=20 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center")
    _money_axis(ax, currency)
    ax.set_ylabel("total cost over the horizon")
    ax.margins(y=0.12)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.grid(axis="y", alpha=0.3)
    return to_svg(fig, "Total cost per plan")


def compare_hours_chart(rows: pd.DataFrame, labels: Sequence[str]) -> str:
    """In-house, trainee and agency hours per plan, side by side."""
    kinds = (("in_house_hours", "in-house"), ("trainee_hours", "trainees"), ("agency_hours", "agency"))
    fig = _figure(max(6, 1.3 * len(labels) + 2), 3.4)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / len(kinds)
    for k, (column, name) in enumerate(kinds):
        values = pd.to_numeric(rows[column], errors="coerce").fillna(0).to_numpy() if column in rows else 0
        ax.bar(x + (k - 1) * width, values, width=width, label=name, color=PALETTE[k])
    ax.set_xticks(x, labels, rotation=20 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center")
    ax.set_ylabel("hours over the horizon")
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return to_svg(fig, "Hours per plan")


# ==================================================================================== sweep
def sweep_chart(
    frame: pd.DataFrame,
    axes: Sequence,
    break_evens: Sequence,
    *,
    currency: str = "EUR",
    x_unit: str = "",
) -> str:
    """Cost curves per variant along the first axis (one panel per value of the second), break-even
    points marked; points without a plan are crosses on the axis."""
    first = axes[0]
    second = axes[1] if len(axes) > 1 else None
    panels = list(second.values) if second else [None]
    fig = _figure(9, 3.6 * len(panels) + 0.4)
    grid = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    variants = list(dict.fromkeys(frame["variant"]))
    colors = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(variants)}
    for ax, other in zip(grid, panels, strict=True):
        part = frame if second is None else frame[np.isclose(frame[second.path], other)]
        for variant in variants:
            mine = part[part["variant"] == variant].sort_values(first.path)
            ok = mine["total_cost"].notna()
            ax.plot(
                mine.loc[ok, first.path],
                mine.loc[ok, "total_cost"],
                marker="o",
                ms=3.5,
                label=variant,
                color=colors[variant],
            )
            if (~ok).any():
                ax.scatter(
                    mine.loc[~ok, first.path],
                    np.zeros((~ok).sum()),
                    marker="x",
                    color=colors[variant],
                    clip_on=False,
                    zorder=3,
                )
        for point in break_evens:
            if second is not None and not any(np.isclose(v, other) for p, v in point.at if p == second.path):
                continue
            ax.axvline(point.value, color="#444", ls="--", lw=0.9)
            ax.annotate(
                f"break-even\n{point.display_value:,.0f} {point.display_unit}".replace(",", " ")
                if point.display_unit == "items a week"
                else f"break-even\n{point.display_value:,.2f} {point.display_unit}".replace(",", " "),
                (point.value, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                va="top",
                fontsize=7,
            )
        title = f"{second.path} = {other:g}" if second is not None else ""
        ax.set_title(title, loc="left", fontsize=9)
        ax.set_xlabel(f"{first.path} ({x_unit})" if x_unit else first.path)
        _money_axis(ax, currency)
        ax.set_ylabel("total cost")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
        rate = _items_per_unit(part, first.path)
        if rate:
            top = ax.secondary_xaxis("top", functions=(lambda s, r=rate: s * r, lambda w, r=rate: w / r))
            top.set_xlabel("items a week", fontsize=8)
    return to_svg(fig, "Cost along the sweep")


def _items_per_unit(part: pd.DataFrame, path: str) -> float | None:
    if path != "demand.scale" or "items_per_week" not in part.columns:
        return None
    sample = part[(part[path] > 0) & part["items_per_week"].notna()]
    if sample.empty:
        return None
    return float(sample["items_per_week"].iloc[0]) / float(sample[path].iloc[0])
