"""Demand over the year from a history file: daily totals per stream, forecast with statsforecast.

The year plan needs items per week and a weekday profile, not slots: the shape within a day comes from the
scenario's daily curves. So the history is reduced to daily totals per stream (any resolution from 5 minutes
to a day reads the same), and each stream is forecast on its own:

- under two years of history, AutoETS with weekly seasonality (7 days) gives the level and the weekday
  shape, and the scenario's monthly factors give the shape of the year (a few months cannot show it);
- with two full years, MSTL separates a weekly and a yearly seasonality (7 and 365 days) and the history's
  own year replaces the monthly factors.

Trends are either absent or damped: eight weeks of growth extrapolated in a straight line over a year would
hire for demand nobody has seen. Prediction intervals are statsforecast's, at ``level`` %.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import matplotlib.dates
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scheduler.errors import InputError
from scheduler.report.charts import PALETTE, to_svg
from scheduler.scenario.demand import (
    DEMAND_COLUMNS,
    TIMESTAMP_HELP,
    csv_row,
    demand_items,
    parse_demand_frame,
    timestamp_kinds,
)

MIN_HISTORY_DAYS = 56  # eight weeks: the weekday shape seen at least eight times
YEARLY_HISTORY_DAYS = 730  # two full years: each day of the year seen twice, the least MSTL's yearly part needs
FINEST_STEP_MINUTES = 5
COARSEST_STEP_MINUTES = 24 * 60  # daily totals; weekly or monthly totals cannot give a weekday profile
LONGEST_GAP_DAYS = 6  # a week without rows is a hole in the export, not a quiet week
WEEKLY_SEASON = 7
YEARLY_SEASON = 365

# The wall-clock part of a timestamp (an offset, if any, is dropped): the day a row belongs to is the day
# its writer saw, which is what weekday and month shapes are about.
_WALL_TIME = r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)"


@dataclass(frozen=True)
class Forecast:
    """Forecast items per stream for the weeks of a year plan, with the history it came from.

    Attributes
    ----------
    weekly
        ``week_start`` (a Monday, ``datetime.date``), ``stream``, ``items``, ``lo``, ``hi``: every ISO week
        overlapping the plan. ``lo`` / ``hi`` are sums of the daily bounds, so at least as wide as the week's
        own interval (forecast errors of nearby days are positively correlated, never more than fully).
    history_weekly
        ``week_start``, ``stream``, ``items``: the history's full weeks, for a chart beside the forecast.
    daily
        ``date``, ``stream``, ``items``, ``lo``, ``hi``: the days of those weeks.
    method
        The model and seasonality used, in words, for the report.
    level
        Confidence level of ``lo`` / ``hi`` in percent.
    """

    weekly: pd.DataFrame
    history_weekly: pd.DataFrame
    daily: pd.DataFrame
    method: str
    level: int

    @property
    def streams(self) -> list[str]:
        return sorted(self.weekly["stream"].unique())


# ============================================================================================ reading
def read_history(path: str | Path) -> pd.DataFrame:
    """Daily items per stream from a demand history CSV (``timestamp,stream,items``).

    Returns
    -------
    pandas.DataFrame
        ``date`` (``datetime.date``), ``stream``, ``items`` for every day of each stream's span (a day
        without rows has 0 items, as in a scenario's demand file). ``attrs`` holds ``source`` (the file, for
        messages) and ``step_minutes`` (the most common step between rows, per stream).

    Raises
    ------
    InputError
        A missing or unreadable file, or any bad content (see :func:`parse_history_csv`).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, "file", source, "an existing demand history CSV (timestamp,stream,items)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, "file", source, f"a readable UTF-8 text CSV ({type(exc).__name__})") from None
    return parse_history_csv(text, source=source)


