"""Writing `[tool.asgibdd] app = ...` into `pyproject.toml`, line by line.

Every other line of the file is kept as it was; a merge that would change anything but the
app setting is refused. Reading the file is `asgibdd.project`'s job.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from asgibdd.cli._scaffold import FileAction
from asgibdd.errors import ConfigError
from asgibdd.project import parse_pyproject

__all__ = ["merge_pyproject", "write_pyproject"]

_TOOL_HEADER = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*asgibdd[ \t]*\][ \t]*(#.*)?$", re.M)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.M)
_APP_LINE = re.compile(r"^[ \t]*app[ \t]*=.*$", re.M)


def write_pyproject(pyproject: Path, reference: str, force: bool) -> FileAction:
    """Create or update `pyproject` so that `[tool.asgibdd] app` names `reference`."""
    if not pyproject.exists():
        pyproject.write_text(merge_pyproject("", reference, force=force)[0], encoding="utf-8")
        return FileAction("created", pyproject.name, f'[tool.asgibdd] app = "{reference}"')
    text = pyproject.read_text(encoding="utf-8")
    merged, note = merge_pyproject(text, reference, force=force, where=pyproject)
    if merged == text:
        verb = "in place" if note.startswith("[tool.asgibdd] already has") else "unchanged"
        return FileAction(verb, pyproject.name, note)
    pyproject.write_text(merged, encoding="utf-8")
    return FileAction("updated", pyproject.name, note)


def merge_pyproject(
    text: str, reference: str, *, force: bool, where: Path = Path("pyproject.toml")
) -> tuple[str, str]:
    """`text` with `[tool.asgibdd] app = reference`, every other line kept as it was.

    Returns the new text (unchanged when nothing is to be done) and a note saying why.
    """
    data = parse_pyproject(text, where)
    tool = data.get("tool", {})
    existing = tool.get("asgibdd") if isinstance(tool, dict) else None
    app_line = f"app = {json.dumps(reference)}"
    header = _TOOL_HEADER.search(text)
    if existing is None:
        gap = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        merged = f"{text}{gap}[tool.asgibdd]\n{app_line}\n"
        note = f"added [tool.asgibdd] {app_line}"
    elif isinstance(existing, dict) and existing.get("app") == reference:
        return text, f"[tool.asgibdd] already has {app_line}"
    elif isinstance(existing, dict) and "app" in existing and not force:
        return text, f'[tool.asgibdd] names the app "{existing["app"]}"; --force replaces it'
    elif header is None:
        return text, "[tool.asgibdd] is written in a form init does not edit; set app by hand"
    else:
        body_start = header.end()
        following = _TABLE_HEADER.search(text, body_start + 1)
        body_end = following.start() if following else len(text)
        old = _APP_LINE.search(text, body_start, body_end) if "app" in existing else None
        if "app" in existing and old is None:
            return text, "[tool.asgibdd] app is written in a form init does not edit; edit it"
        if old is not None:
            merged = text[: old.start()] + app_line + text[old.end() :]
            note = f"replaced [tool.asgibdd] {old.group().strip()} by {app_line}"
        else:
            merged = f"{text[:body_start]}\n{app_line}{text[body_start:]}"
            note = f"added {app_line} to [tool.asgibdd]"
    _check_merge(data, parse_pyproject(merged, where), reference, where)
    return merged, note


def _check_merge(
    before: dict[str, Any], after: dict[str, Any], reference: str, where: Path
) -> None:
    """Refuse a merge that changed anything but `[tool.asgibdd] app`."""
    expected = json.loads(json.dumps(before, default=str))
    expected.setdefault("tool", {}).setdefault("asgibdd", {})["app"] = reference
    if json.loads(json.dumps(after, default=str)) != expected:
        raise ConfigError(
            f"Adding [tool.asgibdd] to {where} would change more than the app setting; "
            f'add these two lines by hand:\n[tool.asgibdd]\napp = "{reference}"'
        )
