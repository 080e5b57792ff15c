"""The project on disk: its `pyproject.toml` (read in one place) and its import roots.

`asgibdd.config` (settings for behave) and `asgibdd init` (which edits the file) both read
`pyproject.toml` through here, so a file that is not valid TOML is reported the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asgibdd.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "add_to_python_path",
    "find_pyproject",
    "import_roots",
    "parse_pyproject",
    "read_pyproject",
    "tool_table",
]


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


def import_roots(project_dir: Path) -> list[Path]:
    """The folders the project's own modules are imported from, first one first.

    The project folder itself; its `src/` folder when there is one; and the folders that
    `pyproject.toml` names as package roots (setuptools' `package-dir` and
    `packages.find.where`, hatch's wheel `packages`, poetry's `packages ... from`).
    `asgibdd init`, `asgibdd check` and the behave hooks all put exactly these on the path.
    """
    roots = [project_dir]
    if (project_dir / "src").is_dir():
        roots.append(project_dir / "src")
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = read_pyproject(pyproject)
        except ConfigError:
            data = {}  # reported where the settings are read; not a reason to fail here
        roots.extend(project_dir / folder for folder in _declared_roots(data))
    unique: list[Path] = []
    for root in roots:
        if root.is_dir() and root.resolve() not in unique:
            unique.append(root.resolve())
    return unique


def _declared_roots(data: dict[str, Any]) -> list[str]:
    """Package-root folders named by the build configuration (best effort, never fails)."""
    tool = _table(data, "tool")
    setuptools = _table(tool, "setuptools")
    folders: list[Any] = [_table(setuptools, "package-dir").get("")]
    where = _table(_table(setuptools, "packages"), "find").get("where")
    folders.extend(where if isinstance(where, list) else [where])
    hatch_wheel = _table(_table(_table(_table(tool, "hatch"), "build"), "targets"), "wheel")
    packages = hatch_wheel.get("packages")
    if isinstance(packages, list):
        folders.extend(str(Path(p).parent) for p in packages if isinstance(p, str))
    poetry = _table(tool, "poetry").get("packages")
    if isinstance(poetry, list):
        folders.extend(p.get("from") for p in poetry if isinstance(p, dict))
    return [f for f in folders if isinstance(f, str) and f not in ("", ".")]


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def add_to_python_path(folders: Sequence[Path]) -> None:
    """Put those of `folders` not on `sys.path` yet at its front, in the order given."""
    missing = [str(f) for f in dict.fromkeys(folders) if str(f) not in sys.path]
    sys.path[:0] = missing
