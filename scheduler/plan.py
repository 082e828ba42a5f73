"""The answer to a scenario: solver statistics and the plan's tables, saved and loaded as files.

This module knows nothing of the model: the checker and the simulator read plans through it, including
plans a user edited by hand in a spreadsheet.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.errors import InputError

STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID")
FEASIBLE_STATUSES = ("OPTIMAL", "FEASIBLE")
# The solve strategies (SolveParams.stages, the CLI's --engine): here so the CLI lists them without loading
# the solvers. auto: direct for small problems, staged otherwise; colgen: column generation (scheduler.engine).
STAGES = ("auto", "staged", "direct", "colgen")
PLAN_FORMAT = 1

ROSTER_COLUMNS = (
    "person",
    "role",
    "hired",
    "date",
    "start",
    "end",
    "paid_hours",
    "night_hours",
    "sunday",
    "holiday",
    "break_start",
    "break_minutes",
)
AGENCY_COLUMNS = ("agency", "start", "end", "moderators", "hours", "cost")
COST_COLUMNS = ("role", "who", "component", "quantity", "unit", "unit_price", "amount")
WISH_COLUMNS = ("person", "date", "kind", "shift", "weight", "granted")
FAIRNESS_COLUMNS = ("role", "measure", "min", "max", "spread", "limit", "price")
COVERAGE_KEYS = ("slot", "start", "band", "stream", "items", "need")
SERVICE_COLUMNS = ("stream", "band", "model", "target_share", "target_minutes", "expected_share", "meets")


@dataclass(frozen=True)
class StageReport:
    """One solver run inside a solve (the crew-level bound, the assignment, the improvement)."""

    name: str
    status: str
    objective: float | None
    bound: float | None
    wall_time: float
    variables: int
    constraints: int


@dataclass(frozen=True)
class SolverStats:
    """Status, objective, best bound, gap and times: never a sentinel number."""

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time: float
    time_to_first: float | None
    time_to_best: float | None
    time_limit: float
    workers: int
    seed: int
    stages: tuple[StageReport, ...] = ()
    message: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        feasible = self.status in FEASIBLE_STATUSES
        if feasible != (self.objective is not None):
            raise ValueError("a plan has an objective exactly when its status is OPTIMAL or FEASIBLE")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["stages"] = [asdict(s) for s in self.stages]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolverStats:
        data = dict(data)
        data["stages"] = tuple(StageReport(**s) for s in data.get("stages", ()))
        return cls(**data)


@dataclass(frozen=True)
class Plan:
    """A staffing plan with its tables as DataFrames. ``is_feasible()`` before reading costs."""

    scenario: str
    scenario_hash: str
    variant: str | None
    stats: SolverStats
    hires: dict[str, int] = field(default_factory=dict)
    roster: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROSTER_COLUMNS))
    agency: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AGENCY_COLUMNS))
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COVERAGE_KEYS))
    costs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COST_COLUMNS))
    service: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SERVICE_COLUMNS))
    shortfall: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=("slot", "start", "what", "missing")))
    explanation: tuple[str, ...] = ()
    currency: str = "EUR"
    wishes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WISH_COLUMNS))
    fairness: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FAIRNESS_COLUMNS))

    def is_feasible(self) -> bool:
        return self.stats.status in FEASIBLE_STATUSES

    @property
    def status(self) -> str:
        return self.stats.status

    @property
    def total_cost(self) -> float | None:
        """Total cost over the horizon (None when there is no plan)."""
        return round(float(self.costs["amount"].sum()), 2) if self.is_feasible() else None

    def cost_by_component(self) -> pd.DataFrame:
        if self.costs.empty:
            return pd.DataFrame(columns=["role", "component", "amount"])
        return self.costs.groupby(["role", "component"], as_index=False, sort=False)["amount"].sum()

    def hours_by_role(self) -> dict[str, float]:
        hours: dict[str, float] = {}
        if not self.roster.empty:
            hours.update(self.roster.groupby("role")["paid_hours"].sum().round(2).to_dict())
        if not self.agency.empty:
            hours.update(self.agency.groupby("agency")["hours"].sum().round(2).to_dict())
        return {k: float(v) for k, v in hours.items()}

    def summary(self) -> dict[str, Any]:
        """Key figures for tables and JSON."""
        stats = self.stats
        return {
            "scenario": self.scenario,
            "variant": self.variant,
            "status": stats.status,
            "total_cost": self.total_cost,
            "objective": stats.objective,
            "best_bound": stats.best_bound,
            "gap": stats.gap,
            "wall_time": round(stats.wall_time, 3),
            "hires": dict(self.hires),
            "hours": self.hours_by_role(),
            "currency": self.currency,
            "message": stats.message,
            "wishes": self.wish_summary(),
        }

    def wish_summary(self) -> dict[str, Any]:
        """Wishes granted out of asked, and the euros of those not granted."""
        if self.wishes.empty:
            return {}
        granted = self.wishes["granted"].astype(str).str.lower().isin(("true", "1"))
        return {
            "asked": len(self.wishes),
            "granted": int(granted.sum()),
            "not_granted_weight": round(float(self.wishes.loc[~granted, "weight"].sum()), 2),
        }

    # ---------------------------------------------------------------------------------- files
    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "variant": self.variant,
            "currency": self.currency,
            "solver": self.stats.to_dict(),
            "summary": self.summary(),
            "hires": self.hires,
            "explanation": list(self.explanation),
            "costs_by_component": _records(self.cost_by_component()),
            "roster": _records(self.roster),
            "agency": _records(self.agency),
            "costs": _records(self.costs),
            "service": _records(self.service),
            "shortfall": _records(self.shortfall),
            "wishes": _records(self.wishes),
            "fairness": _records(self.fairness),
            "coverage": _records(self.coverage),
        }

    def save(self, folder: str | Path, *, force: bool = False, parquet: bool = False, excel: bool = False) -> Path:
        """Write the tables and plan.json into ``folder`` atomically: a temporary sibling folder is
        filled, then renamed, so a crash or Ctrl-C never leaves a half-written plan."""
        return write_folder(folder, lambda tmp: self._write(tmp, parquet=parquet, excel=excel), force=force)

    def _write(self, folder: Path, *, parquet: bool, excel: bool) -> None:
        tables = self.tables()
        for name, table in tables.items():
            table.to_csv(folder / f"{name}.csv", index=False)
            if parquet:
                table.to_parquet(folder / f"{name}.parquet", index=False)
        if excel:
            with pd.ExcelWriter(folder / "plan.xlsx", engine="openpyxl") as writer:
                pd.DataFrame([_flat_summary(self.summary())]).to_excel(writer, sheet_name="summary", index=False)
                for name, table in tables.items():
                    table.to_excel(writer, sheet_name=name[:31], index=False)
        (folder / "plan.json").write_text(json.dumps(self.to_json(), indent=1, default=_json_default) + "\n")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "roster": self.roster,
            "agency": self.agency,
            "coverage": self.coverage,
            "costs": self.costs,
            "service": self.service,
            "shortfall": self.shortfall,
            "wishes": self.wishes,
            "fairness": self.fairness,
        }


def write_folder(folder: str | Path, fill, *, force: bool = False) -> Path:
    """Create ``folder`` by filling a temporary sibling and renaming it (refuses to replace an existing
    folder unless ``force``)."""
    folder = Path(folder)
    if folder.exists() and not force:
        raise InputError(
            "--output", "folder", str(folder), "a folder that does not exist yet (or pass --force to replace it)"
        )
    if folder.exists() and not folder.is_dir():
        raise InputError("--output", "folder", str(folder), "a folder path, not a file")
    parent = folder.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise InputError("--output", "folder", str(folder), f"a folder that can be created ({exc.strerror})") from None
    try:
        fill(tmp)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
            os.replace(folder, old / "previous")
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso")) if not frame.empty else []


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _flat_summary(summary: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            for k, v in value.items():
                out[f"{key}: {k}"] = v
        else:
            out[key] = value
    return out


def load_plan(folder: str | Path) -> Plan:
    """Read a plan folder: statistics from plan.json, tables from the CSV files (which a user may have
    edited; the checker recomputes everything from them)."""
    folder = Path(folder)
    meta_path = folder / "plan.json"
    if not folder.is_dir():
        raise InputError(str(folder), "plan folder", str(folder), "a folder written by 'scheduler solve'")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(meta_path), "file", "(missing)", "plan.json written by 'scheduler solve'") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(meta_path), "file", str(exc)[:60], "valid JSON written by 'scheduler solve'") from None
    if not isinstance(meta, dict) or "solver" not in meta:
        raise InputError(str(meta_path), "solver", None, "plan.json with a 'solver' section")
    try:
        stats = SolverStats.from_dict(meta["solver"])
    except (TypeError, ValueError) as exc:
        raise InputError(
            str(meta_path), "solver", str(exc)[:60], "the solver section written by 'scheduler solve'"
        ) from None
    tables = {}
    for name, columns in (
        ("roster", ROSTER_COLUMNS),
        ("agency", AGENCY_COLUMNS),
        ("costs", COST_COLUMNS),
        ("coverage", COVERAGE_KEYS),
        ("service", SERVICE_COLUMNS),
    ):
        tables[name] = _read_table(folder / f"{name}.csv", columns)
    shortfall_path = folder / "shortfall.csv"
    shortfall = _read_table(shortfall_path, ()) if shortfall_path.exists() else pd.DataFrame()
    for name, columns in (("wishes", WISH_COLUMNS), ("fairness", FAIRNESS_COLUMNS)):
        path = folder / f"{name}.csv"  # absent from plans written before roster rules
        tables[name] = _read_table(path, columns) if path.exists() else pd.DataFrame(columns=columns)
    return Plan(
        scenario=meta.get("scenario", ""),
        scenario_hash=meta.get("scenario_hash", ""),
        variant=meta.get("variant"),
        stats=stats,
        hires={str(k): int(v) for k, v in (meta.get("hires") or {}).items()},
        shortfall=shortfall,
        explanation=tuple(meta.get("explanation") or ()),
        currency=meta.get("currency", "EUR"),
        **tables,
    )


def _read_table(path: Path, columns) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, keep_default_na=True)
    except FileNotFoundError:
        raise InputError(str(path), "file", "(missing)", "the table written by 'scheduler solve'") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=columns)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "file", str(exc)[:60], "a readable CSV table") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            str(path),
            "columns",
            list(frame.columns),
            f"the columns {', '.join(columns)} (missing {', '.join(missing)})",
        )
    return frame
