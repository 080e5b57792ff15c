"""`asgibdd init` writes the editor glue (`asgibdd.editor_glue`) where editors find it and
behave never loads it: `features/asgibdd_glue.py`."""

from __future__ import annotations

from pathlib import Path

from asgibdd.cli._scaffold import FileAction

__all__ = ["write_editor_glue"]

_NOTE = "asgibdd's phrases for editors: docs/editors.md"


def write_editor_glue(project: Path) -> FileAction:
    """Write the glue, or rewrite one an older asgibdd generated; a file of the same name
    that asgibdd did not generate is left alone."""
    # Imported here, with the whole step library: `asgibdd` starts without it.
    from asgibdd import __version__
    from asgibdd.catalogue import build_catalogue
    from asgibdd.editor_glue import DEFAULT_GLUE_FILE, GLUE_MARKER, render_glue

    target = project / DEFAULT_GLUE_FILE
    text = render_glue(build_catalogue(), __version__)
    existing = target.read_text(encoding="utf-8") if target.is_file() else None
    if existing == text:
        return FileAction("in place", DEFAULT_GLUE_FILE)
    if existing is not None and GLUE_MARKER not in existing[:500]:
        return FileAction(
            "unchanged",
            DEFAULT_GLUE_FILE,
            "not asgibdd's editor glue; write the glue elsewhere: "
            "asgibdd steps --format glue -o FILE",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return FileAction("created" if existing is None else "updated", DEFAULT_GLUE_FILE, _NOTE)
