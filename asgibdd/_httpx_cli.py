"""httpx's command-line module, loaded when it is first used instead of with httpx.

`httpx/__init__.py` imports its command line (`httpx._main`, which imports click, rich and
pygments) eagerly, inside a `try`/`except ImportError`, so that `httpx.main` exists. That
is about a third of what importing `asgibdd.environment` costs, paid by every behave
process and every parallel worker, and no test run calls it.

Why a finder on `sys.meta_path`: it is the import system's own extension point for
deciding how a module is loaded, so httpx is not patched and no module is planted in
`sys.modules` by hand. It answers for `httpx._main` alone, once, then takes itself off
the path. The module it gives httpx is small: `main` (what `httpx/__init__.py` imports)
loads the real command line on its first call and runs it, and any other name read from
the module loads it too, so `httpx.main()` and the `httpx` console script behave as
before. When httpx was imported before asgibdd, nothing is installed and nothing changes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["CLI_MODULE", "defer_httpx_cli"]

CLI_MODULE = "httpx._main"


def _load_real(deferred: ModuleType) -> ModuleType:
    """Load httpx's real command-line module (once) in place of `deferred`."""
    real = sys.modules.get(CLI_MODULE)
    if real is not None and real is not deferred:
        return real
    httpx = sys.modules["httpx"]
    spec = importlib.machinery.PathFinder.find_spec(CLI_MODULE, httpx.__path__)
    if spec is None or spec.loader is None:  # pragma: no cover - httpx without its CLI file
        raise ImportError(f"{CLI_MODULE} not found next to {httpx.__file__}")
    real = importlib.util.module_from_spec(spec)
    sys.modules[CLI_MODULE] = real
    try:
        spec.loader.exec_module(real)
    except BaseException:
        sys.modules[CLI_MODULE] = deferred
        raise
    httpx._main = real  # type: ignore[attr-defined]
    return real


class _DeferredCli(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != CLI_MODULE:
            return None
        _remove_finder()
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        def main(*args: Any, **kwargs: Any) -> Any:
            return _load_real(module).main(*args, **kwargs)

        def __getattr__(name: str) -> Any:
            if name.startswith("__"):  # the import system asks for `__path__` and such
                raise AttributeError(name)
            return getattr(_load_real(module), name)

        main.__doc__ = "httpx's command line (loaded on this first call)."
        module.main = main  # type: ignore[attr-defined]
        module.__getattr__ = __getattr__  # type: ignore[method-assign]


_finder = _DeferredCli()


def _remove_finder() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def defer_httpx_cli() -> None:
    """Have httpx's command line loaded on first use (no-op once httpx is imported)."""
    if "httpx" in sys.modules or CLI_MODULE in sys.modules or _finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _finder)
