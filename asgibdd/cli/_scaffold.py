"""Writing the project files of `asgibdd init` where behave will look for them.

behave looks for `steps/` and `environment.py` from the features folder upwards: an
existing `features/steps/` or `features/environment.py` makes `features/` the base
folder, otherwise the project folder is (the card's layout). Files are never written
over unless asked to; a team's own `environment.py` is merged into, not replaced, and a
step file that already loads asgibdd's steps is enough.
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from asgibdd.cli._example_route import Example
from asgibdd.cli._hooks import manual_steps, merge_hooks
from asgibdd.errors import ConfigError

__all__ = [
    "EXAMPLE_FEATURE",
    "FileAction",
    "Layout",
    "behave_layout",
    "refuse_unmergeable_hooks",
    "scaffold_files",
]

EXAMPLE_FEATURE = "features/example.feature"
STEP_FILE = "asgibdd_steps.py"
_CHANGED = frozenset({"created", "updated", "overwrote"})


@dataclass(frozen=True)
class FileAction:
    """What `init` did to one file: created, updated, overwrote, "in place" (already set
    up, left alone) or unchanged (left alone although asgibdd is not set up there)."""

    verb: str
    path: str
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.verb in _CHANGED

    def __str__(self) -> str:
        return f"  {self.verb:<9} {self.path}" + (f"  ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Layout:
    """The project folder and behave's base folder in it (where steps/ and hooks go)."""

    project: Path
    base: Path

    def shown(self, path: Path) -> str:
        return path.relative_to(self.project).as_posix()


def behave_layout(project: Path) -> Layout:
    """Where behave, run as `behave features/`, will look for `steps/` and `environment.py`."""
    features = project / "features"
    if (features / "steps").is_dir() or (features / "environment.py").is_file():
        return Layout(project, features)
    return Layout(project, project)


def _template(name: str, **values: str) -> str:
    text = resources.files("asgibdd.cli").joinpath(f"templates/{name}.tmpl").read_text("utf-8")
    return string.Template(text).substitute(values)


def refuse_unmergeable_hooks(layout: Layout) -> None:
    """`ConfigError` saying what to add by hand, before anything is written, when the
    project's `environment.py` cannot be merged safely."""
    target = layout.base / "environment.py"
    if not target.is_file():
        return
    problem = merge_hooks(target.read_text(encoding="utf-8")).problem
    if problem is not None:
        shown = layout.shown(target)
        raise ConfigError(
            "\n".join(
                [
                    f"{shown} cannot be changed safely ({problem}), so init changed nothing.",
                    *manual_steps(shown),
                    "Then run asgibdd init again.",
                ]
            )
        )


def scaffold_files(
    layout: Layout, reference: str, example: Example | None, *, force: bool
) -> list[FileAction]:
    """Write the example feature, the step file and the hooks; return what happened to
    each. Call `refuse_unmergeable_hooks` first."""
    return [
        _write_example(layout, reference, example, force),
        _write_step_file(layout, force),
        _write_hooks(layout),
    ]


def _write_example(
    layout: Layout, reference: str, example: Example | None, force: bool
) -> FileAction:
    if example is None:
        return FileAction("in place", EXAMPLE_FEATURE)
    if example.path is None:
        tried = f"got {example.tried_text()}" if example.tried else "no route to try"
        text = _template("example_unconfirmed.feature", app=reference, tried=tried)
    else:
        text = _template("example.feature", app=reference, path=example.path, status="2xx")
    return _write(layout, layout.project / EXAMPLE_FEATURE, text, force)


def _write_step_file(layout: Layout, force: bool) -> FileAction:
    steps = layout.base / "steps"
    target = steps / STEP_FILE
    loader = _step_file_loading_asgibdd(steps)
    if loader is not None and (loader != target or not force):
        note = "" if loader == target else "loads asgibdd's steps"
        return FileAction("in place", layout.shown(loader), note)
    if target.exists() and not force:
        return FileAction(
            "unchanged",
            layout.shown(target),
            "exists without asgibdd's steps: add `from asgibdd.steps import *  # noqa: F403` "
            "to a step file, or run init with --force",
        )
    return _write(layout, target, _template(STEP_FILE), force=True)


def _step_file_loading_asgibdd(steps: Path) -> Path | None:
    """The first step file in `steps` that imports `asgibdd.steps`, if any."""
    if not steps.is_dir():
        return None
    for file in sorted(steps.glob("*.py")):
        try:
            tree = ast.parse(file.read_bytes(), filename=str(file))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("asgibdd.steps"):
                return file
            if isinstance(node, ast.Import) and any(
                a.name.startswith("asgibdd.steps") for a in node.names
            ):
                return file
    return None


def _write_hooks(layout: Layout) -> FileAction:
    target = layout.base / "environment.py"
    shown = layout.shown(target)
    if not target.exists():
        return _write(layout, target, _template("environment.py"), force=False)
    merge = merge_hooks(target.read_text(encoding="utf-8"))
    if merge.problem is not None:  # refuse_unmergeable_hooks was not called
        raise ConfigError(f"{shown} cannot be changed safely: {merge.problem}")
    if merge.text is None:
        return FileAction("in place", shown)
    target.write_text(merge.text, encoding="utf-8")
    return FileAction("updated", shown, f"added asgibdd's calls to {', '.join(merge.added)}")


def _write(layout: Layout, target: Path, text: str, force: bool) -> FileAction:
    if target.exists() and not force:
        return FileAction("in place", layout.shown(target))
    verb = "overwrote" if target.exists() else "created"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return FileAction(verb, layout.shown(target))


#: What runs write into the project: reports and the API coverage file (`reports/`), and
#: `asgibdd run`'s durations (`.asgibdd/`).
RUN_OUTPUTS = ("reports/", ".asgibdd/")


def write_gitignore(project: Path) -> FileAction:
    """Add what runs write to the project's `.gitignore` (created if there is none)."""
    target = project / ".gitignore"
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    # "reports", "/reports" and "/reports/" ignore the folder as well as "reports/" does.
    present = {line.strip().strip("/") for line in existing.splitlines()}
    missing = [entry for entry in RUN_OUTPUTS if entry.strip("/") not in present]
    if not missing:
        return FileAction("in place", ".gitignore")
    separator = "\n" if existing and not existing.endswith("\n") else ""
    lines = "".join(f"{entry}\n" for entry in missing)
    target.write_text(f"{existing}{separator}# written by asgibdd runs\n{lines}", encoding="utf-8")
    verb = "updated" if existing else "created"
    return FileAction(verb, ".gitignore", f"ignores {' and '.join(missing)}: what runs write")
