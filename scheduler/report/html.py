"""Self-contained HTML reports: one file per run, readable offline and printable.

Everything is inline: CSS in a ``<style>`` element, charts as SVG drawn by matplotlib (text as paths),
no scripts, fonts or links to the network. ``plan_report`` for one plan, ``compare_report`` for variants side
by side, ``sweep_report`` for cost curves and break-even points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd

from scheduler.plan import Plan
from scheduler.report import charts
from scheduler.report.table import hours, money, percent, seconds
from scheduler.scenario import Scenario

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --ok: #2e7d32; --bad: #b3261e; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: white; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.7rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--line); }
p.lead { font-size: 1.02rem; }
.muted, .note { color: var(--muted); }
.note { font-size: 0.9rem; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0.5rem 0 0.8rem; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
        min-width: 150px; }
.card .label { font-size: 0.8rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.card .value { font-size: 1.25rem; font-weight: 600; }
table { border-collapse: collapse; margin: 0.4rem 0 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.cheapest td { background: #eef7ee; }
.scroll { overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 0.4rem 0 1rem; }
ul.sentences li { margin: 0.3rem 0; }
footer { margin-top: 2.5rem; font-size: 0.8rem; color: var(--muted); }
@media print { main { max-width: none; } h2 { break-after: avoid; } svg.chart { break-inside: avoid; } }
"""


