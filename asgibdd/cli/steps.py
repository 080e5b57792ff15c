"""`asgibdd steps [--format text|markdown|json] [--grep WORD]`: print the step catalogue."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from asgibdd.errors import UsageError

__all__ = ["add_parser", "run"]

FORMATS = ("text", "markdown", "json")


def add_parser(commands: Any) -> None:
    """Register the `steps` sub-command on the `asgibdd` parser's sub-parsers."""
    parser = commands.add_parser(
        "steps",
        help="list every library step with its example",
        description="List every asgibdd step with its description and example.",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--grep", metavar="WORD", help="only steps that mention WORD")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Print the catalogue; exit status 1 when `--grep` finds nothing."""
    # Imported here, with the whole step library: the other commands start without it.
    from asgibdd.catalogue import (
        build_catalogue,
        filter_catalogue,
        render_json,
        render_markdown,
        render_text,
        steps_doc,
    )

    entries = build_catalogue()
    if arguments.grep is not None:
        entries = filter_catalogue(entries, arguments.grep)
        if not entries:
            raise UsageError(
                f'no step mentions "{arguments.grep}". Run `asgibdd steps` to see them all.'
            )
    if arguments.format == "json":
        output = render_json(entries)
    elif arguments.format == "markdown":
        # The whole catalogue in markdown is exactly docs/steps.md.
        output = steps_doc(entries) if arguments.grep is None else render_markdown(entries)
    else:
        output = render_text(entries)
    sys.stdout.write(output)
    return 0
