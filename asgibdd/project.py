"""The project on disk: its `pyproject.toml`, read in one place.

`asgibdd.config` (settings for behave) and `asgibdd init` (which edits the file) both read
`pyproject.toml` through here, so a file that is not valid TOML is reported the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from asgibdd.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["find_pyproject", "parse_pyproject", "read_pyproject", "tool_table"]


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` in `start` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def parse_pyproject(text: str, where: Path) -> dict[str, Any]:
    """The TOML document `text` (read from `where`); `ConfigError` if it is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where} is not valid TOML: {error}. Fix the file first.") from error


def read_pyproject(pyproject: Path) -> dict[str, Any]:
    """The whole of the `pyproject.toml` file at `pyproject`."""
    return parse_pyproject(pyproject.read_text(encoding="utf-8"), pyproject)


def tool_table(pyproject: Path) -> dict[str, Any] | None:
    """`[tool.asgibdd]` of `pyproject`, or None when it has none."""
    tool = read_pyproject(pyproject).get("tool", {})
    table = tool.get("asgibdd") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.asgibdd] in {pyproject} must be a table, got {table!r}.")
    return table
