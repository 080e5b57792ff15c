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
floor) calls in.
"""

from __future__ import annotations

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