def parse_history_csv(text: str, *, source: str) -> pd.DataFrame:
    """Daily items per stream from the text of a demand history CSV; ``source`` names it in messages.

    Refused, with the file, field, value and what is allowed: the scenario demand format's own errors
    (header, items, timestamps), any other column, a blank stream, a stream with under eight weeks from its
    first to its last day, rows more often than every 5 minutes or less often than daily, and a week or more
    without any row.
    """
    frame = parse_demand_frame(text, source=source)
    unknown = [c for c in frame.columns if c not in DEMAND_COLUMNS]
    if unknown:
        raise InputError(
            source,
            "columns",
            list(frame.columns),
            f"exactly {', '.join(DEMAND_COLUMNS)} (unknown: {', '.join(unknown)})",
        )
    names = frame["stream"].fillna("").astype(str).str.strip()
    if (names == "").any():
        i = int(np.flatnonzero((names == "").to_numpy())[0])
        raise InputError(source, f"{csv_row(i)}, column stream", "", "a stream name, e.g. moderation")
    items = demand_items(frame, source=source)
    raw = frame["timestamp"].fillna("").astype(str).str.strip()
    timestamp_kinds(raw, source=source)
    wall = pd.to_datetime(raw.str.extract(_WALL_TIME)[0], errors="coerce", format="ISO8601")
    if wall.isna().any():
        i = int(np.flatnonzero(wall.isna().to_numpy())[0])
        raise InputError(source, f"{csv_row(i)}, column timestamp", raw.iloc[i], TIMESTAMP_HELP)

    rows = pd.DataFrame({"stream": names, "wall": wall, "items": items})
    steps: dict[str, int] = {}
    days: list[pd.DataFrame] = []
    for stream, part in rows.groupby("stream", sort=True):
        stream = str(stream)
        day = part["wall"].dt.normalize()
        _check_span(day, stream, source)
        steps[stream] = _check_step(part["wall"], stream, source)
        _check_gaps(day, stream, source)
        totals = part.groupby(day)["items"].sum()
        totals = totals.reindex(pd.date_range(totals.index.min(), totals.index.max(), freq="D"), fill_value=0.0)
        days.append(pd.DataFrame({"date": totals.index.date, "stream": stream, "items": totals.to_numpy(float)}))
    history = pd.concat(days, ignore_index=True)
    history.attrs = {"source": source, "step_minutes": steps}
    return history


def _field(stream: str) -> str:
    return f"column timestamp (stream '{stream}')"


def _check_span(day: pd.Series, stream: str, source: str) -> None:
    first, last = day.min(), day.max()
    span = (last - first).days + 1
    if span < MIN_HISTORY_DAYS:
        raise InputError(
            source,
            _field(stream),
            f"{first.date()} to {last.date()} ({span} days)",
            f"at least 8 weeks ({MIN_HISTORY_DAYS} days) of history per stream",
        )


def _check_step(wall: pd.Series, stream: str, source: str) -> int:
    """The most common step between distinct times: robust to a missing row and to the clock changes."""
    times = np.unique(wall.to_numpy(dtype="datetime64[m]").astype(np.int64))
    gaps, counts = np.unique(np.diff(times), return_counts=True)
    step = int(gaps[np.argmax(counts)])  # ties go to the smaller step
    if not FINEST_STEP_MINUTES <= step <= COARSEST_STEP_MINUTES:
        raise InputError(
            source,
            _field(stream),
            f"rows every {_minutes(step)} (the most common step)",
            "rows from every 5 minutes to once a day; add up finer data, and give daily rows for coarser totals",
        )
    return step


def _minutes(step: int) -> str:
    if step % (24 * 60) == 0:
        return f"{step // (24 * 60)} day(s)"
    return f"{step} min" if step < 60 or step % 60 else f"{step // 60} h"


def _check_gaps(day: pd.Series, stream: str, source: str) -> None:
    seen = np.unique(day.to_numpy(dtype="datetime64[D]"))
    holes = np.diff(seen).astype(np.int64) - 1
    if holes.size and holes.max() > LONGEST_GAP_DAYS:
        i = int(np.argmax(holes))
        first, last = seen[i] + 1, seen[i + 1] - 1
        raise InputError(
            source,
            _field(stream),
            f"no rows from {first} to {last} ({holes[i]} days)",
            f"rows in every stretch of {LONGEST_GAP_DAYS + 1} days (write rows with 0 items for days without demand)",
        )


