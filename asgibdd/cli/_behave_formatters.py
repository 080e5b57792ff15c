"""Naming asgibdd's report formatters in behave's configuration, so `-f html` works.

behave reads its configuration files in a fixed order, and a later file's formatter table
replaces an earlier one's, even when the later file has none (any `setup.cfg` or
`tox.ini` does that to `pyproject.toml`'s). So the aliases go into the last of those files
the project has: `[tool.behave.formatters]` in pyproject.toml, `[behave.formatters]` in
the others.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from asgibdd.cli._scaffold import FileAction
from asgibdd.project import parse_pyproject
from asgibdd.report import FORMATTERS

__all__ = ["BEHAVE_CONFIG_FILES", "write_report_formatters"]

BEHAVE_CONFIG_FILES = ("pyproject.toml", "tox.ini", "setup.cfg", ".behaverc", "behave.ini")
"""behave's configuration files in the order it reads them: the last one found wins."""


def write_report_formatters(project: Path) -> FileAction:
    """Add the aliases of `FORMATTERS` to the behave configuration file that decides."""
    found = [name for name in BEHAVE_CONFIG_FILES if (project / name).is_file()]
    name = found[-1] if found else "pyproject.toml"
    path = project / name
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    toml = name == "pyproject.toml"
    table = "[tool.behave.formatters]" if toml else "[behave.formatters]"
    existing = _existing_aliases(text, path, toml)
    if existing is not None:
        missing = [alias for alias in FORMATTERS if existing.get(alias) != FORMATTERS[alias]]
        if not missing:
            return FileAction("in place", name, f"{table} names asgibdd's report formatters")
        lines = ", ".join(f"{alias} = {FORMATTERS[alias]}" for alias in missing)
        return FileAction("unchanged", name, f"{table} exists; add by hand: {lines}")
    quote = '"' if toml else ""
    body = "".join(f"{alias} = {quote}{target}{quote}\n" for alias, target in FORMATTERS.items())
    gap = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    path.write_text(f"{text}{gap}{table}\n{body}", encoding="utf-8")
    verb = "updated" if text else "created"
    aliases = " / ".join(f"-f {alias}" for alias in FORMATTERS)
    return FileAction(verb, name, f"added {table}: {aliases}")


def _existing_aliases(text: str, path: Path, toml: bool) -> dict[str, str] | None:
    """The formatter table's aliases, or None when the file has no such table."""
    if toml:
        behave = parse_pyproject(text, path).get("tool", {}).get("behave", {})
        table = behave.get("formatters") if isinstance(behave, dict) else None
        return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else None
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # behave keeps case
    parser.read_string(text, str(path))
    if not parser.has_section("behave.formatters"):
        return None
    return dict(parser.items("behave.formatters"))
