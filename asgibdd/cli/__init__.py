"""The `asgibdd` command line. Sub-commands: `steps` (the step catalogue), `init` (scaffold
a behave project for an app), `check` (find undefined and ambiguous steps), `report
merge` (several runs' reports as one) and `run` (behave over several processes or one
shard of the suite).

Every failure ends with exit status 1 (2 for a wrongly written command line) and one
line on stderr that says what went wrong and what to do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from asgibdd import __version__
from asgibdd.cli import check, init, report, run, steps
from asgibdd.errors import AsgiBddError
from asgibdd.links import DOCS_URL

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage before an error; one line is easier to read in CI.
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="asgibdd",
        description="Behaviour-driven tests for ASGI services.",
        epilog=f"Documentation: {DOCS_URL}",
    )
    parser.add_argument("--version", action="version", version=f"asgibdd {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    steps.add_parser(commands)
    init.add_parser(commands)
    check.add_parser(commands)
    report.add_parser(commands)
    run.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`); return the exit status."""
    arguments = build_parser().parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except AsgiBddError as error:
        print(f"asgibdd {arguments.command}: error: {error}", file=sys.stderr)
        return 1
