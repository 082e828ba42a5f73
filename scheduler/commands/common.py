"""What every CLI command shares: options, output consoles, JSON output and the bad-input handling.

Exit codes: 0 success, 1 infeasible / no plan / violations found, 2 bad input. Progress goes to stderr,
never into JSON output. Command modules import this, never ``scheduler.cli`` (which only assembles them).
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Any

import click
from rich.console import Console

from scheduler.errors import InputError, SchedulerError
from scheduler.plan import STAGES

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

stdout = Console(soft_wrap=False, width=140)
stderr = Console(stderr=True, soft_wrap=False, width=140)

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output for people or machines.",
)
VARIANT = click.option("--variant", default=None, help="Solve a named variant of the scenario (see its 'variants').")
DISCIPLINE = click.option(
    "--discipline",
    type=click.Choice(["oldest", "priority"]),  # scheduler.simulate.DISCIPLINES (not imported at start-up)
    default="oldest",
    show_default=True,
    help="Which waiting item a free agent takes in the simulation: the oldest, or the oldest of the most "
    "urgent class (Erlang streams, then backlog streams, then workload tasks; slower).",
)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=1, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def handle_errors(func):
    """Bad input becomes one message and exit 2 (JSON on stdout with --format json); never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        fmt = kwargs.get("fmt", "table")
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if fmt == "json":
                emit_json(exc.to_dict())
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except SchedulerError as exc:
            if fmt == "json":
                emit_json({"error": str(exc)})
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def load(path: str, variant: str | None):
    """The scenario file (every variant validated) or one of its variants."""
    from scheduler.scenario import load_scenario

    return load_scenario(path, variant=variant)


ENGINE = click.option(
    "--engine",
    type=click.Choice(STAGES),
    default="auto",
    show_default=True,
    help="auto: CP-SAT on the person model when small, the staged crew-then-people search otherwise (then, "
    "up to 14 000 shift variables, a search in neighbourhoods of people and days); "
    "colgen: column generation over per-person schedules (HiGHS master, labeling pricing); staged; direct.",
)
