"""asgibdd's prebuilt steps. Add them to a behave project with one line in any step file:

```python
from asgibdd.steps import *  # noqa: F403
```

How the line works, and why it is a star import: behave executes every step file afresh
on each run, but Python imports `asgibdd.steps` only once per process. The star import
asks this module for the names in `__all__`; they are not stored attributes, so Python
calls the module `__getattr__` below on every execution of the line, and that installs
the library into the step registries behave uses. The library therefore survives
`behave.runner_util.reset_runtime()` and repeated in-process runs, and installing twice
into the same registry is a no-op. Only one name, `asgibdd_steps` (the `StepLibrary`),
lands in the step file's namespace; behave's matcher and registered types are untouched.

Explicit alternative: `from asgibdd.steps import install_steps; install_steps()`.

Step modules are found by name in `STEP_MODULES`; a module listed there that does not
exist yet is skipped, so concerns can be added one file at a time.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from asgibdd.steps.registry import LIBRARY, StepLibrary

__all__ = ["asgibdd_steps"]

STEP_MODULES = (
    "http",
    "variables",
    "response",
    "json",
    "csv",
    "websocket",
    "streaming",
    "contracts",
    "outbound",
    "clock",
)


def load_library() -> StepLibrary:
    """Import every step module, and return the library of their definitions."""
    for name in STEP_MODULES:
        qualified = f"{__name__}.{name}"
        if importlib.util.find_spec(qualified) is not None:
            importlib.import_module(qualified)
    return LIBRARY


def install_steps(registry: Any = None) -> StepLibrary:
    """Install every library step into behave's step registries (or only `registry`)."""
    library = load_library()
    library.install(registry)
    return library


def __getattr__(name: str) -> Any:
    # Deliberately not cached in the module dict: see the module docstring.
    if name == "asgibdd_steps":
        return install_steps()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
