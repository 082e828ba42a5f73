"""The plan's calendar: ISO weeks, the share of each week in each month, demand scale per week, and the
representative weeks that stand for groups of weeks of like demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from scheduler.scenario.year import YearSpec


@dataclass(frozen=True)
class Month:
    index: int  # 0 = the first month of the plan
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class Group:
    """Weeks of like demand, solved as one representative week (the group's mean scale per stream)."""

    name: str
    weeks: tuple[date, ...]  # Mondays
    scale: dict[str, float]  # per stream, relative to the scenario's own week
    holiday: bool
    spread: float  # the largest distance of a member week's total scale from the group's: how far it may be


def plan_months(start: date, months: int) -> list[Month]:
    out, y, m = [], start.year, start.month
    for i in range(months):
        out.append(Month(i, y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def plan_weeks(months: list[Month]) -> list[date]:
    """The Mondays of every week that has a day in the plan."""
    first = months[0].first
    last = _month_end(months[-1])
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(monday)
        monday += timedelta(days=7)
    return out


def _month_end(month: Month) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def week_month_weights(weeks: list[date], months: list[Month]) -> np.ndarray:
    """weights[m, w]: how many weeks of week w fall in month m (days / 7); each month's column sum is its weeks."""
    index = {(m.year, m.month): m.index for m in months}
    out = np.zeros((len(months), len(weeks)))
    for w, monday in enumerate(weeks):
        for d in range(7):
            day = monday + timedelta(days=d)
            m = index.get((day.year, day.month))
            if m is not None:
                out[m, w] += 1 / 7
    return out


def day_factor(day: date, year: YearSpec) -> tuple[float, bool]:
    """The month's demand factor times every uplift on that day, and whether an uplift applies."""
    factor = year.monthly_factors[day.month - 1]
    uplifted = False
    for uplift in year.uplifts:
        if _within(day, uplift.dates.start, uplift.dates.end):
            factor *= uplift.factor
            uplifted = True
    return factor, uplifted


def _within(day: date, start: date, end: date) -> bool:
    """Uplift dates repeat every year: compared by (month, day), windows may wrap around New Year."""
    key, lo, hi = (day.month, day.day), (start.month, start.day), (end.month, end.day)
    return lo <= key <= hi if lo <= hi else key >= lo or key <= hi


def week_factor(monday: date, year: YearSpec) -> tuple[float, bool]:
    values = [day_factor(monday + timedelta(days=d), year) for d in range(7)]
    return float(np.mean([v for v, _ in values])), any(u for _, u in values)


def weekly_scales(weeks: list[date], base_week: date, streams: list[str], year: YearSpec) -> pd.DataFrame:
    """Per week and stream, the demand as a multiple of the scenario's own week (monthly factors x uplifts)."""
    base, _ = week_factor(base_week, year)
    if base <= 0:
        base = 1.0  # the scenario's week has no demand factor: factors are then read as absolute multiples
    rows = []
    for monday in weeks:
        factor, holiday = week_factor(monday, year)
        for stream in streams:
            rows.append({"week_start": monday, "stream": stream, "scale": factor / base, "holiday": holiday})
    return pd.DataFrame(rows)


def forecast_scales(weekly: pd.DataFrame, base_items: dict[str, float], weeks: list[date]) -> pd.DataFrame:
    """Per week and stream, forecast items as a multiple of the scenario's own weekly items."""
    rows = []
    table = weekly.set_index(["week_start", "stream"])["items"]
    for monday in weeks:
        for stream, items in base_items.items():
            value = table.get((monday, stream))
            scale = float(value) / items if value is not None and items > 0 else 1.0
            rows.append({"week_start": monday, "stream": stream, "scale": scale, "holiday": False})
    return pd.DataFrame(rows)


def group_weeks(scales: pd.DataFrame, levels: int) -> list[Group]:
    """Weeks grouped by total demand level, holiday weeks apart from the others: per kind, the ``levels``
    groups of least squared distance to their mean (each representative week stands for weeks as like it as
    the count allows; equal weeks always share a group)."""
    wide = scales.pivot_table(index="week_start", columns="stream", values="scale")
    holiday = scales.groupby("week_start")["holiday"].any()
    total = wide.mean(axis=1)
    groups: list[Group] = []
    for flag in (False, True):
        members = total[holiday == flag]
        if members.empty:
            continue
        values = members.round(6)
        for lo, hi in level_bounds(values.to_numpy(), levels):
            weeks = members.index[(values >= lo) & (values <= hi)]
            mean = wide.loc[weeks].mean()
            spread = float((total.loc[weeks] - total.loc[weeks].mean()).abs().max())
            name = f"{'holiday' if flag else 'level'}-{len(groups) + 1}"
            groups.append(Group(name, tuple(weeks), {s: float(v) for s, v in mean.items()}, flag, spread))
    return groups


def level_bounds(values: np.ndarray, levels: int) -> list[tuple[float, float]]:
    """The (lowest, highest) value of each of at most ``levels`` groups of consecutive sorted values that
    minimise the sum of squared distances to the groups' means (Fisher's exact dynamic programme over the
    distinct values, weighted by their counts). Quantile bins put a peak week beside the ordinary ones."""
    distinct, counts = np.unique(values, return_counts=True)
    n, k = len(distinct), min(levels, len(distinct))
    w = np.concatenate([[0.0], np.cumsum(counts)])
    s1 = np.concatenate([[0.0], np.cumsum(counts * distinct)])
    s2 = np.concatenate([[0.0], np.cumsum(counts * distinct**2)])

    def sse(i: int, j: int) -> float:  # distinct[i:j]
        return float(s2[j] - s2[i] - (s1[j] - s1[i]) ** 2 / (w[j] - w[i]))

    cost = np.full((k + 1, n + 1), np.inf)
    cut = np.zeros((k + 1, n + 1), dtype=int)
    cost[0, 0] = 0.0
    for g in range(1, k + 1):
        for j in range(g, n + 1):
            options = [(cost[g - 1, i] + sse(i, j), i) for i in range(g - 1, j)]
            cost[g, j], cut[g, j] = min(options)
    bounds, j = [], n
    for g in range(k, 0, -1):
        i = cut[g, j]
        bounds.append((float(distinct[i]), float(distinct[j - 1])))
        j = i
    return bounds[::-1]
