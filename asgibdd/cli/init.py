"""`asgibdd init [DIR] [--app module:app] [--force]`: scaffold a behave project for an app.

It writes `features/example.feature` (one scenario that passes at once), the one-line step
file `steps/asgibdd_steps.py`, a root `environment.py` calling asgibdd's hook helpers, and
`[tool.asgibdd] app = ...` in `pyproject.toml` (merged into an existing file line by line,
leaving everything else as it was). Existing files are never overwritten without `--force`.

The app comes from `--app`, else from an existing `[tool.asgibdd] app`, else from a scan of
the project's own modules: their syntax trees are read for a module-level `app = FastAPI()`
(or Starlette, Litestar, Quart, ...) and only the best candidate is imported, to check it.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from asgibdd.config import load_app
from asgibdd.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

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

# Calls that build an ASGI app at module level, by the name they are called with.
APP_CONSTRUCTORS = frozenset(
    {"FastAPI", "Starlette", "Litestar", "Quart", "Sanic", "get_asgi_application", "App"}
)
APP_NAMES = ("app", "application", "asgi_app", "api")
APP_MODULE_STEMS = ("main", "app", "asgi", "api", "server", "application")
HEALTH_PATHS = ("/health", "/healthz", "/ping", "/status", "/livez", "/readyz", "/")
_SKIPPED_DIRS = frozenset(
    {"tests", "test", "features", "steps", "docs", "build", "dist", "node_modules", "venv"}
)
_SKIPPED_FILES = frozenset({"setup.py", "conftest.py", "environment.py", "noxfile.py"})
_MAX_SCANNED_FILES = 2000
_TOOL_HEADER = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*asgibdd[ \t]*\][ \t]*(#.*)?$", re.M)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.M)
_APP_LINE = re.compile(r"^[ \t]*app[ \t]*=.*$", re.M)


@dataclass(frozen=True, order=True)
class AppCandidate:
    """A module-level assignment that looks like an ASGI app, ranked (lower is likelier)."""

    rank: tuple[int, int, int, int]
    reference: str
    file: Path


@dataclass(frozen=True)
class Example:
    """The request the example scenario sends and the status it can be sure of."""

    path: str
    status: str
    reason: str


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
    reference, source, found_where = _resolve_app(project.resolve(), arguments.app)
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


def _resolve_app(project: Path, given: str | None) -> tuple[str, str, str]:
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
    table = _parse_toml(pyproject.read_text(encoding="utf-8"), pyproject).get("tool", {})
    app = table.get("asgibdd", {}).get("app") if isinstance(table, dict) else None
    return app if isinstance(app, str) and app.strip() else None


def _parse_toml(text: str, where: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where} is not valid TOML: {error}. Fix the file first.") from error


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
            if not known and name not in APP_NAMES:
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


def choose_example(app: Any) -> Example:
    """A GET the app is sure to answer with success, read from its routes when it has any."""
    special = {
        getattr(app, name, None)
        for name in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")
    } - {None}
    simple = [
        route.path
        for route in getattr(app, "routes", None) or []
        if _is_simple_get(route) and route.path not in special
    ]
    if simple:
        preferred = [path for path in HEALTH_PATHS if path in simple]
        path = preferred[0] if preferred else min(simple, key=lambda p: (len(p), p))
        return Example(path, "2xx", "a GET route of the app that needs no parameters")
    openapi = getattr(app, "openapi_url", None)
    if isinstance(openapi, str) and openapi:
        return Example(openapi, "200", "the OpenAPI schema the app serves")
    return Example("/", "2xx", "the app's routes could not be read; edit it if / is not served")


def _is_simple_get(route: Any) -> bool:
    path = getattr(route, "path", None)
    methods = getattr(route, "methods", None) or ()
    if not isinstance(path, str) or "{" in path or "GET" not in methods:
        return False
    dependant = getattr(route, "dependant", None)  # FastAPI: skip auth and required inputs
    if dependant is None:
        return True
    if dependant.dependencies:
        return False
    inputs = (
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    )
    return not any(field.field_info.is_required() for field in inputs)


def _template(name: str, **values: str) -> str:
    text = resources.files("asgibdd.cli").joinpath(f"templates/{name}.tmpl").read_text("utf-8")
    return string.Template(text).substitute(values)


def scaffold(project: Path, reference: str, example: Example, *, force: bool) -> list[FileAction]:
    """Write the project files under `project`; return what happened to each."""
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
    actions.append(_write_pyproject(project / "pyproject.toml", reference, force))
    return actions


def _write(project: Path, relative: str, text: str, force: bool) -> FileAction:
    target = project / relative
    if target.exists() and not force:
        return FileAction("skipped", relative, "exists; --force overwrites it")
    verb = "overwrote" if target.exists() else "created"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return FileAction(verb, relative)


def _write_pyproject(pyproject: Path, reference: str, force: bool) -> FileAction:
    if not pyproject.exists():
        pyproject.write_text(merge_pyproject("", reference, force=force)[0], encoding="utf-8")
        return FileAction("created", pyproject.name, f'[tool.asgibdd] app = "{reference}"')
    text = pyproject.read_text(encoding="utf-8")
    merged, note = merge_pyproject(text, reference, force=force, where=pyproject)
    if merged == text:
        return FileAction("skipped", pyproject.name, note)
    pyproject.write_text(merged, encoding="utf-8")
    return FileAction("updated", pyproject.name, note)


def merge_pyproject(
    text: str, reference: str, *, force: bool, where: Path = Path("pyproject.toml")
) -> tuple[str, str]:
    """`text` with `[tool.asgibdd] app = reference`, every other line kept as it was.

    Returns the new text (unchanged when nothing is to be done) and a note saying why.
    """
    data = _parse_toml(text, where)
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
    _check_merge(data, _parse_toml(merged, where), reference, where)
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
