"""API coverage: which documented operations and statuses a run exercised.

`CoverageTally` counts the checked responses as the run goes; `coverage_data` turns the
tally into plain JSON data (the format is in docs/contracts.md, "The coverage file"), which
`render_table` prints and `write_coverage` saves for reports.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asgibdd.contracts.conformance import Verdict
from asgibdd.contracts.document import APIDocument
from asgibdd.contracts.operations import Operation
from asgibdd.secrets import Secrets

__all__ = ["COVERAGE_FORMAT", "CoverageTally", "coverage_data", "render_table", "write_coverage"]

COVERAGE_FORMAT = "asgibdd-api-coverage/1"
"""The `format` field of the coverage data; the number changes if a field changes meaning."""


@dataclass
class CoverageTally:
    """Counts of the responses checked so far, by operation, status and verdict."""

    operations: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    undocumented_statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    undocumented_requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    checked: int = 0
    violating: int = 0

    def record(self, verdict: Verdict, secrets: Secrets | None = None) -> None:
        """Count `verdict`; an undocumented request's path is kept with `secrets` masked
        (it is printed and written to a file, like any other output)."""
        self.checked += 1
        self.violating += bool(verdict.violations)
        operation = verdict.operation
        if operation is None:
            path = secrets.mask_text(verdict.path) if secrets is not None else verdict.path
            self.undocumented_requests[(verdict.method, path, verdict.status)] += 1
            return
        self.operations[operation.label] += 1
        if verdict.status_key is None:
            self.undocumented_statuses[(operation.label, verdict.status)] += 1
        else:
            self.statuses[(operation.label, verdict.status_key)] += 1


def coverage_data(
    document: APIDocument, operations: Sequence[Operation], tally: CoverageTally
) -> dict[str, Any]:
    """The run's API coverage as JSON-ready data (pure: reads its arguments only)."""
    rows: list[dict[str, Any]] = []
    for operation in operations:
        label = operation.label
        rows.append(
            {
                "operation": label,
                "method": operation.method,
                "path": operation.template,
                "operation_id": operation.operation_id,
                "requests": tally.operations[label],
                "statuses": [
                    {"status": key, "requests": tally.statuses[(label, key)]}
                    for key in operation.statuses
                ],
                "undocumented_statuses": [
                    {"status": status, "requests": count}
                    for (name, status), count in sorted(tally.undocumented_statuses.items())
                    if name == label
                ],
            }
        )
    statuses: list[dict[str, Any]] = [status for row in rows for status in row["statuses"]]
    return {
        "format": COVERAGE_FORMAT,
        "document": {
            "source": document.source,
            "openapi": document.version,
            "title": document.title,
        },
        "totals": {
            "operations": len(rows),
            "operations_exercised": sum(1 for row in rows if row["requests"]),
            "statuses": len(statuses),
            "statuses_exercised": sum(1 for status in statuses if status["requests"]),
            "responses_checked": tally.checked,
            "responses_with_violations": tally.violating,
            "undocumented_requests": sum(tally.undocumented_requests.values()),
        },
        "operations": rows,
        "undocumented_requests": [
            {"method": method, "path": path, "status": status, "requests": count}
            for (method, path, status), count in sorted(tally.undocumented_requests.items())
        ],
    }


def render_table(data: dict[str, Any], *, limit: int = 40) -> str:
    """A short text table of `coverage_data`: exercised and never exercised statuses.

    At most `limit` operations and `limit` undocumented requests are listed (a large API
    would bury behave's summary); the file has them all."""
    totals = data["totals"]
    lines = [
        f"API coverage: {totals['operations_exercised']} of {totals['operations']} operations, "
        f"{totals['statuses_exercised']} of {totals['statuses']} documented statuses "
        f"({data['document']['source']}, OpenAPI {data['document']['openapi']})"
    ]
    table = [("operation", "requests", "exercised", "never exercised")]
    for row in data["operations"][:limit]:
        seen = [s["status"] for s in row["statuses"] if s["requests"]]
        seen += [f"{s['status']} (undocumented)" for s in row["undocumented_statuses"]]
        unseen = [s["status"] for s in row["statuses"] if not s["requests"]]
        table.append(
            (
                row["operation"],
                str(row["requests"]),
                ", ".join(seen) or "-",
                ", ".join(unseen) or "-",
            )
        )
    widths = [max(len(cells[column]) for cells in table) for column in range(3)]
    for name, requests, exercised, never in table:
        cells = f"{name:<{widths[0]}}  {requests:>{widths[1]}}  {exercised:<{widths[2]}}"
        lines.append(f"  {cells}  {never}".rstrip())
    lines.extend(_more(len(data["operations"]) - limit, "operations"))
    undocumented = data["undocumented_requests"]
    if undocumented:
        lines.append("Requests the document does not describe (not checked):")
        lines.extend(
            f"  {u['method']} {u['path']} -> {u['status']} ({u['requests']}x)"
            for u in undocumented[:limit]
        )
        lines.extend(_more(len(undocumented) - limit, "requests"))
    return "\n".join(lines)


def _more(hidden: int, what: str) -> list[str]:
    return [f"  ... and {hidden} more {what} (all are in the coverage file)"] if hidden > 0 else []


def write_coverage(data: dict[str, Any], path: Path) -> None:
    """Save `coverage_data` as JSON at `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
