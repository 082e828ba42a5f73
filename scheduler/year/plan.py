"""YearPlan: the month-by-month answer, its tables, ``year.json`` and the HTML report."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.plan import _json_default, _records, write_folder


@dataclass(frozen=True)
class YearPlan:
    """The year plan. ``total_cost`` is the year MIP's objective over the weekly cost curves (real plans, so an
    estimate of what the year costs); ``bound`` is HiGHS's bound on that MIP, not on the real year."""

    scenario: str
    variant: str | None
    status: str
    total_cost: float | None
    bound: float | None
    gap: float | None
    wall_time: float
    currency: str
    months: pd.DataFrame  # one row per month
    groups: pd.DataFrame  # representative weeks: weeks they stand for, scale, spread
    points: pd.DataFrame  # every weekly solve: group, team, status, cost, bound, checker verdict
    validation: pd.DataFrame  # real weeks of the chosen plan against the representative estimate
    payback: pd.DataFrame  # each permanent hire: month, cost, saving, months to pay back
    weeks: pd.DataFrame  # per week and stream: scale (and forecast items when a history was given)
    history: pd.DataFrame | None = None
    method: str = "scenario factors"
    notes: tuple[str, ...] = ()
    rounds: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def is_feasible(self) -> bool:
        return self.total_cost is not None

    def summary(self) -> dict[str, Any]:
        hires, fixed_term, seasonal = (
            self._by_month("hires_"),
            self._by_month("fixed_term_"),
            self._by_month("seasonal_"),
        )
        return {
            "scenario": self.scenario,
            "variant": self.variant,
            "status": self.status,
            "total_cost": self.total_cost,
            "bound": self.bound,
            "gap": self.gap,
            "wall_time": round(self.wall_time, 2),
            "currency": self.currency,
            "demand": self.method,
            "hires": hires,
            "payback": _payback_records(self.payback),
            "fixed_term": fixed_term,  # in place by month, seasonal ones included
            "seasonal": seasonal,
            "rosters_checked": int(self.points["checked"].eq(True).sum()) if "checked" in self.points else 0,
            "rosters_with_violations": int((self.points.get("violations", pd.Series(dtype=int)) > 0).sum()),
            "plan_rosters": _plan_rosters(self.points),
            "validation_gap": _validation_gap(self.validation),
            "validation_gap_of_week_cost": _validation_gap(self.validation, "share_of_week_cost"),
            "notes": list(self.notes),
        }

    def _by_month(self, prefix: str) -> dict[str, dict[str, int]]:
        """Per role, the months of the months table's ``prefix<role>`` column that are not zero."""
        out: dict[str, dict[str, int]] = {}
        if not self.is_feasible():
            return out
        for col in self.months.columns:
            if col.startswith(prefix):
                pairs = zip(self.months["month"], self.months[col], strict=True)
                out[col[len(prefix) :]] = {m: int(v) for m, v in pairs if v}
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {
            "year_months": self.months,
            "year_groups": self.groups,
            "year_weeks_solved": self.points,
            "year_validation": self.validation,
            "year_payback": self.payback,
            "year_demand": self.weeks,
        }
        if self.history is not None:
            out["year_history"] = self.history
        return out

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "rounds": list(self.rounds)} | {
            name: _records(table) for name, table in self.tables().items()
        }

    def save(self, folder: str | Path, *, force: bool = False, parquet: bool = False, excel: bool = False) -> Path:
        """Tables, ``year.json`` and ``report.html`` into ``folder``, written to a temporary folder and renamed."""

        def fill(tmp: Path) -> None:
            for name, table in self.tables().items():
                table.to_csv(tmp / f"{name}.csv", index=False)
                if parquet:
                    table.astype({c: str for c in table.columns if table[c].dtype == object}).to_parquet(
                        tmp / f"{name}.parquet", index=False
                    )
            if excel:
                with pd.ExcelWriter(tmp / "year.xlsx", engine="openpyxl") as writer:
                    for name, table in self.tables().items():
                        table.to_excel(writer, sheet_name=name[:31], index=False)
            (tmp / "year.json").write_text(json.dumps(self.to_json(), indent=1, default=_json_default) + "\n")
            (tmp / "report.html").write_text(year_report(self), encoding="utf-8")

        return write_folder(folder, fill, force=force)


def hires_text(hires: dict[str, dict[str, int]], payback: list[dict[str, Any]] | None = None) -> str:
    """``summary()["hires"]`` for people: "none", or "junior: 2 in Mar 2027 (pays back in Jun 2027)"."""
    back = {(p["role"], p["month"]): p.get("pays_back_in") for p in payback or ()}
    parts = []
    for role, by_month in hires.items():
        if not by_month:
            continue
        items = []
        for month, count in by_month.items():
            text = f"{count} in {_month_name(month)}"
            if (role, month) in back:
                when = back[(role, month)]
                text += f" (pays back in {_month_name(when)})" if when else " (does not pay back within the plan)"
            items.append(text)
        parts.append(f"{role}: {', '.join(items)}")
    return "; ".join(parts) or "none"