# ================================================================================ building blocks
def _page(title: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + f"\n<footer>Written by the coverage scheduler {escape(_version())}. "
        "Self-contained: no scripts, fonts or network resources.</footer>\n</main>\n</body>\n</html>\n"
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("scheduler")
    except Exception:  # not installed as a package (running from a checkout)
        return ""


def _cards(items: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div></div>'
        for label, value in items
    )
    return f'<div class="cards">{cells}</div>'


def _table(
    frame: pd.DataFrame,
    *,
    numeric: Iterable[str] = (),
    index: bool = False,
    highlight_first: bool = False,
    limit: int | None = None,
) -> str:
    """A DataFrame of display strings (or numbers) as an HTML table."""
    numeric = set(numeric)
    shown = frame if limit is None else frame.head(limit)
    head = ("<th></th>" if index else "") + "".join(
        f'<th class="{"num" if c in numeric else ""}">{escape(str(c))}</th>' for c in shown.columns
    )
    rows = []
    for k, (label, row) in enumerate(shown.iterrows()):
        cells = f"<th>{escape(str(label))}</th>" if index else ""
        for c in shown.columns:
            value = row[c]
            text = "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            cells += f'<td class="{"num" if c in numeric else ""}">{escape(text)}</td>'
        css = ' class="cheapest"' if highlight_first and k == 0 else ""
        rows.append(f"<tr{css}>{cells}</tr>")
    more = ""
    if limit is not None and len(frame) > limit:
        more = f'<p class="note">{len(frame) - limit} more rows in the CSV files.</p>'
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll">{table}</div>{more}'


def _chart(svg: str | None, empty: str) -> str:
    return svg if svg else f'<p class="note">{escape(empty)}</p>'


def scenario_paragraph(scenario: Scenario) -> str:
    """The scenario in one paragraph: name, description, horizon, streams, roles, people, hires allowed."""
    spec = scenario.spec
    grid = scenario.grid
    currency = spec.costs.currency
    streams = []
    for name, stream in spec.streams.items():
        if stream.response_model == "workload" and stream.workload is not None:
            streams.append(f"{name} ({stream.workload.hours_per_week:g} h a week of {stream.skill})")
        else:
            items = f"{float(scenario.arrivals[name].sum()):,.0f}".replace(",", " ")
            day = stream.target("day")
            streams.append(
                f"{name} ({stream.response_model}, {items} items, {stream.handle_minutes:g} min each, "
                f"{day.share:.0%} within {day.within_minutes:g} min by day)"
            )
    roles = []
    for name, role in spec.roles.items():
        if role.kind == "agency" and role.rates_per_hour is not None:
            r = role.rates_per_hour
            roles.append(
                f"{name} (agency, up to {role.max_concurrent} moderators, {money(r.day, currency)}/h by day, "
                f"{money(r.night, currency)} at night, {money(r.weekend, currency)} at weekends)"
            )
        elif role.salary is not None:
            roles.append(f"{name} ({role.kind}, {money(role.salary.monthly_gross, currency)} a month gross)")
        else:
            roles.append(f"{name} ({role.kind})")
    people = ", ".join(f"{p.name} ({p.role})" for p in spec.people) or "nobody yet"
    hires = ", ".join(f"up to {h.max} {name}" for name, h in spec.hire.items() if h.max) or "none"
    variant = f" Variant <b>{escape(scenario.variant)}</b>." if scenario.variant else ""
    text = (
        f"<b>{escape(spec.name)}</b>.{variant} {escape(' '.join(spec.description.split()))} "
        f"Horizon: {grid.days} day{'s' if grid.days > 1 else ''} from {grid.start:%A %d %B %Y}, "
        f"{grid.slot_minutes}-minute slots, "
        f"{escape(grid.timezone)} time, rules <b>{escape(spec.rule_set)}</b>. "
        f"Streams: {escape('; '.join(streams))}. Roles: {escape('; '.join(roles))}. "
        f"People on the payroll: {escape(people)}. Hires allowed: {escape(hires)}."
    )
    return f'<p class="lead">{text}</p>'


# ===================================================================================== one plan
def plan_report(scenario: Scenario, plan: Plan) -> str:
    """The report of one plan: scenario, key figures, costs, need versus staff, roster, service, check."""
    title = f"Staffing plan: {scenario.name}"
    body = [f"<h1>{escape(title)}</h1>", scenario_paragraph(scenario), "<h2>Key figures</h2>", _key_figures(plan)]
    if not plan.is_feasible():
        body.append(f'<p class="bad">{escape(plan.stats.message)}</p>')
        if plan.explanation:
            body.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in plan.explanation) + "</ul>")
        body.append(_stages(plan))
        return _page(title, body)
    body += [
        "<h2>Cost breakdown</h2>",
        _chart(charts.cost_breakdown_chart(plan, list(scenario.spec.roles)), "No cost lines."),
        _cost_table(plan),
        "<h2>Need versus staff</h2>",
        '<p class="note">Per slot and stream: staff each role gives to the stream (stacked) against the need '
        "(people for Erlang streams, work arriving for backlog streams, which may be answered later within "
        "the target). Night and weekend slots are shaded.</p>",
        _chart(charts.coverage_chart(scenario, plan), "No coverage table."),
        "<h2>Roster</h2>",
        _chart(charts.roster_chart(scenario, plan), "Nobody is rostered and no agency is booked."),
        _hours_table(plan),
        "<h2>Service level</h2>",
        _chart(charts.service_chart(plan), "No stream with a response target."),
        _service_table(plan),
        _wishes_section(plan),
        "<h2>Independent check</h2>",
        check_section(scenario, plan),
        _stages(plan),
    ]
    return _page(title, body)


def _key_figures(plan: Plan) -> str:
    stats = plan.stats
    hired = ", ".join(f"{n} {role}" for role, n in plan.hires.items() if n) or "none"
    total_hours = sum(plan.hours_by_role().values())
    cards = [
        ("total cost", money(plan.total_cost, plan.currency)),
        ("status", stats.status),
        ("gap", percent(stats.gap)),
        ("best bound", money(stats.best_bound, plan.currency)),
        ("time", seconds(stats.wall_time)),
        ("hires", hired if plan.is_feasible() else "—"),
        ("hours worked", hours(total_hours) if plan.is_feasible() else "—"),
    ]
    detail = (
        f'<p class="note">{escape(stats.message)} Limit {stats.time_limit:g} s, {stats.workers} CP-SAT worker(s), '
        f"seed {stats.seed}; first plan after {seconds(stats.time_to_first)}, best after "
        f"{seconds(stats.time_to_best)}.</p>"
    )
    return _cards(cards) + detail


