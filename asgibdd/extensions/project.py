"""The project's own extensions, named in `[tool.asgibdd] extensions`."""

from __future__ import annotations

import importlib
from pathlib import Path

from asgibdd.config import AsgiBddConfig
from asgibdd.errors import ConfigError
from asgibdd.project import add_to_python_path, import_roots
from asgibdd.world import HOOKS

__all__ = ["project_extensions"]


def project_extensions(config: AsgiBddConfig) -> list[object]:
    """One extension per `module:Factory` of the `extensions` setting, in its order: the
    factory (a class, usually) called with no arguments."""
    if not config.extensions:
        return []
    add_to_python_path([*import_roots(config.project_dir or Path.cwd()), Path.cwd()])
    return [_build(reference, config) for reference in config.extensions]


def _build(reference: str, config: AsgiBddConfig) -> object:
    where = f'the extension "{reference}" ([tool.asgibdd] extensions in {config.project_dir})'
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigError(
            f'Cannot import the module "{module_name}" of {where}: {type(error).__name__}: '
            f"{error}. Check the module name and that its folder is on the Python path."
        ) from error
    factory: object = module
    for part in attribute.split("."):
        if not hasattr(factory, part):
            raise ConfigError(
                f'The module "{module_name}" has no attribute "{attribute}", named by {where}.'
            )
        factory = getattr(factory, part)
    if not callable(factory):
        raise ConfigError(
            f"{where[0].upper()}{where[1:]} names {type(factory).__name__} {factory!r}, which "
            "is not callable: name a class (or a function) that returns the extension."
        )
    try:
        extension = factory()
    except Exception as error:
        raise ConfigError(
            f"{where[0].upper()}{where[1:]} raised {type(error).__name__}: {error} when "
            "called with no arguments to build the extension."
        ) from error
    if not any(callable(getattr(extension, hook, None)) for hook in HOOKS):
        raise ConfigError(
            f"{where[0].upper()}{where[1:]} built {extension!r}, which has none of the "
            f"extension hooks ({', '.join(HOOKS)}). Subclass asgibdd.world.Extension and "
            "write the hooks you need."
        )
    return extension