# ========================================================================================= forecasting
def forecast_history(
    history: pd.DataFrame,
    start: date,
    months: int,
    monthly_factors: Mapping[int, float] | None = None,
    level: int = 80,
) -> Forecast:
    """Forecast each stream's items for every ISO week overlapping ``[start, start + months)``.

    Parameters
    ----------
    history
        ``date``, ``stream``, ``items`` daily totals, as :func:`read_history` returns. Only days before the
        plan's first Monday are used, so every week of the plan is a forecast.
    start, months
        The plan's first day and length in calendar months.
    monthly_factors
        Month (1-12) -> demand multiplier, the scenario's shape of the year (absent months are 1.0; None is
        flat). Used when a stream has under two years of history; the factors are taken relative to the
        history's average month: each history day is divided by its month's factor over the factors' mean
        on the history's days, so a history from the high season is not taken for the level of the year.
    level
        Prediction interval in percent.

    Raises
    ------
    InputError
        A stream with under eight weeks of history before the plan's first week.
    ValueError
        Arguments out of range (a programming error: the scenario's factors are checked at load).
    """
    start = start.date() if isinstance(start, datetime) else start
    _check_arguments(history, months, monthly_factors, level)
    factors = {m: float((monthly_factors or {}).get(m, 1.0)) for m in range(1, 13)}
    first_monday = start - timedelta(days=start.weekday())
    last_day = _add_months(start, months) - timedelta(days=1)
    last_sunday = last_day + timedelta(days=6 - last_day.weekday())
    plan_days = pd.date_range(first_monday, last_sunday, freq="D")
    source = str(history.attrs.get("source", "<history>"))

    daily_parts: list[pd.DataFrame] = []
    notes: dict[str, tuple[str, bool]] = {}
    for stream, part in history.groupby("stream", sort=True):
        stream = str(stream)
        series = _contiguous(part)
        used = series.index < pd.Timestamp(first_monday)
        y = series.to_numpy(dtype=float)[used]
        days = series.index[used]
        if len(y) < MIN_HISTORY_DAYS:
            raise InputError(
                source,
                _field(stream),
                f"{len(y)} days before {first_monday}",
                f"at least 8 weeks ({MIN_HISTORY_DAYS} days) of history before the plan's first week"
                f" (Monday {first_monday})",
            )
        horizon = (last_sunday - days[-1].date()).days
        if len(y) >= YEARLY_HISTORY_DAYS:
            mean, lo, hi = _forecast_yearly(y, horizon, level)
            kind = "yearly"
        else:
            shape = np.array([factors[d.month] for d in pd.date_range(days[0], last_sunday, freq="D")])
            history_shape, ahead_shape = shape[: len(y)], shape[len(y) :]
            relative = history_shape.mean()
            mean, lo, hi = _forecast_weekly(y / (history_shape / relative), horizon, level)
            mean, lo, hi = (v * ahead_shape / relative for v in (mean, lo, hi))
            kind = "weekly"
        notes[stream] = (kind, not used.all())
        tail = slice(-len(plan_days), None)  # the forecast runs from the history's end to the plan's last Sunday
        daily_parts.append(
            pd.DataFrame(
                {
                    "date": plan_days.date,
                    "stream": stream,
                    # statsforecast's models know nothing of counts: clip below at zero items.
                    "items": np.maximum(mean[tail], 0.0),
                    "lo": np.maximum(lo[tail], 0.0),
                    "hi": np.maximum(hi[tail], 0.0),
                }
            )
        )
    daily = pd.concat(daily_parts, ignore_index=True)
    weekly = (
        daily.assign(week_start=[d - timedelta(days=d.weekday()) for d in daily["date"]])
        .groupby(["week_start", "stream"], as_index=False, sort=True)[["items", "lo", "hi"]]
        .sum()
    )
    return Forecast(
        weekly=weekly,
        history_weekly=_full_weeks(history),
        daily=daily,
        method=_method(notes, monthly_factors is not None, level, first_monday),
        level=level,
    )


def _check_arguments(
    history: pd.DataFrame, months: int, monthly_factors: Mapping[int, float] | None, level: int
) -> None:
    missing = {"date", "stream", "items"} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns date, stream, items (as read_history returns); missing {missing}")
    if history.empty:
        raise ValueError("history has no rows")
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number of at least 1, not {months!r}")
    if not 0 < level < 100:
        raise ValueError(f"level is a percentage strictly between 0 and 100, not {level!r}")
    for month, factor in (monthly_factors or {}).items():
        if month not in range(1, 13) or not (np.isfinite(factor) and factor > 0):
            raise ValueError(f"monthly_factors maps months 1-12 to positive numbers; got {month!r}: {factor!r}")


def _contiguous(part: pd.DataFrame) -> pd.Series:
    """One stream's items per day from its first to its last day; days absent from the frame have 0 items."""
    items = part.groupby(pd.to_datetime(part["date"]))["items"].sum().astype(float)
    return items.reindex(pd.date_range(items.index.min(), items.index.max(), freq="D"), fill_value=0.0)


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 January + 1 month is 28 February)."""
    year, month = divmod(day.month - 1 + int(months), 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _forecast_weekly(y: np.ndarray, horizon: int, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AutoETS with weekly seasonality, trend either absent or damped, whichever has the lower AICc."""
    from statsforecast.models import AutoETS  # imported here: over a second, paid by the year plan only

    candidates = [
        AutoETS(season_length=WEEKLY_SEASON, model="ZNZ"),
        AutoETS(season_length=WEEKLY_SEASON, model="ZZZ", damped=True),
    ]
    fitted = []
    for model in candidates:
        try:
            fitted.append(model.fit(y))
        except ValueError:  # no admissible model of that family for this series (e.g. all zeros)
            continue
    best = min(fitted, key=lambda m: m.model_["aicc"] if np.isfinite(m.model_["aicc"]) else np.inf)
    out = best.predict(h=horizon, level=[level])
    return out["mean"], out[f"lo-{level}"], out[f"hi-{level}"]


