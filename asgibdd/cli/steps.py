"""`asgibdd steps [--format text|markdown|json|glue] [--grep WORD] [-o FILE]`: print the step
catalogue, or write it to FILE; `glue` is the Python file editors index (docs/editors.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError

__all__ = ["add_parser", "run", "write_generated"]

FORMATS = ("text", "markdown", "json", "glue")


def add_parser(commands: Any) -> None:
    """Register the `steps` sub-command on the `asgibdd` parser's sub-parsers."""
    parser = commands.add_parser(
        "steps",
        help="list every library step with its example",
        description="List every asgibdd step with its description and example.",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--grep", metavar="WORD", help="only steps that mention WORD")
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of printing"
    )
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
    elif arguments.format == "glue":
        from asgibdd import __version__
        from asgibdd.editor_glue import render_glue

        output = render_glue(entries, __version__)
    elif arguments.format == "markdown":
        # The whole catalogue in markdown is exactly docs/steps.md.
        output = steps_doc(entries) if arguments.grep is None else render_markdown(entries)
    else:
        output = render_text(entries)
    if arguments.output is None:
        sys.stdout.write(output)
        return 0
    write_generated(arguments.output, output)
    print(f"Wrote {arguments.output} ({len(entries)} steps, --format {arguments.format}).")
    return 0


def write_generated(path: Path, text: str) -> None:
    """Write `text` to `path`, its folder made; `UsageError` saying why it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except (FileExistsError, NotADirectoryError):
        raise UsageError(
            f"cannot write {path}: a folder on its way is a file; give -o a file in a folder."
        ) from None
    except OSError as error:
        raise UsageError(
            f"cannot write {path} ({error.strerror}); give -o a file in a folder you can write to."
        ) from None
