"""``scheduler init``: write a commented scenario to start from."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import click

from scheduler.commands.common import handle_errors, stderr
from scheduler.errors import InputError


@click.command()
@click.argument("path", type=click.Path(dir_okay=False), default="scenario.yaml")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@handle_errors
def init(path: str, force: bool) -> None:
    """Write a commented scenario (streams, targets, roles, people, hires, a variant) to edit.

    \b
    Example:
      scheduler init my_brand.yaml && scheduler solve my_brand.yaml -o out/my_brand
    """
    from scheduler.scenario import load_scenario

    target = Path(path)
    if target.exists() and not force:
        raise InputError(path, "file", path, "a file that does not exist yet (or pass --force to replace it)")
    text = resources.files("scheduler.scenario").joinpath("template.yaml").read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, target)
    scenario = load_scenario(target)  # the template must always load
    stderr.print(
        f"wrote {target} ({scenario.name}); next: scheduler solve {target} -o out/{scenario.name}", markup=False
    )