def _cost_table(plan: Plan) -> str:
    costs = plan.cost_by_component()
    if costs.empty:
        return ""
    shown = costs.assign(amount=[money(a, plan.currency) for a in costs["amount"]])
    total = pd.DataFrame([{"role": "", "component": "total", "amount": money(plan.total_cost, plan.currency)}])
    return _table(pd.concat([shown, total], ignore_index=True), numeric=["amount"])


def _hours_table(plan: Plan) -> str:
    rows = []
    roster = plan.roster
    for role, value in plan.hours_by_role().items():
        people = roster[roster["role"] == role]["person"].nunique() if not roster.empty else 0
        rows.append(
            {
                "role": role,
                "hired": plan.hires.get(role, "—"),
                "people rostered": people or "—",
                "shifts or bookings": int((roster["role"] == role).sum())
                if not roster.empty and (roster["role"] == role).any()
                else int((plan.agency["agency"] == role).sum())
                if not plan.agency.empty
                else 0,
                "hours": hours(value),
            }
        )
    if not rows:
        return ""
    return _table(pd.DataFrame(rows), numeric=["hired", "people rostered", "shifts or bookings", "hours"])


def _service_table(plan: Plan) -> str:
    service = plan.service
    if service.empty:
        return ""
    shown = pd.DataFrame(
        {
            "stream": service["stream"],
            "band": service["band"],
            "model": service["model"],
            "target": [
                f"{s:.0%} within {m:g} min"
                for s, m in zip(service["target_share"], service["target_minutes"], strict=True)
            ],
            "expected": [percent(float(v), 1) for v in service["expected_share"]],
            "meets": ["yes" if bool(v) else "NO" for v in service["meets"]],
        }
    )
    return _table(shown, numeric=["expected"])


def _wishes_section(plan: Plan) -> str:
    """Which requests were granted, and the spread of nights, weekends and Sundays within each role."""
    if plan.wishes.empty and plan.fairness.empty:
        return ""
    parts = ["<h2>Wishes and fair shares</h2>"]
    summary = plan.wish_summary()
    if summary:
        parts.append(
            f'<p class="note">{summary["granted"]} of {summary["asked"]} wishes granted; those not granted weigh '
            f"{escape(money(summary['not_granted_weight'], plan.currency))} (priced in the cost as "
            '"wishes not granted").</p>'
        )
        shown = plan.wishes.assign(
            granted=["yes" if str(v).lower() in ("true", "1") else "NO" for v in plan.wishes["granted"]]
        )
        parts.append(_table(shown, numeric=["weight"]))
    if not plan.fairness.empty:
        parts.append(_table(plan.fairness, numeric=["min", "max", "spread"]))
    return "".join(parts)


def _stages(plan: Plan) -> str:
    if not plan.stats.stages:
        return ""
    frame = pd.DataFrame(
        [
            {
                "stage": s.name,
                "status": s.status,
                "objective": money(s.objective, plan.currency),
                "bound": money(s.bound, plan.currency),
                "time": seconds(s.wall_time),
                "variables": f"{s.variables:,}".replace(",", " "),
                "constraints": f"{s.constraints:,}".replace(",", " "),
            }
            for s in plan.stats.stages
        ]
    )
    return "<h2>Solver stages</h2>" + _table(frame, numeric=["objective", "bound", "time", "variables", "constraints"])