def _forecast_yearly(y: np.ndarray, horizon: int, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MSTL with weekly and yearly seasonality; the rest (trend and noise) by a damped-trend AutoETS."""
    from statsforecast.models import MSTL, AutoETS

    model = MSTL(season_length=[WEEKLY_SEASON, YEARLY_SEASON], trend_forecaster=AutoETS(model="ZZN", damped=True))
    out = model.forecast(y=y, h=horizon, level=[level])
    return out["mean"], out[f"lo-{level}"], out[f"hi-{level}"]


def _full_weeks(history: pd.DataFrame) -> pd.DataFrame:
    """Weekly totals of the history's complete Monday-to-Sunday weeks (a partial week would look like a dip)."""
    days = pd.to_datetime(history["date"])
    frame = pd.DataFrame(
        {"week_start": (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.date, "stream": history["stream"]}
    ).assign(items=history["items"].to_numpy(float))
    weeks = frame.groupby(["week_start", "stream"], as_index=False, sort=True).agg(
        items=("items", "sum"), days=("items", "size")
    )
    return weeks[weeks["days"] == 7].drop(columns="days").reset_index(drop=True)


def _method(notes: Mapping[str, tuple[str, bool]], with_factors: bool, level: int, first_monday: date) -> str:
    """The models in words, one phrase per group of streams treated alike."""
    phrases = {
        "weekly": "AutoETS (no or damped trend), weekly seasonality on daily totals; "
        + ("yearly shape from the scenario's monthly factors" if with_factors else "no yearly shape (flat)"),
        "yearly": "MSTL, weekly and yearly seasonality on daily totals (two years of history), damped-trend AutoETS"
        + (" (the scenario's monthly factors are not used)" if with_factors else ""),
    }
    groups: dict[str, list[str]] = {}
    for stream, (kind, cut) in notes.items():
        text = phrases[kind]
        if cut:
            text += f"; history from {first_monday} on not used (the forecast starts with the plan's first week)"
        groups.setdefault(text, []).append(stream)
    if len(groups) == 1:
        body = next(iter(groups))
    else:
        body = "; ".join(f"{', '.join(streams)}: {text}" for text, streams in groups.items())
    return f"{body}; {level} % prediction intervals"


# =============================================================================================== chart
def forecast_chart(forecast: Forecast) -> str:
    """Weekly items per stream: the history, then the forecast with its interval band, as inline SVG.

    One panel per stream (volumes of streams differ by orders of magnitude), same time axis.
    """
    streams = forecast.streams
    fig = Figure(figsize=(9, 2.4 * len(streams) + 0.6), dpi=100)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(len(streams), 1, squeeze=False, sharex=True)[:, 0]
    for i, (ax, stream) in enumerate(zip(axes, streams, strict=True)):
        color = PALETTE[i % len(PALETTE)]
        past = forecast.history_weekly[forecast.history_weekly["stream"] == stream]
        ahead = forecast.weekly[forecast.weekly["stream"] == stream]
        x_past, x_ahead = pd.to_datetime(past["week_start"]), pd.to_datetime(ahead["week_start"])
        ax.plot(x_past, past["items"], color="#5f6b7a", lw=1.2, label="history")
        ax.fill_between(
            x_ahead, ahead["lo"], ahead["hi"], color=color, alpha=0.2, lw=0, label=f"{forecast.level} % interval"
        )
        ax.plot(x_ahead, ahead["items"], color=color, lw=1.6, label="forecast")
        ax.set_title(stream, loc="left", fontsize=9)
        ax.set_ylabel("items per week")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", " ")))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    locator = matplotlib.dates.AutoDateLocator(minticks=4, maxticks=14)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    return to_svg(fig, "Demand history and forecast per week")


def forecast_table(forecast: Forecast) -> pd.DataFrame:
    """The weekly forecast with the history's weeks before it, one table to save beside the year plan."""
    past = forecast.history_weekly.assign(kind="history", lo=np.nan, hi=np.nan)
    ahead = forecast.weekly.assign(kind="forecast")
    columns = ["week_start", "stream", "kind", "items", "lo", "hi"]
    return pd.concat([past[columns], ahead[columns]], ignore_index=True)


__all__ = [
    "Forecast",
    "forecast_chart",
    "forecast_history",
    "forecast_table",
    "parse_history_csv",
    "read_history",
]
