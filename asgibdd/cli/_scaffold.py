"""Writing the project files of `asgibdd init` from the templates, never over a file that
exists unless asked to."""

from __future__ import annotations

import dataclasses
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from asgibdd.cli._example_route import Example

__all__ = ["FileAction", "scaffold_files"]


@dataclass(frozen=True)
class FileAction:
    """What `init` did (or would not do) to one file."""

    verb: str  # created, updated, overwrote, skipped
    path: str
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.verb != "skipped"

    def __str__(self) -> str:
        return f"  {self.verb:<9} {self.path}" + (f"  ({self.note})" if self.note else "")


def _template(name: str, **values: str) -> str:
    text = resources.files("asgibdd.cli").joinpath(f"templates/{name}.tmpl").read_text("utf-8")
    return string.Template(text).substitute(values)


def scaffold_files(
    project: Path, reference: str, example: Example, *, force: bool
) -> list[FileAction]:
    """Write the feature, step and hook files under `project`; return what happened."""
    files = {
        "features/example.feature": _template(
            "example.feature", app=reference, path=example.path, status=example.status
        ),
        "steps/asgibdd_steps.py": _template("asgibdd_steps.py"),
        "environment.py": _template("environment.py"),
    }
    actions = [_write(project, relative, text, force) for relative, text in files.items()]
    if (project / "environment.py").is_file() and not actions[-1].changed:
        own = (project / "environment.py").read_text(encoding="utf-8")
        if "asgibdd" not in own:
            actions[-1] = dataclasses.replace(
                actions[-1],
                note="exists and does not call asgibdd: call asgibdd.environment's "
                "before_all/before_feature/before_scenario/after_scenario from its hooks",
            )
    return actions


def _write(project: Path, relative: str, text: str, force: bool) -> FileAction:
    target = project / relative
    if target.exists() and not force:
        return FileAction("skipped", relative, "exists; --force overwrites it")
    verb = "overwrote" if target.exists() else "created"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return FileAction(verb, relative)