def check_section(scenario: Scenario, plan: Plan) -> str:
    """The independent checker's verdict, when ``scheduler.check`` is installed."""
    try:
        from scheduler.check import check
    except ImportError:
        return (
            '<p class="note">The independent checker (scheduler.check) is not part of this installation yet, '
            "so this plan has not been re-checked from its roster.</p>"
        )
    try:
        verdict = check(scenario, plan)
    except Exception as exc:  # the report still renders, and says why there is no verdict
        return f'<p class="bad">The check could not run: {escape(type(exc).__name__)}: {escape(str(exc))}</p>'
    return _verdict_html(verdict)


def _verdict_html(verdict: Any) -> str:
    ok = _attribute(verdict, ("ok", "is_ok", "passed", "valid"))
    violations = _attribute(verdict, ("violations",))
    if isinstance(violations, pd.DataFrame):
        table, count = violations, len(violations)
    elif isinstance(violations, list | tuple):
        count = len(violations)
        table = pd.DataFrame([_as_dict(v) for v in violations]) if violations else pd.DataFrame()
    else:
        table, count = pd.DataFrame(), None
    if ok is None and count is not None:
        ok = count == 0
    summary = _attribute(verdict, ("summary",))
    lines = []
    if ok is True:
        lines.append('<p class="ok">Checked: every rule and target holds for this roster.</p>')
    elif ok is False:
        lines.append(f'<p class="bad">Check failed: {count if count is not None else "some"} violation(s).</p>')
    if summary is not None and not isinstance(summary, dict | pd.DataFrame):
        lines.append(f"<p>{escape(str(summary))}</p>")
    if not table.empty:
        lines.append(_table(table.astype(str), limit=50))
    if not lines:
        lines.append(f"<p>{escape(str(verdict))}</p>")
    return "".join(lines)


def _attribute(obj: Any, names: Sequence[str]) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if callable(value):
            try:
                value = value()
            except TypeError:
                continue
        if value is not None:
            return value
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    if callable(getattr(value, "to_dict", None)):
        return dict(value.to_dict())
    if isinstance(value, Mapping):
        return dict(value)
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return {"violation": str(value)}


