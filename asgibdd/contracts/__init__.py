"""Every response checked against the app's OpenAPI document, and the API coverage a run
reached. See docs/contracts.md.

- `document`: where the document comes from (the app object, a file, a served path);
- `dialect`: its schemas rewritten once into JSON Schema 2020-12 (OpenAPI 3.0, discriminators);
- `operations`: the operation a request answered, its status and media type entries;
- `schemas`: bodies validated with jsonschema-rs;
- `conformance`: one response checked → a `Verdict` of `Violation`s;
- `coverage`: what the run exercised, as data, a table and a JSON file;
- `checker`: the run's `ContractChecker` tying these together, and its failure message.

Nothing here imports behave: the behave integration (environment.py, the request step
floor) calls in. The names below are imported on first use, so reading or merging a
coverage file (`asgibdd run`'s parent, `asgibdd report`) imports neither the checker nor
httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asgibdd.contracts.checker import CONTRACT_TAG, ContractChecker, Fetch, setup_line
    from asgibdd.contracts.conformance import Verdict, Violation, check_response
    from asgibdd.contracts.coverage import (
        COVERAGE_FORMAT,
        CoverageTally,
        coverage_data,
        merge_coverage,
        read_coverage,
        render_table,
        render_undocumented,
        write_coverage,
    )
    from asgibdd.contracts.document import AUTO, APIDocument, discover, document_from_mapping

__all__ = [
    "AUTO",
    "CONTRACT_TAG",
    "COVERAGE_FORMAT",
    "APIDocument",
    "ContractChecker",
    "CoverageTally",
    "Fetch",
    "Verdict",
    "Violation",
    "check_response",
    "coverage_data",
    "discover",
    "document_from_mapping",
    "merge_coverage",
    "read_coverage",
    "render_table",
    "render_undocumented",
    "setup_line",
    "write_coverage",
]

#: The modules that define the names of `__all__`, lightest first: a name imports its own
#: module and those before it, never a heavier one.
_HOMES = ("coverage", "document", "conformance", "checker")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in _HOMES:
            module = importlib.import_module(f"asgibdd.contracts.{home}")
            if name in module.__all__:
                value = getattr(module, name)
                globals()[name] = value  # later lookups find it without coming here
                return value
    raise AttributeError(f"module 'asgibdd.contracts' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
