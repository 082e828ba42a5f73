"""The ``scheduler`` command line: a table for people, ``--format json`` for machines.

This module only assembles the command group; the commands live in ``scheduler.commands`` and share
``scheduler.commands.common`` (options, output, error handling). Exit codes: 0 success, 1 infeasible /
no plan / violations found, 2 bad input.
"""

from __future__ import annotations

import click

from scheduler.commands import batch, bench, check, init, simulate, solve, year


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="scheduler")
def main() -> None:
    """The coverage scheduler: the cheapest legal 24/7 staffing plan for social-media teams.

    \b
    Examples:
      scheduler requirements scenarios/tourism.yaml
      scheduler solve scenarios/tourism.yaml -o out/tourism
      scheduler check scenarios/tourism.yaml out/tourism
      scheduler compare scenarios/small_company.yaml -o out/compare
    """


# Each command module defines its commands; the group lists them (click shows them sorted by name).
for command in (
    solve.requirements,
    solve.solve,
    check.check,
    simulate.simulate,
    batch.compare,
    batch.sweep,
    bench.bench,
    init.init,
    year.year,
):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()
