"""`asgibdd init [DIR] [--app module:app] [--force]`: scaffold a behave project for an app.

It writes `features/example.feature` (one scenario that passes at once), the one-line step
file `steps/asgibdd_steps.py`, a root `environment.py` calling asgibdd's hook helpers, and
`[tool.asgibdd] app = ...` in `pyproject.toml` (merged into an existing file line by line,
leaving everything else as it was). Existing files are never overwritten without `--force`.

The work is split by concept: `_app_discovery` finds the app, `_example_route` picks the
example's request, `_scaffold` writes the files and `_pyproject` edits `pyproject.toml`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from asgibdd.cli._app_discovery import AppCandidate, find_app_candidates, resolve_app
from asgibdd.cli._example_route import Example, choose_example
from asgibdd.cli._pyproject import merge_pyproject, write_pyproject
from asgibdd.cli._scaffold import FileAction, scaffold_files
from asgibdd.config import load_app
from asgibdd.errors import ConfigError

__all__ = [
    "AppCandidate",
    "Example",
    "FileAction",
    "add_parser",
    "choose_example",
    "find_app_candidates",
    "merge_pyproject",
    "run",
    "scaffold",
]

NEXT_COMMAND = "behave features/"


def add_parser(commands: Any) -> None:
    """Register the `init` sub-command on the `asgibdd` parser's sub-parsers."""
    parser = commands.add_parser(
        "init",
        help="scaffold features/, steps/, environment.py and [tool.asgibdd] for your app",
        description=(
            "Scaffold a behave project for an ASGI app: an example feature that passes at "
            "once, the step file, environment.py and [tool.asgibdd] in pyproject.toml. "
            "Existing files are kept unless --force is given."
        ),
    )
    parser.add_argument("dir", nargs="?", default=".", help="project folder (default: .)")
    parser.add_argument("--app", metavar="MODULE:APP", help='the app, e.g. "shop.main:app"')
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Scaffold the project and print each file's fate and the next command."""
    project = Path(arguments.dir)
    if not project.is_dir():
        raise ConfigError(f'"{arguments.dir}" is not a folder. Create it first, or pass a folder.')
    reference, source, found_where = resolve_app(project.resolve(), arguments.app)
    app = load_app(reference, source=source, project_dir=project.resolve())
    example = choose_example(app)
    actions = scaffold(project, reference, example, force=arguments.force)
    print(f'asgibdd init: app "{reference}" ({found_where})')
    print(f"  example: GET {example.path} expects status {example.status} ({example.reason})")
    for action in actions:
        print(action)
    if not any(action.changed for action in actions):
        print("Nothing changed: every file is already there (--force overwrites them).")
    print(f"Next: {NEXT_COMMAND}")
    return 0


def scaffold(project: Path, reference: str, example: Example, *, force: bool) -> list[FileAction]:
    """Write the project files under `project`; return what happened to each."""
    actions = scaffold_files(project, reference, example, force=force)
    actions.append(write_pyproject(project / "pyproject.toml", reference, force))
    return actions
