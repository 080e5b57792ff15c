"""`asgibdd init [DIR] [--app module:app] [--force]`: scaffold a behave project for an app.

It writes `features/example.feature` (one scenario with a GET the app was seen to answer
with 2xx), the one-line step file `steps/asgibdd_steps.py`, behave hooks in
`environment.py` calling asgibdd's helpers, and `[tool.asgibdd] app = ...` in
`pyproject.toml`, and the editor glue `features/asgibdd_glue.py` (asgibdd's phrases for
editors, never run). Files go where behave looks for them: an existing behave project's
`features/steps/` and `features/environment.py` are written into, and the team's own
hooks are kept. Existing files are never overwritten without `--force` (which rewrites the
example and step file and the app line, never `environment.py`), and running `init` again
changes nothing.

The work is split by concept: `_app_discovery` finds the app, `_example_route` picks and
confirms the example's request, `_scaffold` (with `_hooks`) writes the files and
`_pyproject` edits `pyproject.toml`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from asgibdd.app_loader import load_app
from asgibdd.cli._app_discovery import AppCandidate, find_app_candidates, resolve_app
from asgibdd.cli._behave_formatters import write_report_formatters
from asgibdd.cli._example_route import Example, candidate_paths, confirm_example
from asgibdd.cli._glue import write_editor_glue
from asgibdd.cli._pyproject import merge_pyproject, write_pyproject
from asgibdd.cli._scaffold import (
    EXAMPLE_FEATURE,
    FileAction,
    behave_layout,
    refuse_unmergeable_hooks,
    scaffold_files,
    write_gitignore,
)
from asgibdd.config import load_config
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
]

NEXT_COMMAND = "behave features/"


def add_parser(commands: Any) -> None:
    """Register the `init` sub-command on the `asgibdd` parser's sub-parsers."""
    parser = commands.add_parser(
        "init",
        help="scaffold features/, steps/, environment.py and [tool.asgibdd] for your app",
        description=(
            "Scaffold a behave project for an ASGI app: an example feature that passes at "
            "once, the step file, environment.py hooks and [tool.asgibdd] in "
            "pyproject.toml, where behave looks for them. Existing files are kept (an "
            "existing environment.py gets asgibdd's calls added) unless --force is given."
        ),
    )
    parser.add_argument("dir", nargs="?", default=".", help="project folder (default: .)")
    parser.add_argument("--app", metavar="MODULE:APP", help='the app, e.g. "shop.main:app"')
    parser.add_argument(
        "--force", action="store_true", help="rewrite the example, the step file and the app line"
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Scaffold the project and print each file's fate and the next command."""
    project = Path(arguments.dir)
    if not project.is_dir():
        raise ConfigError(f'"{arguments.dir}" is not a folder. Create it first, or pass a folder.')
    project = project.resolve()
    layout = behave_layout(project)
    refuse_unmergeable_hooks(layout)
    reference, source, found_where = resolve_app(project, arguments.app)
    app = load_app(reference, source=source, project_dir=project)
    example = None
    if arguments.force or not (project / EXAMPLE_FEATURE).exists():
        example = choose_example(app, project, reference)
    force = arguments.force
    actions = scaffold_files(layout, reference, example, force=force)
    actions.append(write_pyproject(project / "pyproject.toml", reference, force))
    actions.append(write_report_formatters(project))
    actions.append(write_gitignore(project))
    actions.append(write_editor_glue(project))
    print(f'asgibdd init: app "{reference}" ({found_where})')
    if example is not None:
        print(f"  example: {_describe(example)}")
    for action in actions:
        print(action)
    if all(action.verb == "in place" for action in actions):
        print("Everything is already in place: nothing changed.")
    elif not any(action.changed for action in actions):
        print("Nothing changed.")
    print(f"Next: {NEXT_COMMAND}")
    return 0


def choose_example(app: Any, project: Path, reference: str) -> Example:
    """The first of the app's candidate GETs that answers 2xx in-process, with the client
    configured as the behave run will configure it."""
    from asgibdd.django import is_django_project, start_django_test_run
    from asgibdd.environment import new_client  # imports behave: only when needed

    config = load_config({"asgibdd.app": reference}, cwd=project)
    # A Django project answers as in the run: test host allowed, test databases, never
    # the developer's own database.
    django = None
    if config.django and is_django_project(app):
        django = start_django_test_run(config.base_url)
    try:
        return confirm_example(new_client(app, config), candidate_paths(app))
    finally:
        if django is not None:
            django.stop()


def _describe(example: Example) -> str:
    if example.path is None:
        tried = f" (got {example.tried_text()})" if example.tried else ""
        return (
            f"no GET answered 2xx in-process{tried}; {EXAMPLE_FEATURE} holds a "
            "commented-out scenario to finish"
        )
    before = f" (before it: {example.tried_text()})" if example.tried else ""
    return f"GET {example.path} answered {example.answered} in-process{before}"