# ====================================================================================== compare
def compare_report(
    rows: pd.DataFrame,
    plans: Mapping[str, Plan | None] | None = None,
    *,
    scenarios: Mapping[str, Scenario] | None = None,
    summary: str | None = None,
    links: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Variants side by side. ``rows``: the ranked comparison (``scheduler.batch.rank``); ``plans`` and
    ``scenarios`` keyed by the plan's label (``variant``, or ``scenario / variant`` for several files)."""
    from scheduler.batch import cheapest_sentence, plan_label, side_by_side

    plans = plans or {}
    scenarios = scenarios or {}
    links = links or {}
    several = rows["scenario"].nunique() > 1
    labels = [plan_label(row, several) for _, row in rows.iterrows()]
    names = ", ".join(dict.fromkeys(rows["scenario"]))
    title = f"Comparison: {names}"
    body = [f"<h1>{escape(title)}</h1>"]
    first = next(iter(scenarios.values()), None)
    if first is not None and not several:
        base = next((s for s in scenarios.values() if s.variant is None), first)
        body.append(scenario_paragraph(base))
    body.append("<h2>The plans compared</h2>")
    items = []
    for label, (_, row) in zip(labels, rows.iterrows(), strict=True):
        description = row.get("description")
        text = " ".join(description.split()) if isinstance(description, str) else ""
        link = links.get(label)
        name = f'<a href="{escape(link)}">{escape(label)}</a>' if link else escape(label)
        items.append(f"<li><b>{name}</b> — {escape(text) or '(no description)'}</li>")
    body.append("<ul>" + "".join(items) + "</ul>")
    body.append(f'<p class="lead">{escape(summary or cheapest_sentence(rows))}</p>')
    body += [f'<p class="note">{escape(n)}</p>' for n in notes]
    body.append("<h2>Side by side</h2>")
    body.append(_table(side_by_side(rows), index=True, numeric=[*side_by_side(rows).columns]))
    body.append(
        '<p class="note">Plans without a cost (infeasible, no plan within the time limit, or failed) stay in the '
        "table with their status and never rank. Night and weekend cost: night, Sunday and holiday premiums and "
        "agency hours in the night and weekend bands. Expected service: the share of items answered within "
        "target, bands weighted by their items.</p>"
    )
    body.append("<h2>Cost per plan</h2>")
    body.append(charts.compare_cost_chart(rows, plans, labels))
    body.append("<h2>Hours per plan</h2>")
    body.append(charts.compare_hours_chart(rows, labels))
    return _page(title, body)


# ======================================================================================== sweep
def sweep_report(
    frame: pd.DataFrame,
    axes: Sequence[Any],
    break_evens: Sequence[Any] = (),
    *,
    scenario: Scenario | None = None,
    scenarios: Mapping[str, Scenario] | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Cost curves per variant along a sweep, the break-even points stated in sentences and marked."""
    from scheduler.batch import cost_cells, format_number

    scenarios = scenarios or {}
    known = frame["currency"].dropna() if "currency" in frame else pd.Series(dtype=object)
    currency = str(known.iloc[0]) if len(known) else "EUR"
    first = axes[0]
    name = scenario.spec.name if scenario is not None else ", ".join(dict.fromkeys(frame["scenario"].astype(str)))
    over = " and ".join(f"{a.path} ({format_number(min(a.values))} to {format_number(max(a.values))})" for a in axes)
    title = f"Sweep: {name} over {over}"
    body = [f"<h1>{escape(title)}</h1>"]
    if scenario is not None:
        body.append(scenario_paragraph(scenario))
    if scenarios:
        body.append(
            "<ul>"
            + "".join(
                f"<li><b>{escape(v)}</b> — {escape(' '.join(s.spec.description.split())) or '(no description)'}</li>"
                for v, s in scenarios.items()
            )
            + "</ul>"
        )
    body.append("<h2>Break-even</h2>")
    if break_evens:
        body.append('<ul class="sentences">' + "".join(f"<li>{escape(b.sentence)}</li>" for b in break_evens) + "</ul>")
    else:
        body.append(f"<p>{escape(no_break_even_sentence(frame, axes))}</p>")
    body += [f'<p class="note">{escape(n)}</p>' for n in notes]
    body.append("<h2>Cost curves</h2>")
    body.append(charts.sweep_chart(frame, axes, break_evens, currency=currency, x_unit=first.unit(currency)))
    body.append("<h2>Cost at each point</h2>")
    cells = cost_cells(frame, axes, currency)
    body.append(_table(cells, index=True, numeric=list(cells.columns)))
    keep = [c for c in frame.columns if c not in ("description", "message", "currency", "scenario")]
    detail = frame[keep].copy()
    for column in detail.columns:
        if pd.api.types.is_float_dtype(detail[column]):
            detail[column] = [_number(v) for v in detail[column]]
    body.append("<h2>Every point</h2>")
    body.append(_table(detail, limit=400))
    return _page(title, body)


def _number(value: float) -> str:
    """11 519.41, 0.0737, 2: grouped thousands, at most four decimals, no trailing zeros."""
    if pd.isna(value):
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.2f}"
    return text.replace(",", " ")


def no_break_even_sentence(frame: pd.DataFrame, axes: Sequence[Any]) -> str:
    """What the sweep shows when no two plans swap places."""
    with_cost = frame[frame["total_cost"].notna()]
    if with_cost.empty:
        return "No plan was found at any point of the sweep."
    keys = [a.path for a in axes]
    cheapest = with_cost.loc[with_cost.groupby(keys)["total_cost"].idxmin(), "variant"]
    winners = list(dict.fromkeys(cheapest))
    if len(winners) == 1:
        return f"No break-even in this range: {winners[0]} is the cheapest at every point with a plan."
    return "No break-even between neighbouring points with plans on both sides; cheapest plans: " + ", ".join(winners)
