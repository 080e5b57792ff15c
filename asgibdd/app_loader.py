"""The app under test, imported from its reference (`module:attribute` or
`module:factory()`) and checked to be an ASGI app; every failure says what to do."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import sys
from pathlib import Path
from typing import Any, cast

from asgibdd._types import ASGIApp
from asgibdd.errors import ConfigError
from asgibdd.project import add_to_python_path, import_roots

__all__ = ["load_app"]


def load_app(reference: str, *, source: str, project_dir: Path | None = None) -> ASGIApp:
    """Import `module:attribute` (or `module:factory()`) and check it is an ASGI app."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigError(
            f'The app "{reference}" from {source} must be written "module:attribute", '
            'e.g. "myservice.main:app" (or "myservice.main:create_app()" for a factory).'
        )
    is_factory = attribute.endswith("()")
    attribute = attribute.removesuffix("()")
    # The `behave` script does not put the project folder on sys.path; `python -m` does.
    add_to_python_path([*import_roots(project_dir or Path.cwd()), Path.cwd()])
    said = io.StringIO()  # what the module writes to stderr while it is imported
    try:
        with contextlib.redirect_stderr(said):
            module = importlib.import_module(module_name)
    except SystemExit as error:
        output = "".join(f"\n  {line}" for line in said.getvalue().splitlines()[-5:])
        raise ConfigError(
            f'Importing "{module_name}" for the app "{reference}" (from {source}) called '
            f"sys.exit({error.code!r}): the module exits while it is imported, probably "
            "because it reads command-line arguments (argparse's parse_args()) or starts a "
            'server. Put that code under `if __name__ == "__main__":`.'
            + (f"\nIt printed:{output}" if output else "")
        ) from None
    except ImportError as error:
        raise ConfigError(
            f'Cannot import the module "{module_name}" of the app "{reference}" (from '
            f"{source}): {type(error).__name__}: {error}. Check the module name and that its "
            "folder is on the Python path."
        ) from error
    except Exception as error:
        raise ConfigError(
            f'Importing "{module_name}" for the app "{reference}" (from {source}) raised '
            f"{type(error).__name__}: {error}"
        ) from error
    finally:
        sys.stderr.write(said.getvalue())
    target: Any = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            names = sorted(n for n in dir(module) if not n.startswith("_"))
            raise ConfigError(
                f'The module "{module_name}" has no attribute "{attribute}" (app "{reference}" '
                f"from {source}). Its public names are: {', '.join(names) or '(none)'}."
            )
        target = getattr(target, part)
    if is_factory:
        if not callable(target):
            raise ConfigError(
                f'"{reference}" (from {source}) calls "{attribute}", but it is not callable.'
            )
        try:
            target = target()
        except Exception as error:
            raise ConfigError(
                f'The app factory "{reference}" (from {source}) raised '
                f"{type(error).__name__}: {error}"
            ) from error
    _check_asgi_callable(target, reference, source, is_factory)
    return cast(ASGIApp, target)


def _check_asgi_callable(target: Any, reference: str, source: str, is_factory: bool) -> None:
    got = f"{type(target).__name__} {target!r}"[:120]
    if inspect.isclass(target):
        raise ConfigError(
            f'"{reference}" (from {source}) is a class, not an ASGI app. Point at an '
            f'instance, or at a factory with "()" at the end.'
        )
    if not callable(target):
        raise ConfigError(
            f'"{reference}" (from {source}) is not an ASGI app: expected a callable taking '
            f"(scope, receive, send), got {got}."
        )
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return  # builtins and C callables: nothing to check
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    if not takes_varargs and len(positional) != 3:
        hint = (
            f' If it builds the app, write "{reference}()".'
            if not positional and not is_factory
            else ""
        )
        raise ConfigError(
            f'"{reference}" (from {source}) is not an ASGI app: an ASGI app takes (scope, '
            f"receive, send), this callable takes {len(positional)} required argument(s).{hint}"
        )
