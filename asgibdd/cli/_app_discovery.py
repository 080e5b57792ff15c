"""Finding the app for `asgibdd init`: from `--app`, `[tool.asgibdd] app`, or a scan.

The scan reads the syntax trees of the project's own modules for a module-level
`app = FastAPI()` (or Starlette, Litestar, Quart, ...); nothing is imported or run while
scanning, and only the likeliest candidate is imported afterwards, to check it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asgibdd.app_loader import load_app
from asgibdd.errors import ConfigError
from asgibdd.project import tool_table

__all__ = ["APP_CONSTRUCTORS", "AppCandidate", "find_app_candidates", "resolve_app"]

# Calls that build an ASGI app at module level, by the name they are called with.
APP_CONSTRUCTORS = frozenset(
    {"FastAPI", "Starlette", "Litestar", "Quart", "Sanic", "get_asgi_application", "App"}
)
# WSGI apps share the names but not the protocol.
WSGI_CONSTRUCTORS = frozenset({"get_wsgi_application", "Flask", "WSGIHandler"})
APP_NAMES = ("app", "application", "asgi_app", "api")
APP_MODULE_STEMS = ("main", "app", "asgi", "api", "server", "application")
_SKIPPED_DIRS = frozenset(
    {"tests", "test", "features", "steps", "docs", "build", "dist", "node_modules", "venv"}
)
_SKIPPED_FILES = frozenset({"setup.py", "conftest.py", "environment.py", "noxfile.py"})
_MAX_SCANNED_FILES = 2000


@dataclass(frozen=True, order=True)
class AppCandidate:
    """A module-level assignment that looks like an ASGI app, ranked (lower is likelier)."""

    rank: tuple[int, int, int, int]
    reference: str
    file: Path


def resolve_app(project: Path, given: str | None) -> tuple[str, str, str]:
    """The app reference, where it came from (for errors), and how to report it."""
    if given is not None:
        return given, "--app", "from --app"
    configured = _configured_app(project / "pyproject.toml")
    if configured is not None:
        where = "[tool.asgibdd] in pyproject.toml"
        return configured, where, f"from {where}"
    candidates = find_app_candidates(project)
    problems: list[str] = []
    for candidate in candidates:
        try:
            load_app(candidate.reference, source="the project scan", project_dir=project)
        except ConfigError as error:
            problems.append(f"  {candidate.reference}: {error}")
            continue
        others = [c.reference for c in candidates if c is not candidate]
        note = f"; also saw {', '.join(others)}" if others else ""
        found_in = candidate.file.relative_to(project).as_posix()
        return candidate.reference, found_in, f"found in {found_in}{note}"
    lines = [
        f"No ASGI app found in {project}: no module there assigns an app at module level "
        "(app = FastAPI(), Starlette(), Litestar(), Quart(), create_app(), ...)."
    ]
    if problems:
        lines = [f"No importable ASGI app found in {project}. Candidates that failed:", *problems]
    lines.append('Name the app: asgibdd init --app "package.module:app"')
    raise ConfigError("\n".join(lines))


def _configured_app(pyproject: Path) -> str | None:
    if not pyproject.is_file():
        return None
    app = (tool_table(pyproject) or {}).get("app")
    return app if isinstance(app, str) and app.strip() else None


def _python_files(project: Path) -> Iterator[tuple[Path, str]]:
    """Each module file of the project with its dotted module name (root and src/ layout)."""
    for root in (project, project / "src"):
        if not root.is_dir():
            continue
        for file in sorted(root.glob("*.py")):
            if file.name not in _SKIPPED_FILES:
                yield file, file.stem
        for package in sorted(p for p in root.iterdir() if (p / "__init__.py").is_file()):
            yield from _package_files(package, package.name, depth=1)


def _package_files(package: Path, dotted: str, depth: int) -> Iterator[tuple[Path, str]]:
    if package.name.startswith(".") or package.name in _SKIPPED_DIRS or depth > 3:
        return
    for file in sorted(package.glob("*.py")):
        yield file, dotted if file.stem == "__init__" else f"{dotted}.{file.stem}"
    for sub in sorted(p for p in package.iterdir() if (p / "__init__.py").is_file()):
        yield from _package_files(sub, f"{dotted}.{sub.name}", depth + 1)


def find_app_candidates(project: Path) -> list[AppCandidate]:
    """Module-level `name = SomeApp(...)` assignments in the project, likeliest first.

    Only syntax trees are read: nothing is imported or run here.
    """
    candidates: list[AppCandidate] = []
    for count, (file, module) in enumerate(_python_files(project)):
        if count >= _MAX_SCANNED_FILES:
            break
        try:
            tree = ast.parse(file.read_bytes(), filename=str(file))
        except (SyntaxError, ValueError, OSError):
            continue
        for name, called in _module_level_calls(tree):
            known = called in APP_CONSTRUCTORS
            if called in WSGI_CONSTRUCTORS or (not known and name not in APP_NAMES):
                continue
            stem = module.rpartition(".")[2]
            rank = (
                0 if known else 1,
                APP_NAMES.index(name) if name in APP_NAMES else len(APP_NAMES),
                0 if stem in APP_MODULE_STEMS else 1,
                module.count("."),
            )
            candidates.append(AppCandidate(rank, f"{module}:{name}", file))
    return sorted(candidates)


def _module_level_calls(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(assigned name, called name) for each `name = call(...)` at module level."""
    for node in tree.body:
        value: ast.expr | None = None
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign):
            value, targets = node.value, [node.target]
        else:
            continue
        if not isinstance(value, ast.Call):
            continue
        func = value.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        for target in targets:
            if isinstance(target, ast.Name):
                yield target.id, called