def contracts_text(in_place: dict[str, dict[str, int]]) -> str:
    """Fixed-term contracts in place by month for people: "junior: 1 Jun-Aug 2027, 2 Jul 2027" or "none"."""
    parts = []
    for role, by_month in in_place.items():
        runs: list[list] = []  # [count, first, last] over consecutive months of the same count
        for month, count in by_month.items():
            if runs and runs[-1][0] == count and _next_month(runs[-1][2]) == month:
                runs[-1][2] = month
            else:
                runs.append([count, month, month])
        if runs:
            spans = [f"{c} {_month_name(a) if a == b else _span(a, b)}" for c, a, b in runs]
            parts.append(f"{role}: {', '.join(spans)}")
    return "; ".join(parts) or "none"


def _next_month(label: str) -> str:
    year, month = map(int, label.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def _span(first: str, last: str) -> str:
    a, b = _month_name(first).split(), _month_name(last).split()
    return f"{a[0]}-{b[0]} {b[1]}" if a[1] == b[1] else f"{a[0]} {a[1]}-{b[0]} {b[1]}"


def _month_name(label: str) -> str:
    """'2027-03' -> 'Mar 2027'."""
    year, month = label.split("-")
    return f"{calendar.month_abbr[int(month)]} {year}"


def _payback_records(payback: pd.DataFrame) -> list[dict[str, Any]]:
    keep = ["role", "month", "hires", "recruitment_cost", "pays_back_in", "payback_months"]
    if payback.empty:
        return []
    out = []
    for row in payback[keep].to_dict("records"):
        out.append({k: (None if v is None or (isinstance(v, float) and v != v) else v) for k, v in row.items()})
    for row in out:
        if row["payback_months"] is not None:
            row["payback_months"] = int(row["payback_months"])
        row["hires"] = int(row["hires"])
        row["recruitment_cost"] = float(row["recruitment_cost"])
    return out


def _plan_rosters(points: pd.DataFrame) -> dict[str, int]:
    """The one roster per representative week at the plan's team: how many, how many checker-clean."""
    if points.empty or "roster_of_plan" not in points:
        return {"weeks": 0, "clean": 0}
    mine = points[points["roster_of_plan"].eq(True)]
    return {"weeks": len(mine), "clean": int((mine["checked"].eq(True) & mine["violations"].eq(0)).sum())}


def _validation_gap(validation: pd.DataFrame, column: str = "difference_share") -> float | None:
    """The largest relative difference of a real week from its estimate (by default of the costs beyond
    salaries; ``share_of_week_cost``: of the week's whole cost)."""
    if validation.empty or column not in validation:
        return None
    diffs = pd.to_numeric(validation[column], errors="coerce").dropna()
    if not len(diffs):
        return None
    return round(float(diffs.abs().max()), 4)


def validation_text(validation: pd.DataFrame) -> str:
    """'11.6 % of the costs beyond salaries (2.9 % of the week's)': the two readings of the real weeks."""
    beyond = _validation_gap(validation)
    if beyond is None:
        return "—"
    whole = _validation_gap(validation, "share_of_week_cost")
    return f"{beyond:.1%} of the costs beyond salaries" + ("" if whole is None else f" ({whole:.1%} of the week's)")


def year_report(plan: YearPlan) -> str:
    """A self-contained page: key figures, headcount over demand, cost by month, the tables."""
    from scheduler.report.html import _cards, _page, _table
    from scheduler.year.charts import cost_chart, forecast_chart, headcount_chart

    def money(v: float | None) -> str:
        return "—" if v is None else f"{v:,.0f} {plan.currency}".replace(",", " ")

    cards = _cards(
        [
            ("status", plan.status),
            ("year cost (estimate)", money(plan.total_cost)),
            ("year MIP bound", money(plan.bound)),
            ("real weeks vs estimate", validation_text(plan.validation)),
            ("time", f"{plan.wall_time:.0f} s"),
        ]
    )
    body = [
        f"<h1>Year plan: {escape(plan.scenario)}{' / ' + escape(plan.variant) if plan.variant else ''}</h1>",
        cards,
        "<p>The year cost rests on weekly plans of representative weeks (each standing for the weeks listed "
        "below) solved by the weekly engine; between solved teams the cost is interpolated. The bound is the year "
        "model's own (over those curves), not a bound on the real year. Real weeks of the chosen plan were solved "
        "again to measure how far the representative weeks are.</p>",
    ]
    if plan.is_feasible():
        body += [
            "<h2>Headcount and demand</h2>",
            headcount_chart(plan) or "",
            "<h2>Cost by month</h2>",
            cost_chart(plan) or "",
        ]
        if plan.history is not None:
            body += ["<h2>Forecast beside history</h2>", forecast_chart(plan) or ""]
        body += ["<h2>Month by month</h2>", _table(plan.months.round(1))]
        body += ["<h2>When each hire pays for itself</h2>", _table(plan.payback.round(1))]
    body += ["<h2>Representative weeks</h2>", _table(plan.groups.round(3))]
    body += ["<h2>Real weeks against the estimate</h2>", _table(plan.validation.round(2))]
    body += ["<h2>Weekly solves</h2>", _table(plan.points.round(2), limit=60)]
    if plan.notes:
        body.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in plan.notes) + "</ul>")
    return _page(f"Year plan {plan.scenario}", body)
